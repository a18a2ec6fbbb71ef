// SPDX-License-Identifier: GPL-2.0
/*
 * The notes' facts about netfilter's numbers, shown on the running kernel
 * rather than read from a header:
 *
 * B9, the verdicts a hook returns: DROP 0, ACCEPT 1, STOLEN 2, QUEUE 3,
 * REPEAT 4, STOP 5.  nfnetlink_queue hands a verdict number from user
 * space to the same nf_reinject() that a hook's return value reaches, so
 * each number is sent as a bare integer and its effect observed: an
 * iptables-legacy filter rule queues UDP datagrams sent to loopback, and
 * the security table (a later hook at OUTPUT, priority 50) drops those
 * sent to LATE_DROP_PORT.  STOLEN is not sent: 6.1's nf_reinject()
 * neither frees nor passes on a packet stolen from user space, so the
 * test would leak it.
 *
 * B11, a connection's first packet: conntrack-in (priority -200) gives it
 * an entry that is counted in nf_conntrack_count but not in the table a
 * dump lists until the confirm hook (INT_MAX) runs; the filter queues
 * it in between (priority 0), where it stays until its verdict.  Dropped
 * there, by the verdict or by a filter rule, it leaves nothing.
 *
 * B21, nfnetlink's routing: the high byte of nlmsg_type picks the
 * subsystem, the low byte its message; a dump is a series of NLM_F_MULTI
 * messages ended by NLMSG_DONE.  The same low byte is sent to two
 * subsystems, and a conntrack dump is read to its end.
 *
 * Every test runs in a network namespace of its own.
 */
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "klab_file.h"

#define QUEUE		7
#define QUEUE_OTHER	8
#define PORT		5000	/* queued, nothing later */
#define LATE_DROP_PORT	5001	/* queued, then dropped by the security table */
#define WAIT_MS		300
#define NL_BUF		8192	/* MNL_SOCKET_BUFFER_SIZE is not a constant */

/* A queued packet as the kernel reported it */
struct queued {
	uint16_t msg_type;	/* the whole nlmsg_type */
	uint16_t queue;		/* nfgenmsg.res_id */
	uint32_t id;
	char payload[64];
};

/*
 * The queue socket.  A verdict's ack can come after packets the verdict
 * itself queued (REPEAT, QUEUE), so packets read while waiting for an
 * ack are kept for nfq_next().
 */
struct nfq {
	struct mnl_socket *nl;
	unsigned int seq;
	unsigned int n_pending;
	struct queued pending[8];
	char buf[NL_BUF];
};

static struct nlmsghdr *nfnl_put(char *buf, uint8_t subsys, uint8_t msg,
				 uint16_t flags, uint8_t family, uint16_t res_id)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (subsys << 8) | msg;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = htons(res_id);
	return nlh;
}

static int queued_attr(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_type_valid(attr, NFQA_MAX) > 0)
		tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

/* Keep a queued packet's id, queue and text (after IPv4 and UDP headers) */
static int nfq_keep(struct nfq *q, const struct nlmsghdr *nlh)
{
	const struct nlattr *tb[NFQA_MAX + 1] = { NULL };
	const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
	const struct nfqnl_msg_packet_hdr *ph;
	struct queued *p;
	int len;

	if ((nlh->nlmsg_type & 0xff) != NFQNL_MSG_PACKET ||
	    q->n_pending == sizeof(q->pending) / sizeof(q->pending[0]) ||
	    mnl_attr_parse(nlh, sizeof(*nfg), queued_attr, tb) < 0 ||
	    !tb[NFQA_PACKET_HDR] || !tb[NFQA_PAYLOAD])
		return -1;
	ph = mnl_attr_get_payload(tb[NFQA_PACKET_HDR]);
	p = &q->pending[q->n_pending++];
	memset(p, 0, sizeof(*p));
	p->msg_type = nlh->nlmsg_type;
	p->queue = ntohs(nfg->res_id);
	p->id = ntohl(ph->packet_id);
	len = mnl_attr_get_payload_len(tb[NFQA_PAYLOAD]) - 28;
	if (len > (int)sizeof(p->payload) - 1)
		len = sizeof(p->payload) - 1;
	if (len > 0)
		memcpy(p->payload, (char *)mnl_attr_get_payload(tb[NFQA_PAYLOAD]) + 28, len);
	return 0;
}

/*
 * Read one batch of messages: packets are kept, an ack or error for SEQ
 * ends the wait.  The kernel's errno for SEQ (0: acked), 1 if the batch
 * held no answer to it, or -errno if reading failed.
 */
static int nfq_read(struct nfq *q, unsigned int seq)
{
	const struct nlmsgerr *err;
	struct nlmsghdr *nlh;
	int n, rc = 1;

	n = mnl_socket_recvfrom(q->nl, q->buf, sizeof(q->buf));
	if (n < 0)
		return -errno;
	for (nlh = (struct nlmsghdr *)q->buf; mnl_nlmsg_ok(nlh, n);
	     nlh = mnl_nlmsg_next(nlh, &n)) {
		if (nlh->nlmsg_type != NLMSG_ERROR) {
			if (nfq_keep(q, nlh))
				return -EPROTO;
			continue;
		}
		err = mnl_nlmsg_get_payload(nlh);
		if (nlh->nlmsg_seq == seq)
			rc = -err->error;
	}
	return rc;
}

/* Send a request with NLM_F_ACK; the kernel's errno (0 when acked) */
static int nfq_ack(struct nfq *q, struct nlmsghdr *nlh)
{
	int rc;

	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = ++q->seq;
	if (mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len) < 0)
		return errno;
	do
		rc = nfq_read(q, q->seq);
	while (rc == 1);
	return rc < 0 ? -rc : rc;
}

static int nfq_bind(struct nfq *q, uint16_t queue)
{
	char buf[NL_BUF];
	struct nfqnl_msg_config_cmd cmd = { .command = NFQNL_CFG_CMD_BIND };
	struct nfqnl_msg_config_params params = {
		.copy_range = htonl(sizeof(((struct queued *)0)->payload)),
		.copy_mode = NFQNL_COPY_PACKET,
	};
	struct nlmsghdr *nlh;
	int err;

	nlh = nfnl_put(buf, NFNL_SUBSYS_QUEUE, NFQNL_MSG_CONFIG, 0, AF_UNSPEC, queue);
	mnl_attr_put(nlh, NFQA_CFG_CMD, sizeof(cmd), &cmd);
	err = nfq_ack(q, nlh);
	if (err)
		return err;
	nlh = nfnl_put(buf, NFNL_SUBSYS_QUEUE, NFQNL_MSG_CONFIG, 0, AF_UNSPEC, queue);
	mnl_attr_put(nlh, NFQA_CFG_PARAMS, sizeof(params), &params);
	return nfq_ack(q, nlh);
}

/* A verdict given as the bare number the fact names */
static int nfq_verdict(struct nfq *q, const struct queued *p, uint32_t verdict)
{
	char buf[NL_BUF];
	struct nfqnl_msg_verdict_hdr vh = {
		.verdict = htonl(verdict),
		.id = htonl(p->id),
	};
	struct nlmsghdr *nlh;

	nlh = nfnl_put(buf, NFNL_SUBSYS_QUEUE, NFQNL_MSG_VERDICT, 0, AF_UNSPEC,
		       p->queue);
	mnl_attr_put(nlh, NFQA_VERDICT_HDR, sizeof(vh), &vh);
	return nfq_ack(q, nlh);
}

/* The next queued packet, waiting up to WAIT_MS; 0, or -1 if none came */
static int nfq_next(struct nfq *q, struct queued *p)
{
	struct timeval tv = { .tv_usec = WAIT_MS * 1000 };
	int fd = mnl_socket_get_fd(q->nl), rc = 0;

	if (!q->n_pending) {
		if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
			return -1;
		rc = nfq_read(q, 0);
		tv.tv_usec = 0;
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	if (rc < 0 || !q->n_pending)
		return -1;
	*p = q->pending[0];
	memmove(q->pending, q->pending + 1, --q->n_pending * sizeof(*p));
	return 0;
}

/* A UDP socket bound to 127.0.0.1:port, reads time out after WAIT_MS */
static int udp_bound(uint16_t port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	struct timeval tv = { .tv_usec = WAIT_MS * 1000 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		return -1;
	return fd;
}

static int udp_send(uint16_t port, const char *text)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int fd = socket(AF_INET, SOCK_DGRAM, 0), n;

	if (fd < 0)
		return -1;
	n = sendto(fd, text, strlen(text), 0, (struct sockaddr *)&sin, sizeof(sin));
	close(fd);
	return n == (int)strlen(text) ? 0 : -1;
}

/* 1 if the receiver got TEXT, 0 if nothing came in WAIT_MS */
static int delivered(int fd, const char *text)
{
	char buf[64];
	int n = recv(fd, buf, sizeof(buf) - 1, 0);

	if (n < 0)
		return 0;
	buf[n] = 0;
	return !strcmp(buf, text);
}

static int run(const char *cmd)
{
	int rc = system(cmd);

	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

FIXTURE(nfq) {
	struct nfq q;
	int rx, rx_late;
};

FIXTURE_SETUP(nfq)
{
	ASSERT_EQ(0, run("modprobe -a nfnetlink_queue xt_NFQUEUE iptable_filter iptable_security"));
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, run("ip link set lo up && "
			 "iptables-legacy -A OUTPUT -p udp --dport 5000:5001 -j NFQUEUE --queue-num 7 && "
			 "iptables-legacy -t security -A OUTPUT -p udp --dport 5001 -j DROP"));
	memset(&self->q, 0, sizeof(self->q));
	self->q.nl = mnl_socket_open(NETLINK_NETFILTER);
	ASSERT_NE(NULL, self->q.nl);
	ASSERT_EQ(0, mnl_socket_bind(self->q.nl, 0, MNL_SOCKET_AUTOPID));
	ASSERT_EQ(0, nfq_bind(&self->q, QUEUE));
	self->rx = udp_bound(PORT);
	self->rx_late = udp_bound(LATE_DROP_PORT);
	ASSERT_LE(0, self->rx);
	ASSERT_LE(0, self->rx_late);
}

FIXTURE_TEARDOWN(nfq)
{
	close(self->rx);
	close(self->rx_late);
	mnl_socket_close(self->q.nl);
}

/* Send TEXT to PORT and take it from the queue the filter rule names */
static int queue_one(struct nfq *q, uint16_t port, const char *text,
		     struct queued *p)
{
	if (udp_send(port, text) || nfq_next(q, p))
		return -1;
	return strcmp(p->payload, text) ? -1 : 0;
}

/* B21 too: the queue's messages carry subsystem 3 in the high byte */
TEST_F(nfq, verdict_1_accepts_and_2_is_not_sent)
{
	struct queued p;

	ASSERT_EQ(0, queue_one(&self->q, PORT, "accept", &p));
	EXPECT_EQ((NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET, p.msg_type);
	EXPECT_EQ(3, p.msg_type >> 8);
	EXPECT_EQ(QUEUE, p.queue);
	ASSERT_EQ(0, nfq_verdict(&self->q, &p, 1));
	EXPECT_EQ(1, delivered(self->rx, "accept"));
	TH_LOG("verdict 1 (ACCEPT): delivered; 2 (STOLEN) not sent, 6.1 would leak the packet");
}

TEST_F(nfq, verdict_0_drops)
{
	struct queued p;

	ASSERT_EQ(0, queue_one(&self->q, PORT, "drop", &p));
	ASSERT_EQ(0, nfq_verdict(&self->q, &p, 0));
	EXPECT_EQ(0, delivered(self->rx, "drop"));
}

/* 3 with a queue number in the high 16 bits: queued again, elsewhere */
TEST_F(nfq, verdict_3_queues_to_the_number_above_bit_16)
{
	struct queued p, again;

	ASSERT_EQ(0, nfq_bind(&self->q, QUEUE_OTHER));
	ASSERT_EQ(0, queue_one(&self->q, PORT, "requeue", &p));
	ASSERT_EQ(0, nfq_verdict(&self->q, &p, 3 | QUEUE_OTHER << 16));
	ASSERT_EQ(0, nfq_next(&self->q, &again));
	EXPECT_STREQ("requeue", again.payload);
	EXPECT_EQ(QUEUE_OTHER, again.queue);
	ASSERT_EQ(0, nfq_verdict(&self->q, &again, 1));
	EXPECT_EQ(1, delivered(self->rx, "requeue"));
}

/* 4 calls the same hook again: the filter rule queues the packet anew */
TEST_F(nfq, verdict_4_repeats_the_hook)
{
	struct queued p, again;

	ASSERT_EQ(0, queue_one(&self->q, PORT, "repeat", &p));
	ASSERT_EQ(0, nfq_verdict(&self->q, &p, 4));
	ASSERT_EQ(0, nfq_next(&self->q, &again));
	EXPECT_STREQ("repeat", again.payload);
	EXPECT_NE(p.id, again.id);
	ASSERT_EQ(0, nfq_verdict(&self->q, &again, 1));
	EXPECT_EQ(1, delivered(self->rx, "repeat"));
}

/*
 * 5 accepts without the hooks after this one: the security table's DROP
 * at priority 50 is skipped, while 1 lets it drop the packet
 */
TEST_F(nfq, verdict_5_stops_the_later_hooks)
{
	struct queued p;

	ASSERT_EQ(0, queue_one(&self->q, LATE_DROP_PORT, "late1", &p));
	ASSERT_EQ(0, nfq_verdict(&self->q, &p, 1));
	EXPECT_EQ(0, delivered(self->rx_late, "late1"));
	ASSERT_EQ(0, queue_one(&self->q, LATE_DROP_PORT, "late5", &p));
	ASSERT_EQ(0, nfq_verdict(&self->q, &p, 5));
	EXPECT_EQ(1, delivered(self->rx_late, "late5"));
}

/* Above 5 (NF_MAX_VERDICT) the kernel refuses the number */
TEST_F(nfq, verdict_6_is_refused)
{
	struct queued p;

	ASSERT_EQ(0, queue_one(&self->q, PORT, "six", &p));
	EXPECT_EQ(EINVAL, nfq_verdict(&self->q, &p, 6));
	ASSERT_EQ(0, nfq_verdict(&self->q, &p, 1));
	EXPECT_EQ(1, delivered(self->rx, "six"));
}

struct dump {
	unsigned int msgs, multi, other_type;
	uint16_t type;
};

static int dump_msg(const struct nlmsghdr *nlh, void *data)
{
	struct dump *d = data;

	d->msgs++;
	d->multi += !!(nlh->nlmsg_flags & NLM_F_MULTI);
	d->other_type += nlh->nlmsg_type != d->type;
	return MNL_CB_OK;
}

/*
 * Dump SUBSYS's message MSG; the number of messages before NLMSG_DONE,
 * which mnl_cb_run() reports by returning MNL_CB_STOP, or -1
 */
static int nfnl_dump(uint8_t subsys, uint8_t msg, uint8_t reply, struct dump *d)
{
	char buf[NL_BUF];
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	struct nlmsghdr *nlh;
	unsigned int portid;
	int n, rc = -1;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID))
		goto out;
	portid = mnl_socket_get_portid(nl);
	nlh = nfnl_put(buf, subsys, msg, NLM_F_DUMP, AF_INET, 0);
	nlh->nlmsg_seq = 1;
	memset(d, 0, sizeof(*d));
	d->type = subsys << 8 | reply;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		goto out;
	do {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n <= 0)
			goto out;
		rc = mnl_cb_run(buf, n, 1, portid, dump_msg, d);
	} while (rc == MNL_CB_OK);
	rc = rc == MNL_CB_STOP ? 0 : -1;
out:
	if (nl)
		mnl_socket_close(nl);
	return rc;
}

/*
 * Message 1 of subsystem 1 (ctnetlink) is IPCTNL_MSG_CT_GET, of subsystem
 * 2 (ctnetlink_exp) IPCTNL_MSG_EXP_GET: the same low byte dumps the
 * connections or the expectations, and each dump ends with NLMSG_DONE
 */
TEST(nfnl_routes_on_the_high_byte)
{
	struct dump ct, exp;

	ASSERT_EQ(0, run("modprobe -a nf_conntrack_netlink iptable_filter"));
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	/* a conntrack match makes this namespace track its connections */
	ASSERT_EQ(0, run("ip link set lo up && "
			 "iptables-legacy -A INPUT -m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT"));
	for (int port = 6000; port < 6003; port++)
		ASSERT_EQ(0, udp_send(port, "ct"));
	ASSERT_EQ(0, nfnl_dump(NFNL_SUBSYS_CTNETLINK, 1, IPCTNL_MSG_CT_NEW, &ct));
	ASSERT_EQ(0, nfnl_dump(NFNL_SUBSYS_CTNETLINK_EXP, 1, IPCTNL_MSG_EXP_NEW, &exp));
	TH_LOG("type 0x0101: %u connections, type 0x0201: %u expectations, then NLMSG_DONE",
	       ct.msgs, exp.msgs);
	EXPECT_EQ(3, ct.msgs);
	EXPECT_EQ(ct.msgs, ct.multi);
	EXPECT_EQ(0, ct.other_type);
	EXPECT_EQ(0, exp.msgs);
}

/* This namespace's nf_conntrack_count (the sysctl is per namespace) */
static int ct_count(void)
{
	return (int)klab_file_ll("/proc/sys/net/netfilter/nf_conntrack_count");
}

/* The connections a ctnetlink dump lists, or -1 */
static int ct_listed(void)
{
	struct dump d;

	if (nfnl_dump(NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG_CT_GET, IPCTNL_MSG_CT_NEW, &d))
		return -1;
	return d.msgs;
}

/* A conntrack match (no target) before the queue rule tracks connections */
static int track_connections(void)
{
	return run("modprobe -a nf_conntrack_netlink xt_conntrack && "
		   "iptables-legacy -I OUTPUT -m conntrack --ctstate NEW,ESTABLISHED");
}

/* B11: held in the queue the entry exists, unconfirmed: counted, not listed */
TEST_F(nfq, ct_first_packet_counted_not_listed_until_confirmed)
{
	struct queued p;

	ASSERT_EQ(0, track_connections());
	ASSERT_EQ(0, ct_count());
	ASSERT_EQ(0, queue_one(&self->q, PORT, "unconfirmed", &p));
	EXPECT_EQ(1, ct_count());
	EXPECT_EQ(0, ct_listed());
	ASSERT_EQ(0, nfq_verdict(&self->q, &p, NF_ACCEPT));
	EXPECT_EQ(1, delivered(self->rx, "unconfirmed"));
	EXPECT_EQ(1, ct_count());
	EXPECT_EQ(1, ct_listed());
}

/* B11: a first packet dropped by the queue's verdict or a filter rule */
TEST_F(nfq, ct_dropped_first_packet_leaves_nothing)
{
	struct queued p;

	ASSERT_EQ(0, track_connections());
	ASSERT_EQ(0, queue_one(&self->q, PORT, "dropped", &p));
	EXPECT_EQ(1, ct_count());
	ASSERT_EQ(0, nfq_verdict(&self->q, &p, NF_DROP));
	EXPECT_EQ(0, ct_count());
	EXPECT_EQ(0, ct_listed());
	ASSERT_EQ(0, run("iptables-legacy -A OUTPUT -p udp --dport 5002 -j DROP"));
	/* the filter's drop fails the send (EPERM): nothing to check there */
	udp_send(5002, "filtered");
	EXPECT_EQ(0, ct_count());
	EXPECT_EQ(0, ct_listed());
	/* the rule did see a packet, whose entry went with it */
	EXPECT_EQ(0, run("iptables-legacy -L OUTPUT -v -x -n | "
			 "grep -q '^ *1 .*DROP.*dpt:5002'"));
}

TEST_HARNESS_MAIN
