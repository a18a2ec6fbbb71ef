// SPDX-License-Identifier: GPL-2.0
/*
 * nf_hipac rules with xtables extensions, through raw generic netlink:
 * an xtables match that fails lets the packet fall through to the next
 * rule, a non-terminal xtables target (MARK) goes on and the native
 * matches after it see what it changed, an extension's state (limit)
 * survives a commit that keeps its rule, an extension's hotdrop drops
 * the packet, the extension's module is held while the rule lives, and
 * checkentry failures come back as extack messages naming the rule; a
 * packet runs the extensions of only the rules whose native part it
 * matches (NF_HIPAC_A_STAT_XT_RUNS).
 * Every test runs in a fresh namespace.
 */
#include <arpa/inet.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_limit.h>
#include <linux/netfilter/xt_mark.h>
#include <linux/netfilter/xt_tcpudp.h>

#include "kselftest_harness.h"
#include "hipac_nl.h"
#include "klab_file.h"

#define PORT		9997
#define PAYLOAD		64
#define N		20

FIXTURE(xt) {
	struct hctx h;
	struct hdump d;
};

FIXTURE_SETUP(xt)
{
	hipac_test_enter(_metadata, &self->h);
}

FIXTURE_TEARDOWN(xt)
{
	h_dump_free(&self->d);
	genl_test_close(&self->h.sock);
}

/*
 * One NF_HIPAC_XT_* nest's payload: name, revision, and @size bytes of
 * data, the @len of @data zero-padded (XT_ALIGN(), as in an ipt_entry)
 */
static void xt_ext_sized(struct hrule *x, const char *name, uint8_t rev,
			 const void *data, size_t len, uint16_t size)
{
	unsigned char buf[256] = { 0 };

	if (len)
		memcpy(buf, data, len < size ? len : size);
	x->len = 0;
	r_str(x, NF_HIPAC_XT_NAME, name);
	r_u8(x, NF_HIPAC_XT_REVISION, rev);
	r_put(x, NF_HIPAC_XT_DATA, buf, size);
}

static void xt_ext(struct hrule *x, const char *name, uint8_t rev,
		   const void *data, size_t len)
{
	xt_ext_sized(x, name, rev, data, len, XT_ALIGN(len));
}

/* Append R_XT_MATCHES with the one match @m */
static void r_xt_match(struct hrule *r, const struct hrule *m)
{
	struct hrule list = { .len = 0 };

	r_put(&list, 1 | NLA_F_NESTED, m->buf, m->len);
	r_put(r, NF_HIPAC_R_XT_MATCHES | NLA_F_NESTED, list.buf, list.len);
}

static void r_xt_target(struct hrule *r, const struct hrule *t)
{
	r_put(r, NF_HIPAC_R_XT_TARGET | NLA_F_NESTED, t->buf, t->len);
}

/* -m mark --mark @mark (xt_mark revision 1) */
static struct hrule xt_mark(uint32_t mark)
{
	struct xt_mark_mtinfo1 info = { .mark = mark, .mask = ~0U };
	struct hrule m;

	xt_ext(&m, "mark", 1, &info, sizeof(info));
	return m;
}

/* Send @n datagrams to PORT on loopback with SO_MARK @mark; arrived */
static int send_marked(int family, uint32_t mark, int n)
{
	struct sockaddr_storage ss;
	socklen_t sslen = lo_addr(family, PORT, &ss);
	char payload[PAYLOAD] = { 0 };
	int rx = udp_bind(family, PORT), fd, i, got;

	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || rx < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)))
		return -1;
	for (i = 0; i < n; i++)
		sendto(fd, payload, sizeof(payload), 0, (void *)&ss, sslen);
	close(fd);
	usleep(20000);
	got = udp_drain(rx);
	close(rx);
	return got;
}

static uint64_t rule_packets(struct __test_metadata *_metadata,
			     FIXTURE_DATA(xt) *self, int family,
			     const char *chain, uint32_t pos)
{
	const struct hentry *e;
	uint64_t packets;

	h_dump_free(&self->d);
	if (h_dump(&self->h, family, &self->d))
		return UINT64_MAX;
	e = h_find(&self->d, chain, pos);
	packets = e ? e->packets : UINT64_MAX;
	h_dump_free(&self->d);
	return packets;
}

static void mark_falls_through(struct __test_metadata *_metadata,
			       FIXTURE_DATA(xt) *self, int family)
{
	struct hrule r = r_port(IPPROTO_UDP, PORT, NF_HIPAC_V_DROP);
	struct hrule m = xt_mark(5);
	const struct hentry *e;

	r_xt_match(&r, &m);
	ASSERT_EQ(0, h_append(&self->h, family, "OUTPUT", &r));
	/* dumped as sent */
	ASSERT_EQ(0, h_dump(&self->h, family, &self->d));
	e = h_find(&self->d, "OUTPUT", 1);
	ASSERT_NE(NULL, e);
	ASSERT_EQ(r.len, e->nest_len);
	EXPECT_EQ(0, memcmp(r.buf, e->nest, r.len));
	h_dump_free(&self->d);

	/* mark 6: the xtables match fails, the packet goes on */
	EXPECT_EQ(N, send_marked(family, 6, N));
	EXPECT_EQ(0, rule_packets(_metadata, self, family, "OUTPUT", 1));
	/* mark 5: dropped, counted */
	EXPECT_EQ(0, send_marked(family, 5, N));
	EXPECT_EQ(N, rule_packets(_metadata, self, family, "OUTPUT", 1));
}

TEST_F(xt, ipv4_mark_match_falls_through)
{
	mark_falls_through(_metadata, self, AF_INET);
}

TEST_F(xt, ipv6_mark_match_falls_through)
{
	mark_falls_through(_metadata, self, AF_INET6);
}

/* NF_HIPAC_A_STAT_XT_RUNS of @family's filter table, or ~0 */
static uint64_t xt_runs(struct hctx *h, int family)
{
	if (h_cmd(h, NF_HIPAC_CMD_STATS, family))
		return ~0ull;
	return stat_u64(h, NF_HIPAC_A_STAT_XT_RUNS);
}

/*
 * The tree classifies an extension rule's native part like any rule's:
 * a packet runs the xtables matches of the rules whose native part it
 * matches, in order, up to the rule that decides, and of no other.  Five
 * OUTPUT rules with -m mark --mark M; datagrams to PORT with mark 0:
 *   1. -p udp --dport PORT+1, M 0, DROP: native miss, not run
 *   2. -p tcp --dport PORT, M 0, DROP: native miss, not run
 *   3. -p udp --dport PORT, M 6, DROP: run, misses, the walk goes on
 *   4. -p udp --dport PORT, M 0, ACCEPT: run, matches, decides
 *   5. -p udp --dport PORT, M 0, DROP: after the decider, not run
 * so two runs per datagram, and the counters of iptables.
 */
static void xt_runs_where_native_matches(struct __test_metadata *_metadata,
					 FIXTURE_DATA(xt) *self, int family)
{
	static const struct {
		uint8_t proto;
		uint16_t port;
		uint32_t mark, verdict;
		uint64_t packets;
	} rules[] = {
		{ IPPROTO_UDP, PORT + 1, 0, NF_HIPAC_V_DROP, 0 },
		{ IPPROTO_TCP, PORT, 0, NF_HIPAC_V_DROP, 0 },
		{ IPPROTO_UDP, PORT, 6, NF_HIPAC_V_DROP, 0 },
		{ IPPROTO_UDP, PORT, 0, NF_HIPAC_V_ACCEPT, N },
		{ IPPROTO_UDP, PORT, 0, NF_HIPAC_V_DROP, 0 },
	};
	struct hrule r, m;
	uint32_t i;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		r = r_port(rules[i].proto, rules[i].port, rules[i].verdict);
		m = xt_mark(rules[i].mark);
		r_xt_match(&r, &m);
		ASSERT_EQ(0, h_append(&self->h, family, "OUTPUT", &r));
	}
	EXPECT_EQ(0, xt_runs(&self->h, family));
	EXPECT_EQ(N, send_marked(family, 0, N));
	EXPECT_EQ(2 * N, xt_runs(&self->h, family));
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		EXPECT_EQ(rules[i].packets,
			  rule_packets(_metadata, self, family, "OUTPUT",
				       i + 1))
			TH_LOG("rule %u", i + 1);
	}
}

TEST_F(xt, ipv4_extensions_run_only_where_the_native_part_matches)
{
	xt_runs_where_native_matches(_metadata, self, AF_INET);
}

TEST_F(xt, ipv6_extensions_run_only_where_the_native_part_matches)
{
	xt_runs_where_native_matches(_metadata, self, AF_INET6);
}

/*
 * -j MARK --set-mark 7 goes on to the next rule, whose native -m mark
 * --mark 7 sees the new mark, as in iptables
 */
TEST_F(xt, mark_target_continues_with_the_new_mark)
{
	struct xt_mark_tginfo2 tg = { .mark = 7, .mask = ~0U };
	struct hrule set = r_port(IPPROTO_UDP, PORT, NF_HIPAC_V_NONE);
	struct hrule drop = r_port(IPPROTO_UDP, PORT, NF_HIPAC_V_DROP);
	struct hrule t;

	xt_ext(&t, "MARK", 2, &tg, sizeof(tg));
	r_xt_target(&set, &t);
	r_u32(&drop, NF_HIPAC_R_MARK, 7);
	ASSERT_EQ(0, h_append(&self->h, AF_INET, "OUTPUT", &set));
	ASSERT_EQ(0, h_append(&self->h, AF_INET, "OUTPUT", &drop));
	EXPECT_EQ(0, send_marked(AF_INET, 0, N));
	EXPECT_EQ(N, rule_packets(_metadata, self, AF_INET, "OUTPUT", 1));
	EXPECT_EQ(N, rule_packets(_metadata, self, AF_INET, "OUTPUT", 2));
}

/*
 * -m limit --limit 1/hour --limit-burst 3: three datagrams of a burst
 * pass; its tokens are the rule's, so a commit that keeps the rule keeps
 * them spent.  The rule holds xt_limit; a flush releases it.
 */
TEST_F(xt, limit_state_survives_commits)
{
	struct xt_rateinfo info = {
		.avg = XT_LIMIT_SCALE * 3600, .burst = 3,
	};
	struct hrule acc = r_port(IPPROTO_UDP, PORT, NF_HIPAC_V_ACCEPT);
	struct hrule drop = r_port(IPPROTO_UDP, PORT, NF_HIPAC_V_DROP);
	struct hrule other = r_port(IPPROTO_TCP, 1, NF_HIPAC_V_DROP);
	struct hrule m;
	long long ref;
	int i;

	xt_ext(&m, "limit", 0, &info, sizeof(info));
	r_xt_match(&acc, &m);
	ASSERT_EQ(0, h_append(&self->h, AF_INET, "OUTPUT", &acc));
	ASSERT_EQ(0, h_append(&self->h, AF_INET, "OUTPUT", &drop));
	ref = klab_module_refcnt("xt_limit");
	EXPECT_LE(1, ref);

	EXPECT_EQ(3, send_marked(AF_INET, 0, 5));
	ASSERT_EQ(0, h_append(&self->h, AF_INET, "OUTPUT", &other));
	EXPECT_EQ(0, send_marked(AF_INET, 0, 5));
	EXPECT_EQ(3, rule_packets(_metadata, self, AF_INET, "OUTPUT", 1));
	EXPECT_EQ(7, rule_packets(_metadata, self, AF_INET, "OUTPUT", 2));

	ASSERT_EQ(0, h_cmd(&self->h, NF_HIPAC_CMD_FLUSH, AF_INET));
	/* the replaced rule set goes after a grace period: up to 5 s */
	for (i = 0; i < 50 && klab_module_refcnt("xt_limit") != ref - 1; i++)
		usleep(100000);
	EXPECT_EQ(ref - 1, klab_module_refcnt("xt_limit"));
}

/*
 * -p udp -m udp --dport 9 -j ACCEPT with xtables' udp match (not the
 * native one): a header cut short is its hotdrop, dropped and uncounted,
 * not a miss that the ACCEPT policy would let through
 */
TEST_F(xt, hotdrop_drops_the_packet)
{
	struct xt_udp info = { .spts = { 0, 0xffff }, .dpts = { 9, 9 } };
	struct hrule r = { .len = 0 };
	struct raw_pkt whole = { IPPROTO_UDP, 8, 9, 0, 0 };
	struct raw_pkt other = { IPPROTO_UDP, 8, 10, 0, 0 };
	struct raw_pkt cut = { IPPROTO_UDP, 4, 9, 0, 0 };
	struct hrule m;

	r_u8(&r, NF_HIPAC_R_PROTO, IPPROTO_UDP);
	r_u32(&r, NF_HIPAC_R_VERDICT, NF_HIPAC_V_ACCEPT);
	xt_ext(&m, "udp", 0, &info, sizeof(info));
	r_xt_match(&r, &m);
	ASSERT_EQ(0, h_append(&self->h, AF_INET, "OUTPUT", &r));
	EXPECT_EQ(0, send_raw(&whole));
	EXPECT_EQ(0, send_raw(&other));
	EXPECT_EQ(EPERM, send_raw(&cut));
	EXPECT_EQ(1, rule_packets(_metadata, self, AF_INET, "OUTPUT", 1));
}

/* Unknown extensions and failing checkentry: refused, the rule named */
TEST_F(xt, bad_extensions_are_refused_naming_the_rule)
{
	struct xt_mark_mtinfo1 info = { .mark = 1, .mask = ~0U };
	struct hrule ok = r_port(IPPROTO_UDP, PORT, NF_HIPAC_V_NONE);
	struct hrule r, m;

	ASSERT_EQ(0, h_append(&self->h, AF_INET, "INPUT", &ok));

	r = r_port(IPPROTO_UDP, PORT, NF_HIPAC_V_DROP);
	xt_ext_sized(&m, "nosuchmatch", 0, NULL, 0, 0);
	r_xt_match(&r, &m);
	EXPECT_EQ(-ENOENT, h_append(&self->h, AF_INET, "INPUT", &r));
	EXPECT_STREQ("INPUT rule 2: -m nosuchmatch: Couldn't load match `nosuchmatch' (revision 0)",
		     self->h.reply.extack_msg);

	/* xt_mark's data is 12 bytes aligned to 16: 4 is refused */
	r = r_port(IPPROTO_UDP, PORT, NF_HIPAC_V_DROP);
	xt_ext_sized(&m, "mark", 1, &info, sizeof(info), 4);
	r_xt_match(&r, &m);
	EXPECT_EQ(-EINVAL, h_append(&self->h, AF_INET, "INPUT", &r));
	EXPECT_STREQ("INPUT rule 2: -m mark: checkentry failed (-22, see the kernel log)",
		     self->h.reply.extack_msg);

	/* a target both xtables and native */
	r = r_port(IPPROTO_UDP, PORT, NF_HIPAC_V_DROP);
	m = xt_mark(1);
	r_xt_target(&r, &m);
	EXPECT_EQ(-EINVAL, h_append(&self->h, AF_INET, "INPUT", &r));
	EXPECT_STREQ("INPUT rule 2: an xtables target and a verdict",
		     self->h.reply.extack_msg);

	/* nothing of it stayed */
	EXPECT_EQ(0, h_dump(&self->h, AF_INET, &self->d));
	EXPECT_EQ(1, h_count_rules(&self->d));
}

TEST_HARNESS_MAIN
