// SPDX-License-Identifier: GPL-2.0
/*
 * nf_hipac through raw generic netlink: rules dumped verbatim with their
 * counters, verdicts and exact counts for traffic on lo, transactions
 * (poisoned by a bad rule, aborted, dropped with their socket), network
 * namespace isolation, permissions, the memory limit, chain loops, and
 * unloading under traffic.  Every test runs in a fresh namespace.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/ip.h>
#include <signal.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "hipac_nl.h"

#define DPORT_DROP	9999
#define DPORT_PASS	9998
#define PAYLOAD		100

FIXTURE(hipac) {
	struct hctx h;
	struct hdump d;
};

FIXTURE_SETUP(hipac)
{
	hipac_test_enter(_metadata, &self->h);
}

FIXTURE_TEARDOWN(hipac)
{
	h_dump_free(&self->d);
	genl_test_close(&self->h.sock);
}

TEST_F(hipac, rule_dumps_verbatim_with_counters)
{
	uint8_t addr[4] = { 10, 1, 2, 0 };
	struct hrule r = { .len = 0 };
	const struct hentry *e;

	r_put(&r, NF_HIPAC_R_SRC, addr, 4);
	r_u8(&r, NF_HIPAC_R_SRC_PLEN, 24);
	r_u8(&r, NF_HIPAC_R_PROTO, IPPROTO_TCP);
	r_u16(&r, NF_HIPAC_R_DPORT_LO, 22);
	r_u16(&r, NF_HIPAC_R_DPORT_HI, 25);
	r_flag(&r, NF_HIPAC_R_DPORT_INV);
	r_str(&r, NF_HIPAC_R_IIF, "eth+");
	r_u32(&r, NF_HIPAC_R_VERDICT, NF_HIPAC_V_DROP);
	ASSERT_EQ(0, h_append(&self->h, AF_INET, "INPUT", &r));

	ASSERT_EQ(0, h_dump(&self->h, AF_INET, &self->d));
	EXPECT_EQ(4, self->d.n);	/* three chains, one rule */
	e = h_find(&self->d, "INPUT", 1);
	ASSERT_NE(NULL, e);
	ASSERT_EQ(r.len, e->nest_len);
	EXPECT_EQ(0, memcmp(r.buf, e->nest, r.len));
	EXPECT_EQ(0, e->packets);
	EXPECT_EQ(0, e->bytes);
	e = h_find(&self->d, "INPUT", 0);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(NF_HIPAC_V_ACCEPT, e->policy);
	/* The IPv6 rule set is another one */
	h_dump_free(&self->d);
	ASSERT_EQ(0, h_dump(&self->h, AF_INET6, &self->d));
	EXPECT_EQ(0, h_count_rules(&self->d));
}

/* Send to both ports, return what arrived on each */
static void send_both(int family, int n, int *dropped, int *passed)
{
	int fd_drop = udp_bind(family, DPORT_DROP);
	int fd_pass = udp_bind(family, DPORT_PASS);

	udp_send(family, DPORT_DROP, n, PAYLOAD);
	udp_send(family, DPORT_PASS, n, PAYLOAD);
	usleep(20000);
	*dropped = fd_drop < 0 ? -1 : udp_drain(fd_drop);
	*passed = fd_pass < 0 ? -1 : udp_drain(fd_pass);
	close(fd_drop);
	close(fd_pass);
}

static void traffic_counts(struct __test_metadata *_metadata,
			   FIXTURE_DATA(hipac) *self, int family,
			   size_t l3hdr)
{
	struct hrule drop = r_port(IPPROTO_UDP, DPORT_DROP, NF_HIPAC_V_DROP);
	struct hrule count = r_port(IPPROTO_UDP, DPORT_PASS, NF_HIPAC_V_NONE);
	struct hrule other = r_port(IPPROTO_TCP, 1, NF_HIPAC_V_DROP);
	uint64_t len = l3hdr + 8 + PAYLOAD;
	const struct hentry *e;
	int dropped, passed, n = 50;

	ASSERT_EQ(0, h_append(&self->h, family, "INPUT", &drop));
	ASSERT_EQ(0, h_append(&self->h, family, "INPUT", &count));
	send_both(family, n, &dropped, &passed);
	EXPECT_EQ(0, dropped);
	EXPECT_EQ(n, passed);

	/* A commit that leaves the two rules alone keeps their counters */
	ASSERT_EQ(0, h_append(&self->h, family, "INPUT", &other));
	ASSERT_EQ(0, h_dump(&self->h, family, &self->d));
	e = h_find(&self->d, "INPUT", 1);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(n, e->packets);
	EXPECT_EQ(n * len, e->bytes);
	e = h_find(&self->d, "INPUT", 2);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(n, e->packets);
	EXPECT_EQ(n * len, e->bytes);
	e = h_find(&self->d, "INPUT", 3);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(0, e->packets);
	/* Only the counted datagrams reach the end of INPUT */
	e = h_find(&self->d, "INPUT", 0);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(n, e->packets);
	h_dump_free(&self->d);

	/* -Z, then policy DROP: nothing passes, the policy counts */
	ASSERT_EQ(0, h_cmd(&self->h, NF_HIPAC_CMD_ZERO, family));
	ASSERT_EQ(0, h_policy(&self->h, family, "INPUT", NF_HIPAC_V_DROP));
	send_both(family, n, &dropped, &passed);
	EXPECT_EQ(0, dropped);
	EXPECT_EQ(0, passed);
	ASSERT_EQ(0, h_dump(&self->h, family, &self->d));
	EXPECT_EQ(n, h_find(&self->d, "INPUT", 1)->packets);
	EXPECT_EQ(n, h_find(&self->d, "INPUT", 2)->packets);
	EXPECT_EQ(n, h_find(&self->d, "INPUT", 0)->packets);
	EXPECT_EQ(n * len, h_find(&self->d, "INPUT", 0)->bytes);
}

TEST_F(hipac, ipv4_traffic_verdicts_and_exact_counters)
{
	traffic_counts(_metadata, self, AF_INET, 20);
}

TEST_F(hipac, ipv6_traffic_verdicts_and_exact_counters)
{
	traffic_counts(_metadata, self, AF_INET6, 40);
}

/* -j REJECT: a connected UDP socket sees ECONNREFUSED */
TEST_F(hipac, reject_answers_port_unreachable)
{
	struct hrule r = r_port(IPPROTO_UDP, DPORT_DROP, NF_HIPAC_V_REJECT);
	int fd, srv = udp_bind(AF_INET, DPORT_DROP);
	struct sockaddr_storage a;
	socklen_t alen = lo_addr(AF_INET, DPORT_DROP, &a);
	char c = 0;

	ASSERT_LE(0, srv);
	ASSERT_EQ(0, h_append(&self->h, AF_INET, "INPUT", &r));
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	ASSERT_EQ(0, connect(fd, (void *)&a, alen));
	ASSERT_EQ(1, send(fd, &c, 1, 0));
	usleep(20000);
	EXPECT_EQ(-1, send(fd, &c, 1, 0));
	EXPECT_EQ(ECONNREFUSED, errno);
	EXPECT_EQ(0, udp_drain(srv));
	close(fd);
	close(srv);
}

TEST_F(hipac, bad_rule_poisons_transaction_and_names_it)
{
	struct hrule good = r_port(IPPROTO_UDP, 1, NF_HIPAC_V_DROP);
	struct hrule bad = { .len = 0 };

	ASSERT_EQ(0, h_append(&self->h, AF_INET, "INPUT", &good));

	r_u16(&bad, NF_HIPAC_R_DPORT_LO, 80);	/* no -p */
	ASSERT_EQ(0, h_cmd(&self->h, NF_HIPAC_CMD_BEGIN, AF_INET));
	EXPECT_EQ(-EBUSY, h_cmd(&self->h, NF_HIPAC_CMD_BEGIN, AF_INET));
	ASSERT_EQ(0, h_append(&self->h, AF_INET, "INPUT", &good));
	ASSERT_EQ(0, h_append(&self->h, AF_INET, "INPUT", &good));
	EXPECT_EQ(-EINVAL, h_append(&self->h, AF_INET, "INPUT", &bad));
	EXPECT_STREQ("INPUT rule 4: --dport requires -p tcp, udp, udplite, sctp or dccp",
		     self->h.reply.extack_msg);
	/* The transaction is poisoned: later changes fail too */
	EXPECT_EQ(-EINVAL, h_append(&self->h, AF_INET, "INPUT", &good));
	EXPECT_EQ(-EINVAL, h_cmd(&self->h, NF_HIPAC_CMD_COMMIT, AF_INET));
	EXPECT_STREQ("INPUT rule 4: --dport requires -p tcp, udp, udplite, sctp or dccp",
		     self->h.reply.extack_msg);

	/* The previous rule set stays */
	ASSERT_EQ(0, h_dump(&self->h, AF_INET, &self->d));
	EXPECT_EQ(1, h_count_rules(&self->d));
	/* And the socket can start over */
	EXPECT_EQ(0, h_cmd(&self->h, NF_HIPAC_CMD_BEGIN, AF_INET));
	EXPECT_EQ(0, h_cmd(&self->h, NF_HIPAC_CMD_ABORT, AF_INET));
}

TEST_F(hipac, transaction_commits_as_one)
{
	struct hrule r = r_port(IPPROTO_UDP, 1, NF_HIPAC_V_DROP);
	struct hctx other;
	int dropped, passed;

	ASSERT_EQ(0, h_cmd(&self->h, NF_HIPAC_CMD_BEGIN, AF_INET));
	r = r_port(IPPROTO_UDP, DPORT_DROP, NF_HIPAC_V_DROP);
	ASSERT_EQ(0, h_append(&self->h, AF_INET, "INPUT", &r));
	/* Not in force before COMMIT, for this socket's dumps either */
	send_both(AF_INET, 5, &dropped, &passed);
	EXPECT_EQ(5, dropped);
	ASSERT_EQ(0, h_dump(&self->h, AF_INET, &self->d));
	EXPECT_EQ(0, h_count_rules(&self->d));
	h_dump_free(&self->d);
	ASSERT_EQ(0, h_cmd(&self->h, NF_HIPAC_CMD_COMMIT, AF_INET));
	send_both(AF_INET, 5, &dropped, &passed);
	EXPECT_EQ(0, dropped);
	EXPECT_EQ(5, passed);

	/* Overlapping transactions: the later commit fails with EAGAIN */
	ASSERT_EQ(0, h_open(&other));
	ASSERT_EQ(0, h_cmd(&self->h, NF_HIPAC_CMD_BEGIN, AF_INET));
	ASSERT_EQ(0, h_cmd(&other, NF_HIPAC_CMD_BEGIN, AF_INET));
	ASSERT_EQ(0, h_append(&other, AF_INET, "OUTPUT", &r));
	ASSERT_EQ(0, h_cmd(&other, NF_HIPAC_CMD_COMMIT, AF_INET));
	ASSERT_EQ(0, h_append(&self->h, AF_INET, "FORWARD", &r));
	EXPECT_EQ(-EAGAIN, h_cmd(&self->h, NF_HIPAC_CMD_COMMIT, AF_INET));
	genl_test_close(&other.sock);
}

TEST_F(hipac, abort_and_socket_close_drop_the_transaction)
{
	struct hrule r = r_port(IPPROTO_UDP, 1, NF_HIPAC_V_DROP);

	ASSERT_EQ(0, h_cmd(&self->h, NF_HIPAC_CMD_BEGIN, AF_INET6));
	ASSERT_EQ(0, h_append(&self->h, AF_INET6, "INPUT", &r));
	ASSERT_EQ(0, h_cmd(&self->h, NF_HIPAC_CMD_ABORT, AF_INET6));
	EXPECT_EQ(-EINVAL, h_cmd(&self->h, NF_HIPAC_CMD_COMMIT, AF_INET6));
	ASSERT_EQ(0, h_dump(&self->h, AF_INET6, &self->d));
	EXPECT_EQ(0, h_count_rules(&self->d));
	h_dump_free(&self->d);

	ASSERT_EQ(0, h_cmd(&self->h, NF_HIPAC_CMD_BEGIN, AF_INET6));
	ASSERT_EQ(0, h_append(&self->h, AF_INET6, "INPUT", &r));
	genl_test_close(&self->h.sock);
	ASSERT_EQ(0, h_open(&self->h));
	/* The new socket may get the old one's port id: nothing is open */
	EXPECT_EQ(-EINVAL, h_cmd(&self->h, NF_HIPAC_CMD_COMMIT, AF_INET6));
	ASSERT_EQ(0, h_dump(&self->h, AF_INET6, &self->d));
	EXPECT_EQ(0, h_count_rules(&self->d));
}

TEST_F(hipac, namespaces_are_isolated)
{
	struct hrule r = r_port(IPPROTO_UDP, DPORT_DROP, NF_HIPAC_V_DROP);
	int ns_a, dropped, passed;
	struct hctx b;

	ASSERT_EQ(0, h_append(&self->h, AF_INET, "INPUT", &r));
	ns_a = open("/proc/self/ns/net", O_RDONLY);
	ASSERT_LE(0, ns_a);
	ASSERT_EQ(0, netns_fresh());
	ASSERT_EQ(0, h_open(&b));
	ASSERT_EQ(0, h_dump(&b, AF_INET, &self->d));
	EXPECT_EQ(0, h_count_rules(&self->d));
	send_both(AF_INET, 5, &dropped, &passed);
	EXPECT_EQ(5, dropped);
	genl_test_close(&b.sock);
	ASSERT_EQ(0, setns(ns_a, CLONE_NEWNET));
	send_both(AF_INET, 5, &dropped, &passed);
	EXPECT_EQ(0, dropped);
	close(ns_a);
}

/* In a child: nobody, optionally owning a new user and network namespace */
static int unprivileged_append(bool own_userns)
{
	struct hrule r = r_port(IPPROTO_UDP, 1, NF_HIPAC_V_DROP);
	struct hctx h;
	struct hdump d;
	int err;

	if (setgid(65534) || setuid(65534))
		return 100;
	if (own_userns && unshare(CLONE_NEWUSER | CLONE_NEWNET))
		return 101;
	if (h_open(&h))
		return 102;
	err = h_append(&h, AF_INET, "INPUT", &r);
	if (!own_userns && err != -EPERM)
		return 103;
	if (own_userns && err)
		return 104;
	err = h_dump(&h, AF_INET, &d);
	if (!own_userns && err != -EPERM)
		return 105;
	if (own_userns && (err || h_count_rules(&d) != 1))
		return 106;
	if (!own_userns && h_cmd(&h, NF_HIPAC_CMD_BEGIN, AF_INET) != -EPERM)
		return 107;
	return 0;
}

static int run_child(bool own_userns)
{
	int status;
	pid_t pid = fork();

	if (!pid)
		_exit(unprivileged_append(own_userns));
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_F(hipac, unprivileged_changes_fail_with_eperm)
{
	EXPECT_EQ(0, run_child(false));
	ASSERT_EQ(0, h_dump(&self->h, AF_INET, &self->d));
	EXPECT_EQ(0, h_count_rules(&self->d));
}

/* CAP_NET_ADMIN over one's own namespaces is enough for them */
TEST_F(hipac, user_namespace_root_manages_its_own_rules)
{
	int rc = run_child(true);

	if (rc == 101)
		SKIP(return, "unprivileged user namespaces are disabled");
	EXPECT_EQ(0, rc);
}

static int write_param(const char *val)
{
	int fd = open("/sys/module/nf_hipac/parameters/mem_limit", O_WRONLY);
	int ok;

	if (fd < 0)
		return -errno;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok ? 0 : -EIO;
}

TEST_F(hipac, mem_limit_fails_commit_with_enospc)
{
	struct hrule r = r_port(IPPROTO_UDP, 1, NF_HIPAC_V_DROP);
	char old[32] = "";
	int fd, n, err;

	fd = open("/sys/module/nf_hipac/parameters/mem_limit", O_RDONLY);
	ASSERT_LE(0, fd);
	n = read(fd, old, sizeof(old) - 1);
	close(fd);
	ASSERT_LT(0, n);
	old[n] = 0;

	ASSERT_EQ(0, h_append(&self->h, AF_INET, "INPUT", &r));
	ASSERT_EQ(0, write_param("64"));
	r = r_port(IPPROTO_UDP, 2, NF_HIPAC_V_DROP);
	err = h_append(&self->h, AF_INET, "INPUT", &r);
	ASSERT_EQ(0, write_param(old));
	EXPECT_EQ(-ENOSPC, err);
	EXPECT_NE(NULL, strstr(self->h.reply.extack_msg, "mem_limit"));
	TH_LOG("message: %s", self->h.reply.extack_msg);
	ASSERT_EQ(0, h_dump(&self->h, AF_INET, &self->d));
	EXPECT_EQ(1, h_count_rules(&self->d));
}

TEST_F(hipac, chain_loop_is_refused)
{
	struct hrule j = { .len = 0 };
	struct hrule r = r_port(IPPROTO_UDP, 1, NF_HIPAC_V_DROP);

	ASSERT_EQ(0, h_chain_cmd(&self->h, NF_HIPAC_CMD_CHAIN_NEW, AF_INET,
				 "a"));
	ASSERT_EQ(0, h_chain_cmd(&self->h, NF_HIPAC_CMD_CHAIN_NEW, AF_INET,
				 "b"));
	EXPECT_EQ(-EEXIST, h_chain_cmd(&self->h, NF_HIPAC_CMD_CHAIN_NEW,
				       AF_INET, "b"));
	r_u32(&j, NF_HIPAC_R_VERDICT, NF_HIPAC_V_JUMP);
	r_str(&j, NF_HIPAC_R_TARGET, "a");
	ASSERT_EQ(0, h_append(&self->h, AF_INET, "INPUT", &j));
	j.len = 0;
	r_u32(&j, NF_HIPAC_R_VERDICT, NF_HIPAC_V_JUMP);
	r_str(&j, NF_HIPAC_R_TARGET, "b");
	ASSERT_EQ(0, h_append(&self->h, AF_INET, "a", &r));
	ASSERT_EQ(0, h_append(&self->h, AF_INET, "a", &j));
	j.len = 0;
	r_u32(&j, NF_HIPAC_R_VERDICT, NF_HIPAC_V_GOTO);
	r_str(&j, NF_HIPAC_R_TARGET, "a");
	EXPECT_EQ(-ELOOP, h_append(&self->h, AF_INET, "b", &j));
	EXPECT_STREQ("b rule 1: chain loop", self->h.reply.extack_msg);

	/* -X: only when empty and unreferenced; -E keeps the jumps */
	EXPECT_EQ(-EBUSY, h_chain_cmd(&self->h, NF_HIPAC_CMD_CHAIN_DEL,
				      AF_INET, "b"));
	EXPECT_EQ(-EBUSY, h_chain_cmd(&self->h, NF_HIPAC_CMD_CHAIN_DEL,
				      AF_INET, "a"));
	h_start(&self->h, NF_HIPAC_CMD_CHAIN_RENAME, AF_INET);
	h_str(&self->h, NF_HIPAC_A_CHAIN, "b");
	h_str(&self->h, NF_HIPAC_A_NEWNAME, "c");
	ASSERT_EQ(0, h_send(&self->h));
	ASSERT_EQ(0, h_dump(&self->h, AF_INET, &self->d));
	ASSERT_NE(NULL, h_find(&self->d, "c", 0));
	EXPECT_EQ(1, h_find(&self->d, "c", 0)->refs);
	EXPECT_EQ(NULL, h_find(&self->d, "b", 0));
	EXPECT_EQ(2, h_count_rules(&self->d) - 1);
}

static int rule_at(struct hctx *h, uint8_t cmd, const char *chain,
		   uint32_t pos, const struct hrule *r)
{
	h_start(h, cmd, AF_INET);
	h_str(h, NF_HIPAC_A_CHAIN, chain);
	if (pos)
		h_u32(h, NF_HIPAC_A_POS, pos);
	if (r)
		h_rule(h, r);
	return h_send(h);
}

/* The dports of @chain's rules in order, as "1,2,3" */
static const char *dports(struct hctx *h, const char *chain, struct hdump *d)
{
	static char out[256];
	const struct nlattr *a;
	const struct hentry *e;
	size_t len = 0;
	uint16_t port;
	uint32_t pos;

	out[0] = 0;
	h_dump_free(d);
	if (h_dump(h, AF_INET, d))
		return "dump failed";
	for (pos = 1; (e = h_find(d, chain, pos)); pos++) {
		a = h_rule_attr(e, NF_HIPAC_R_DPORT_LO);
		port = a && !mnl_attr_validate(a, MNL_TYPE_U16) ?
		       mnl_attr_get_u16(a) : 0;
		len += snprintf(out + len, sizeof(out) - len, "%s%u",
				pos > 1 ? "," : "", port);
	}
	return out;
}

TEST_F(hipac, insert_replace_delete)
{
	struct hrule r[5];
	int i;

	for (i = 0; i < 5; i++)
		r[i] = r_port(IPPROTO_UDP, i + 1, NF_HIPAC_V_ACCEPT);
	ASSERT_EQ(0, h_append(&self->h, AF_INET, "INPUT", &r[1]));
	ASSERT_EQ(0, rule_at(&self->h, NF_HIPAC_CMD_RULE_INSERT, "INPUT", 0,
			     &r[0]));
	ASSERT_EQ(0, rule_at(&self->h, NF_HIPAC_CMD_RULE_INSERT, "INPUT", 3,
			     &r[2]));
	EXPECT_EQ(-E2BIG, rule_at(&self->h, NF_HIPAC_CMD_RULE_INSERT, "INPUT",
				  5, &r[2]));
	EXPECT_STREQ("1,2,3", dports(&self->h, "INPUT", &self->d));
	ASSERT_EQ(0, rule_at(&self->h, NF_HIPAC_CMD_RULE_REPLACE, "INPUT", 2,
			     &r[4]));
	EXPECT_STREQ("1,5,3", dports(&self->h, "INPUT", &self->d));
	ASSERT_EQ(0, rule_at(&self->h, NF_HIPAC_CMD_RULE_DELETE, "INPUT", 0,
			     &r[2]));
	EXPECT_EQ(-ENOENT, rule_at(&self->h, NF_HIPAC_CMD_RULE_DELETE, "INPUT",
				   0, &r[2]));
	EXPECT_STREQ("INPUT: bad rule (does a matching rule exist in that chain?)",
		     self->h.reply.extack_msg);
	ASSERT_EQ(0, rule_at(&self->h, NF_HIPAC_CMD_RULE_DELETE, "INPUT", 1,
			     NULL));
	EXPECT_STREQ("5", dports(&self->h, "INPUT", &self->d));
	EXPECT_EQ(-ENOENT, rule_at(&self->h, NF_HIPAC_CMD_RULE_APPEND, "nope",
				   0, &r[0]));
	EXPECT_STREQ("chain nope does not exist", self->h.reply.extack_msg);
	ASSERT_EQ(0, h_chain_cmd(&self->h, NF_HIPAC_CMD_FLUSH, AF_INET,
				 "INPUT"));
	EXPECT_STREQ("", dports(&self->h, "INPUT", &self->d));
}

/* -j a; a: --dport PASS -j RETURN, -g b; b: -j DROP; INPUT policy ACCEPT */
TEST_F(hipac, user_chains_jump_return_goto)
{
	struct hrule ret = r_port(IPPROTO_UDP, DPORT_PASS, NF_HIPAC_V_RETURN);
	struct hrule drop = { .len = 0 }, go = { .len = 0 }, jump = { .len = 0 };
	const struct hentry *e;
	int dropped, passed;

	ASSERT_EQ(0, h_chain_cmd(&self->h, NF_HIPAC_CMD_CHAIN_NEW, AF_INET,
				 "a"));
	ASSERT_EQ(0, h_chain_cmd(&self->h, NF_HIPAC_CMD_CHAIN_NEW, AF_INET,
				 "b"));
	r_u32(&drop, NF_HIPAC_R_VERDICT, NF_HIPAC_V_DROP);
	ASSERT_EQ(0, h_append(&self->h, AF_INET, "b", &drop));
	ASSERT_EQ(0, h_append(&self->h, AF_INET, "a", &ret));
	r_u32(&go, NF_HIPAC_R_VERDICT, NF_HIPAC_V_GOTO);
	r_str(&go, NF_HIPAC_R_TARGET, "b");
	ASSERT_EQ(0, h_append(&self->h, AF_INET, "a", &go));
	r_u32(&jump, NF_HIPAC_R_VERDICT, NF_HIPAC_V_JUMP);
	r_str(&jump, NF_HIPAC_R_TARGET, "a");
	ASSERT_EQ(0, h_append(&self->h, AF_INET, "INPUT", &jump));

	send_both(AF_INET, 7, &dropped, &passed);
	EXPECT_EQ(0, dropped);
	EXPECT_EQ(7, passed);
	ASSERT_EQ(0, h_dump(&self->h, AF_INET, &self->d));
	e = h_find(&self->d, "INPUT", 1);	/* the jump: every packet */
	ASSERT_NE(NULL, e);
	EXPECT_EQ(14, e->packets);
	EXPECT_EQ(7, h_find(&self->d, "a", 1)->packets);
	EXPECT_EQ(7, h_find(&self->d, "a", 2)->packets);
	EXPECT_EQ(7, h_find(&self->d, "b", 1)->packets);
	EXPECT_EQ(7, h_find(&self->d, "INPUT", 0)->packets);
	EXPECT_EQ(1, h_find(&self->d, "b", 0)->refs);
}

/*
 * Set net.netfilter.nf_log_all_netns, which exists in the initial
 * namespace only, from the test's namespace: 0 or -errno.  The packet
 * logger of iptables' LOG, which nf_hipac's LOG uses, logs for other
 * namespaces only when it is 1.
 */
static int set_log_all_netns(const char *val)
{
	int self = open("/proc/self/ns/net", O_RDONLY);
	int init = open("/proc/1/ns/net", O_RDONLY);
	int err = 0, fd;

	if (self < 0 || init < 0 || setns(init, CLONE_NEWNET))
		err = -errno;
	fd = err ? -1 : open("/proc/sys/net/netfilter/nf_log_all_netns",
			     O_WRONLY);
	if (!err && (fd < 0 || write(fd, val, strlen(val)) < 0))
		err = -errno;
	if (fd >= 0)
		close(fd);
	if (self >= 0 && setns(self, CLONE_NEWNET) && !err)
		err = -errno;
	close(self);
	close(init);
	return err;
}

/*
 * Datagrams matched by a LOG rule pass and are logged, rate-limited, in
 * iptables' LOG format
 */
TEST_F(hipac, log_target_logs_rate_limited)
{
	struct hrule log = r_port(IPPROTO_UDP, DPORT_PASS, NF_HIPAC_V_LOG);
	char line[1024], prefix[32], dpt[32];
	int fd, dropped, passed, lines = 0;
	ssize_t n;

	ASSERT_EQ(0, set_log_all_netns("1"));
	snprintf(prefix, sizeof(prefix), "nfh-test-%d: ", getpid());
	snprintf(dpt, sizeof(dpt), " DPT=%d LEN=", DPORT_PASS);
	r_str(&log, NF_HIPAC_R_LOG_PREFIX, prefix);
	ASSERT_EQ(0, h_append(&self->h, AF_INET, "OUTPUT", &log));
	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, fd);
	lseek(fd, 0, SEEK_END);
	send_both(AF_INET, 20, &dropped, &passed);
	EXPECT_EQ(20, passed);
	while ((n = read(fd, line, sizeof(line) - 1)) > 0 || errno == EPIPE) {
		if (n <= 0)
			continue;
		line[n] = 0;
		if (strstr(line, prefix)) {
			lines++;
			EXPECT_NE(NULL, strstr(line, "SRC=127.0.0.1"));
			EXPECT_NE(NULL, strstr(line, "IN= OUT=lo SRC="));
			EXPECT_NE(NULL, strstr(line, " PROTO=UDP SPT="));
			EXPECT_NE(NULL, strstr(line, dpt));
		}
	}
	close(fd);
	EXPECT_EQ(0, set_log_all_netns("0"));
	/* 20 matched, at most 5 lines per 5 s go out */
	EXPECT_LE(1, lines);
	EXPECT_GE(5, lines);
	ASSERT_EQ(0, h_dump(&self->h, AF_INET, &self->d));
	EXPECT_EQ(20, h_find(&self->d, "OUTPUT", 1)->packets);
}

/* A thousand rules: the dump comes in several parts, all there */
TEST_F(hipac, dump_is_multipart)
{
	struct hrule r;
	int i;

	ASSERT_EQ(0, h_cmd(&self->h, NF_HIPAC_CMD_BEGIN, AF_INET));
	for (i = 0; i < 1000; i++) {
		r = r_port(IPPROTO_TCP, 1000 + i, NF_HIPAC_V_ACCEPT);
		ASSERT_EQ(0, h_append(&self->h, AF_INET, "FORWARD", &r));
	}
	ASSERT_EQ(0, h_cmd(&self->h, NF_HIPAC_CMD_COMMIT, AF_INET));
	ASSERT_EQ(0, h_dump(&self->h, AF_INET, &self->d));
	EXPECT_EQ(1000, h_count_rules(&self->d));
	EXPECT_LT(1, self->d.batches);
	ASSERT_NE(NULL, h_find(&self->d, "FORWARD", 1000));
	r = r_port(IPPROTO_TCP, 1999, NF_HIPAC_V_ACCEPT);
	EXPECT_EQ(0, memcmp(r.buf, h_find(&self->d, "FORWARD", 1000)->nest,
			    r.len));

	/* STATS describes what the commit built */
	ASSERT_EQ(0, h_cmd(&self->h, NF_HIPAC_CMD_STATS, AF_INET));
	EXPECT_EQ(1, stat_u64(&self->h, NF_HIPAC_A_GENERATION));
	EXPECT_EQ(1000, stat_u64(&self->h, NF_HIPAC_A_STAT_RULES));
	EXPECT_EQ(3, stat_u64(&self->h, NF_HIPAC_A_STAT_CHAINS));
	/* each TCP port rule, and ahead of it its two hotdrop rules */
	EXPECT_EQ(3000, stat_u64(&self->h, NF_HIPAC_A_STAT_FLAT_RULES));
	EXPECT_LT(0, stat_u64(&self->h, NF_HIPAC_A_STAT_NODES));
	EXPECT_LT(1000, stat_u64(&self->h, NF_HIPAC_A_STAT_INTERVALS));
	EXPECT_LT(0, stat_u64(&self->h, NF_HIPAC_A_STAT_BYTES));
	EXPECT_LT(0, stat_u64(&self->h, NF_HIPAC_A_STAT_BUILD_NS));
	EXPECT_LT(0, stat_u64(&self->h, NF_HIPAC_A_STAT_MEM_LIMIT));
	TH_LOG("1000 rules: %llu tree bytes, built in %llu us",
	       (unsigned long long)stat_u64(&self->h, NF_HIPAC_A_STAT_BYTES),
	       (unsigned long long)stat_u64(&self->h,
					    NF_HIPAC_A_STAT_BUILD_NS) / 1000);
}

/* Negated IPv6 prefixes and ranges are one interval each: no expansion */
/* A UDP datagram to port 9, its header cut to @l4len bytes, with @mark */
static int send_cut_udp_mark(int l4len, uint32_t mark)
{
	struct raw_pkt p = { IPPROTO_UDP, l4len, 9, mark, 0 };

	return send_raw(&p);
}

static int send_cut_udp(int l4len)
{
	return send_cut_udp_mark(l4len, 0);
}

TEST_F(hipac, truncated_header_is_dropped_as_iptables_does)
{
	struct hrule pass = r_port(IPPROTO_UDP, 9, NF_HIPAC_V_ACCEPT);
	/* a listener, so that no port unreachable meets the policy */
	int fd = udp_bind(AF_INET, 9);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, h_policy(&self->h, AF_INET, "OUTPUT", NF_HIPAC_V_DROP));
	ASSERT_EQ(0, h_append(&self->h, AF_INET, "OUTPUT", &pass));
	/* the whole header: the rule accepts it */
	EXPECT_EQ(0, send_cut_udp(8));
	/* the ports but not the rest: xt_udp's hotdrop, not the policy */
	EXPECT_EQ(EPERM, send_cut_udp(4));
	EXPECT_EQ(EPERM, send_cut_udp(7));
	ASSERT_EQ(0, h_dump(&self->h, AF_INET, &self->d));
	EXPECT_EQ(1, h_find(&self->d, "OUTPUT", 1)->packets);
	EXPECT_EQ(0, h_find(&self->d, "OUTPUT", 0)->packets);
	ASSERT_EQ(0, h_cmd(&self->h, NF_HIPAC_CMD_STATS, AF_INET));
	EXPECT_EQ(2, stat_u64(&self->h, NF_HIPAC_A_STAT_HOTDROPS));
	close(fd);
}

/* -m mark --mark 1 -p udp --dport 9 -j ACCEPT, modules in @order */
static struct hrule mark_udp_rule(const uint8_t *order, uint16_t n_order)
{
	struct hrule r = r_port(IPPROTO_UDP, 9, NF_HIPAC_V_ACCEPT);

	r_u32(&r, NF_HIPAC_R_MARK, 1);
	if (order)
		r_put(&r, NF_HIPAC_R_MATCH_ORDER, order, n_order);
	return r;
}

/*
 * iptables stops at the first match that fails: with -m mark ahead of the
 * udp match, a cut header whose mark differs never reaches udp's hotdrop;
 * with udp first (no order sent: ascending) it does.
 */
TEST_F(hipac, match_order_decides_the_hotdrop)
{
	static const uint8_t mark_first[] = { NF_HIPAC_M_MARK,
					      NF_HIPAC_M_TCP_UDP };
	struct hrule r = mark_udp_rule(mark_first, sizeof(mark_first));
	int fd = udp_bind(AF_INET, 9);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, h_append(&self->h, AF_INET, "OUTPUT", &r));
	ASSERT_EQ(0, h_dump(&self->h, AF_INET, &self->d));
	ASSERT_NE(NULL, h_find(&self->d, "OUTPUT", 1));
	EXPECT_EQ(r.len, h_find(&self->d, "OUTPUT", 1)->nest_len);
	EXPECT_EQ(0, memcmp(r.buf, h_find(&self->d, "OUTPUT", 1)->nest, r.len));
	h_dump_free(&self->d);
	/* mark 0: -m mark fails first, the policy accepts */
	EXPECT_EQ(0, send_cut_udp_mark(4, 0));
	/* mark 1: udp gets to read the header and drops it */
	EXPECT_EQ(EPERM, send_cut_udp_mark(4, 1));
	EXPECT_EQ(0, send_cut_udp_mark(8, 1));
	ASSERT_EQ(0, h_cmd(&self->h, NF_HIPAC_CMD_STATS, AF_INET));
	EXPECT_EQ(1, stat_u64(&self->h, NF_HIPAC_A_STAT_HOTDROPS));

	/* udp first: it drops the cut header whatever the mark */
	r = mark_udp_rule(NULL, 0);
	ASSERT_EQ(0, rule_at(&self->h, NF_HIPAC_CMD_RULE_REPLACE, "OUTPUT", 1,
			     &r));
	EXPECT_EQ(EPERM, send_cut_udp_mark(4, 0));
	EXPECT_EQ(EPERM, send_cut_udp_mark(4, 1));
	EXPECT_EQ(0, send_cut_udp_mark(8, 1));
	ASSERT_EQ(0, h_cmd(&self->h, NF_HIPAC_CMD_STATS, AF_INET));
	EXPECT_EQ(3, stat_u64(&self->h, NF_HIPAC_A_STAT_HOTDROPS));
	ASSERT_EQ(0, h_dump(&self->h, AF_INET, &self->d));
	EXPECT_EQ(1, h_find(&self->d, "OUTPUT", 1)->packets);
	close(fd);
}

/* -p tcp -m multiport --dports 9 -m tcp --dport 9, modules in @order */
static struct hrule mp_tcp_rule(const uint8_t *order, uint16_t n_order)
{
	struct hrule r = r_port(IPPROTO_TCP, 9, NF_HIPAC_V_ACCEPT);
	struct { uint16_t lo, hi; } nine = { 9, 9 };

	r_u8(&r, NF_HIPAC_R_MULTIPORT_DIR, NF_HIPAC_MP_DST);
	r_put(&r, NF_HIPAC_R_MULTIPORT, &nine, sizeof(nine));
	if (order)
		r_put(&r, NF_HIPAC_R_MATCH_ORDER, order, n_order);
	return r;
}

/*
 * A transport match behind another one: multiport drops what it cannot
 * read (3 bytes), tcp only the headers multiport read and matched, and
 * never a fragment (multiport does not match fragments, so tcp does not
 * get to drop one at offset 1).  With tcp first, tcp drops all of them.
 */
TEST_F(hipac, second_transport_match_drops_what_the_first_let_through)
{
	static const uint8_t mp_first[] = { NF_HIPAC_M_MULTIPORT,
					    NF_HIPAC_M_TCP_UDP };
	struct hrule r = mp_tcp_rule(mp_first, sizeof(mp_first));
	struct raw_pkt cut3 = { IPPROTO_TCP, 3, 9, 0, 0 };
	struct raw_pkt cut10 = { IPPROTO_TCP, 10, 9, 0, 0 };
	struct raw_pkt other10 = { IPPROTO_TCP, 10, 10, 0, 0 };
	struct raw_pkt frag1 = { IPPROTO_TCP, 16, 9, 0, 1 };

	ASSERT_EQ(0, h_append(&self->h, AF_INET, "OUTPUT", &r));
	EXPECT_EQ(EPERM, send_raw(&cut3));
	EXPECT_EQ(EPERM, send_raw(&cut10));
	EXPECT_EQ(0, send_raw(&other10));
	EXPECT_EQ(0, send_raw(&frag1));
	ASSERT_EQ(0, h_cmd(&self->h, NF_HIPAC_CMD_STATS, AF_INET));
	EXPECT_EQ(2, stat_u64(&self->h, NF_HIPAC_A_STAT_HOTDROPS));

	r = mp_tcp_rule(NULL, 0);
	ASSERT_EQ(0, rule_at(&self->h, NF_HIPAC_CMD_RULE_REPLACE, "OUTPUT", 1,
			     &r));
	EXPECT_EQ(EPERM, send_raw(&other10));
	EXPECT_EQ(EPERM, send_raw(&frag1));
	ASSERT_EQ(0, h_cmd(&self->h, NF_HIPAC_CMD_STATS, AF_INET));
	EXPECT_EQ(4, stat_u64(&self->h, NF_HIPAC_A_STAT_HOTDROPS));
}

/*
 * Issue 21: -p udp -m udp with no option is a rule with the udp match in
 * it, which iptables-legacy-save prints and which, unlike -p udp alone,
 * matches no non-first fragment and drops a cut header.  The kernel knows
 * the module is there by the match order alone.
 */
TEST_F(hipac, port_match_without_options_is_kept)
{
	static const uint8_t l4[] = { NF_HIPAC_M_TCP_UDP };
	struct hrule r = { .len = 0 };
	struct raw_pkt whole = { IPPROTO_UDP, 8, 9, 0, 0 };
	struct raw_pkt cut = { IPPROTO_UDP, 4, 9, 0, 0 };
	struct raw_pkt later = { IPPROTO_UDP, 8, 9, 0, 2 };
	int fd = udp_bind(AF_INET, 9);

	ASSERT_LE(0, fd);
	r_u8(&r, NF_HIPAC_R_PROTO, IPPROTO_UDP);
	r_put(&r, NF_HIPAC_R_MATCH_ORDER, l4, sizeof(l4));
	r_u32(&r, NF_HIPAC_R_VERDICT, NF_HIPAC_V_DROP);
	ASSERT_EQ(0, h_append(&self->h, AF_INET, "OUTPUT", &r));
	ASSERT_EQ(0, h_dump(&self->h, AF_INET, &self->d));
	ASSERT_NE(NULL, h_find(&self->d, "OUTPUT", 1));
	EXPECT_EQ(r.len, h_find(&self->d, "OUTPUT", 1)->nest_len);
	EXPECT_EQ(0, memcmp(r.buf, h_find(&self->d, "OUTPUT", 1)->nest, r.len));
	h_dump_free(&self->d);

	EXPECT_EQ(EPERM, send_raw(&whole));
	EXPECT_EQ(EPERM, send_raw(&cut));
	/* a non-first fragment: udp does not match it, the policy accepts */
	EXPECT_EQ(0, send_raw(&later));
	ASSERT_EQ(0, h_dump(&self->h, AF_INET, &self->d));
	EXPECT_EQ(1, h_find(&self->d, "OUTPUT", 1)->packets);
	h_dump_free(&self->d);
	ASSERT_EQ(0, h_cmd(&self->h, NF_HIPAC_CMD_STATS, AF_INET));
	EXPECT_EQ(1, stat_u64(&self->h, NF_HIPAC_A_STAT_HOTDROPS));

	/* -p udp alone drops all three and counts them on the rule */
	r.len = 0;
	r_u8(&r, NF_HIPAC_R_PROTO, IPPROTO_UDP);
	r_u32(&r, NF_HIPAC_R_VERDICT, NF_HIPAC_V_DROP);
	ASSERT_EQ(0, rule_at(&self->h, NF_HIPAC_CMD_RULE_REPLACE, "OUTPUT", 1,
			     &r));
	EXPECT_EQ(EPERM, send_raw(&whole));
	EXPECT_EQ(EPERM, send_raw(&cut));
	EXPECT_EQ(EPERM, send_raw(&later));
	ASSERT_EQ(0, h_dump(&self->h, AF_INET, &self->d));
	EXPECT_EQ(3, h_find(&self->d, "OUTPUT", 1)->packets);

	/* the module of a protocol without port match is refused */
	r.len = 0;
	r_u8(&r, NF_HIPAC_R_PROTO, IPPROTO_GRE);
	r_put(&r, NF_HIPAC_R_MATCH_ORDER, l4, sizeof(l4));
	EXPECT_EQ(-EINVAL, h_append(&self->h, AF_INET, "OUTPUT", &r));
	EXPECT_STREQ("OUTPUT rule 2: match order: -m tcp/udp without its options",
		     self->h.reply.extack_msg);
	close(fd);
}

/*
 * Issue 21: DCCP ports (-p dccp --dport, -p dccp -m multiport) are taken
 * and matched as xt_dccp and xt_multiport do: the 12-byte DCCP header is
 * read whole, so a shorter one is dropped by the dccp match.
 */
TEST_F(hipac, dccp_ports_match)
{
	struct hrule r = r_port(IPPROTO_DCCP, 9, NF_HIPAC_V_DROP);
	struct hrule mp = { .len = 0 };
	struct { uint16_t lo, hi; } ports = { 20, 21 };
	struct raw_pkt nine = { IPPROTO_DCCP, 12, 9, 0, 0 };
	struct raw_pkt ten = { IPPROTO_DCCP, 12, 10, 0, 0 };
	struct raw_pkt cut = { IPPROTO_DCCP, 8, 9, 0, 0 };
	struct raw_pkt twenty = { IPPROTO_DCCP, 12, 20, 0, 0 };

	ASSERT_EQ(0, h_append(&self->h, AF_INET, "OUTPUT", &r));
	r_u8(&mp, NF_HIPAC_R_PROTO, IPPROTO_DCCP);
	r_u8(&mp, NF_HIPAC_R_MULTIPORT_DIR, NF_HIPAC_MP_DST);
	r_put(&mp, NF_HIPAC_R_MULTIPORT, &ports, sizeof(ports));
	r_u32(&mp, NF_HIPAC_R_VERDICT, NF_HIPAC_V_DROP);
	ASSERT_EQ(0, h_append(&self->h, AF_INET, "OUTPUT", &mp));
	EXPECT_EQ(EPERM, send_raw(&nine));
	EXPECT_EQ(0, send_raw(&ten));
	/* rule 1's dccp match cannot read the header: dropped, not counted */
	EXPECT_EQ(EPERM, send_raw(&cut));
	ASSERT_EQ(0, h_cmd(&self->h, NF_HIPAC_CMD_STATS, AF_INET));
	EXPECT_EQ(1, stat_u64(&self->h, NF_HIPAC_A_STAT_HOTDROPS));
	EXPECT_EQ(EPERM, send_raw(&twenty));
	ASSERT_EQ(0, h_dump(&self->h, AF_INET, &self->d));
	EXPECT_EQ(1, h_find(&self->d, "OUTPUT", 1)->packets);
	EXPECT_EQ(1, h_find(&self->d, "OUTPUT", 2)->packets);
}

/* An order must name each module of the rule once, and nothing else */
TEST_F(hipac, bad_match_order_is_refused_and_named)
{
	static const struct {
		uint8_t order[4];
		uint16_t n;
		const char *msg;
	} bad[] = {
		/* the first module past the last, whatever their number */
		{ { NF_HIPAC_M_MARK, NF_HIPAC_M_MAX + 1 }, 2,
		  "match order: unknown module %d" },
		{ { 0 }, 1, "match order: unknown module 0" },
		{ { NF_HIPAC_M_MARK, NF_HIPAC_M_TCP_UDP, NF_HIPAC_M_MARK }, 3,
		  "match order: -m mark given twice" },
		{ { NF_HIPAC_M_TCP_UDP, NF_HIPAC_M_TTL, NF_HIPAC_M_MARK }, 3,
		  "match order: -m ttl without its options" },
		{ { NF_HIPAC_M_TCP_UDP }, 1, "match order: -m mark missing" },
	};
	uint8_t too_long[NF_HIPAC_M_MAX + 1];
	char want[128];
	struct hrule r;
	size_t i;

	r = r_port(IPPROTO_UDP, 9, NF_HIPAC_V_ACCEPT);
	ASSERT_EQ(0, h_append(&self->h, AF_INET, "INPUT", &r));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		r = mark_udp_rule(bad[i].order, bad[i].n);
		EXPECT_EQ(-EINVAL, h_append(&self->h, AF_INET, "INPUT", &r));
		snprintf(want, sizeof(want), "INPUT rule 2: %s", bad[i].msg);
		if (!i)
			snprintf(want, sizeof(want),
				 "INPUT rule 2: match order: unknown module %d",
				 NF_HIPAC_M_MAX + 1);
		EXPECT_STREQ(want, self->h.reply.extack_msg);
	}
	/* longer than there are modules: the policy refuses it */
	for (i = 0; i <= NF_HIPAC_M_MAX; i++)
		too_long[i] = i % NF_HIPAC_M_MAX + 1;
	r = mark_udp_rule(too_long, NF_HIPAC_M_MAX + 1);
	EXPECT_EQ(-ERANGE, h_append(&self->h, AF_INET, "INPUT", &r));
	ASSERT_EQ(0, h_dump(&self->h, AF_INET, &self->d));
	EXPECT_EQ(1, h_count_rules(&self->d));
}

TEST_F(hipac, ipv6_address_matches_do_not_multiply)
{
	uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8 }, b[16];
	struct hrule r;
	int i;

	ASSERT_EQ(0, h_cmd(&self->h, NF_HIPAC_CMD_BEGIN, AF_INET6));
	for (i = 0; i < 300; i++) {
		r.len = 0;
		a[5] = i;
		a[15] = i;
		r_put(&r, NF_HIPAC_R_SRC, a, 16);
		r_u8(&r, NF_HIPAC_R_SRC_PLEN, 64 + i % 64);
		r_flag(&r, NF_HIPAC_R_SRC_INV);
		memcpy(b, a, 16);
		b[9] = 0xff;
		r_put(&r, NF_HIPAC_R_DST_RANGE_LO, a, 16);
		r_put(&r, NF_HIPAC_R_DST_RANGE_HI, b, 16);
		if (i % 2)
			r_flag(&r, NF_HIPAC_R_DST_RANGE_INV);
		r_u32(&r, NF_HIPAC_R_VERDICT, NF_HIPAC_V_DROP);
		ASSERT_EQ(0, h_append(&self->h, AF_INET6, "FORWARD", &r));
	}
	ASSERT_EQ(0, h_cmd(&self->h, NF_HIPAC_CMD_COMMIT, AF_INET6));
	ASSERT_EQ(0, h_cmd(&self->h, NF_HIPAC_CMD_STATS, AF_INET6));
	EXPECT_EQ(300, stat_u64(&self->h, NF_HIPAC_A_STAT_FLAT_RULES));
	TH_LOG("300 IPv6 rules: %llu tree bytes, built in %llu us",
	       (unsigned long long)stat_u64(&self->h, NF_HIPAC_A_STAT_BYTES),
	       (unsigned long long)stat_u64(&self->h,
					    NF_HIPAC_A_STAT_BUILD_NS) / 1000);
}

/*
 * Last: rmmod while a child floods lo through the rules of two netns.
 * The netfilter static keys are held over it (nf_keys.sh): the emulator
 * the VM runs on can hang a CPU that meets a jump label being patched.
 */
TEST_F(hipac, unload_under_traffic)
{
	struct hrule drop = r_port(IPPROTO_UDP, DPORT_DROP, NF_HIPAC_V_DROP);
	struct hrule log = r_port(IPPROTO_UDP, DPORT_PASS, NF_HIPAC_V_LOG);
	pid_t pid;
	int status;

	ASSERT_EQ(0, h_append(&self->h, AF_INET, "INPUT", &drop));
	ASSERT_EQ(0, h_append(&self->h, AF_INET, "OUTPUT", &log));
	ASSERT_EQ(0, h_append(&self->h, AF_INET6, "INPUT", &drop));
	/* A transaction left open over the unload */
	ASSERT_EQ(0, h_cmd(&self->h, NF_HIPAC_CMD_BEGIN, AF_INET));
	ASSERT_EQ(0, h_append(&self->h, AF_INET, "FORWARD", &drop));
	ASSERT_EQ(0, klab_run("selftests/lib/nf_keys.sh", "hold"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct timeval t0, t;

		gettimeofday(&t0, NULL);
		do {
			udp_send(AF_INET, DPORT_DROP, 100, PAYLOAD);
			udp_send(AF_INET, DPORT_PASS, 100, PAYLOAD);
			udp_send(AF_INET6, DPORT_DROP, 100, PAYLOAD);
			gettimeofday(&t, NULL);
		} while (t.tv_sec - t0.tv_sec < 2);
		_exit(0);
	}
	usleep(300000);
	EXPECT_EQ(0, klab_run("scripts/modules", "unload nf_hipac"));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	EXPECT_EQ(0, klab_run("selftests/lib/nf_keys.sh", "release"));
	EXPECT_EQ(0, hipac_load());
	genl_test_close(&self->h.sock);
}

TEST_HARNESS_MAIN
