/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generic netlink helpers for the nf_hipac selftests, on libmnl through
 * genl.h: rule nests, change commands, a multi-part DUMP parser, network
 * namespaces and traffic on lo.
 */
#ifndef _KLAB_HIPAC_NL_H
#define _KLAB_HIPAC_NL_H

#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <libmnl/libmnl.h>

#include <klab/hipac.h>

#include "genl.h"

/*
 * A rule's attributes, as they go into NF_HIPAC_A_RULE.  libmnl appends
 * attributes to a message, so a scratch header sits right before them:
 * buf[0..len) is the attribute stream alone, as the kernel dumps it.
 */
struct hrule {
	struct nlmsghdr nlh;
	unsigned char buf[1024];
	uint16_t len;
};

_Static_assert(offsetof(struct hrule, buf) == MNL_NLMSG_HDRLEN,
	       "struct hrule: the attributes follow the header");

static inline void r_put(struct hrule *r, uint16_t type, const void *data,
			 uint16_t len)
{
	/* the kernel dumps zeroed padding: compare like with like */
	memset(r->buf + r->len, 0,
	       sizeof(r->buf) - r->len < MNL_ATTR_HDRLEN + MNL_ALIGN(len) ?
	       sizeof(r->buf) - r->len : MNL_ATTR_HDRLEN + MNL_ALIGN(len));
	r->nlh.nlmsg_len = MNL_NLMSG_HDRLEN + r->len;
	if (!mnl_attr_put_check(&r->nlh, MNL_NLMSG_HDRLEN + sizeof(r->buf),
				type, len, data)) {
		fprintf(stderr, "%s: rule attribute %u does not fit\n",
			__func__, type);
		abort();
	}
	r->len = r->nlh.nlmsg_len - MNL_NLMSG_HDRLEN;
}

static inline void r_u8(struct hrule *r, uint16_t type, uint8_t v)
{
	r_put(r, type, &v, 1);
}

static inline void r_u16(struct hrule *r, uint16_t type, uint16_t v)
{
	r_put(r, type, &v, 2);
}

static inline void r_u32(struct hrule *r, uint16_t type, uint32_t v)
{
	r_put(r, type, &v, 4);
}

static inline void r_flag(struct hrule *r, uint16_t type)
{
	r_put(r, type, NULL, 0);
}

static inline void r_str(struct hrule *r, uint16_t type, const char *s)
{
	r_put(r, type, s, strlen(s) + 1);
}

/* -p @proto --dport @port -j @verdict */
static inline struct hrule r_port(uint8_t proto, uint16_t port,
				  uint32_t verdict)
{
	struct hrule r = { .len = 0 };

	r_u8(&r, NF_HIPAC_R_PROTO, proto);
	r_u16(&r, NF_HIPAC_R_DPORT_LO, port);
	if (verdict != NF_HIPAC_V_NONE)
		r_u32(&r, NF_HIPAC_R_VERDICT, verdict);
	return r;
}

/* A socket of family nf_hipac and the request being built */
struct hctx {
	struct genl_test_sock sock;
	struct genl_test_msg msg;
	struct genl_test_reply reply;
};

static inline int h_open(struct hctx *h)
{
	int err = genl_test_open(&h->sock);

	return err ?: genl_test_resolve(&h->sock, NF_HIPAC_FAMILY_NAME);
}

static inline void h_start(struct hctx *h, uint8_t cmd, uint8_t family)
{
	genl_test_msg_init(&h->msg, h->sock.family_id, cmd,
			   NF_HIPAC_FAMILY_VERSION);
	if (family)
		genl_test_put(&h->msg, NF_HIPAC_A_FAMILY, &family, 1);
}

static inline void h_str(struct hctx *h, uint16_t type, const char *s)
{
	genl_test_put(&h->msg, type, s, strlen(s) + 1);
}

static inline void h_u32(struct hctx *h, uint16_t type, uint32_t v)
{
	genl_test_put(&h->msg, type, &v, 4);
}

/* The rule's attributes, one by one, into a NF_HIPAC_A_RULE nest */
static inline void h_rule(struct hctx *h, const struct hrule *r)
{
	const struct nlattr *attr;
	struct nlattr *nest;

	nest = genl_test_nest_start(&h->msg, NF_HIPAC_A_RULE);
	mnl_attr_for_each_payload((const void *)r->buf, r->len)
		genl_test_put(&h->msg, attr->nla_type,
			      mnl_attr_get_payload(attr),
			      mnl_attr_get_payload_len(attr));
	genl_test_nest_end(&h->msg, nest);
}

/* Send the request; the negative errno of the ack */
static inline int h_send(struct hctx *h)
{
	if (genl_test_request(&h->sock, &h->msg, &h->reply))
		return -EIO;
	return h->reply.error;
}

static inline int h_cmd(struct hctx *h, uint8_t cmd, uint8_t family)
{
	h_start(h, cmd, family);
	return h_send(h);
}

static inline int h_chain_cmd(struct hctx *h, uint8_t cmd, uint8_t family,
			      const char *chain)
{
	h_start(h, cmd, family);
	h_str(h, NF_HIPAC_A_CHAIN, chain);
	return h_send(h);
}

static inline int h_append(struct hctx *h, uint8_t family, const char *chain,
			   const struct hrule *r)
{
	h_start(h, NF_HIPAC_CMD_RULE_APPEND, family);
	h_str(h, NF_HIPAC_A_CHAIN, chain);
	h_rule(h, r);
	return h_send(h);
}

static inline int h_policy(struct hctx *h, uint8_t family, const char *chain,
			   uint32_t policy)
{
	h_start(h, NF_HIPAC_CMD_CHAIN_POLICY, family);
	h_str(h, NF_HIPAC_A_CHAIN, chain);
	h_u32(h, NF_HIPAC_A_POLICY, policy);
	return h_send(h);
}

/* One message of a DUMP: a chain's or a rule's */
struct hentry {
	char chain[NF_HIPAC_CHAIN_MAXLEN + 1];
	uint32_t pos;		/* 0 for a chain's message */
	uint32_t policy, refs;
	unsigned char nest[1024]; /* the rule's attributes but counters */
	uint16_t nest_len;
	uint64_t packets, bytes;
};

struct hdump {
	struct hentry *e;
	int n;
	int cap;
	int batches;		/* recv() calls with data: the parts */
};

/* A u32 or u64 attribute of the last reply (e.g. of CMD_STATS), or ~0 */
static inline uint64_t stat_u64(struct hctx *h, uint16_t type)
{
	uint16_t len;
	const void *v = genl_test_reply_attr(&h->reply, type, &len);
	uint64_t u64;
	uint32_t u32;

	if (!v)
		return ~0ull;
	if (len == 8) {
		memcpy(&u64, v, 8);
		return u64;
	}
	memcpy(&u32, v, 4);
	return u32;
}

static inline void h_dump_free(struct hdump *d)
{
	free(d->e);
	memset(d, 0, sizeof(*d));
}

/* A u32 attribute's value, or 0 when absent or not 4 bytes long */
static inline uint32_t h_attr_u32(const struct nlattr *a)
{
	return a && !mnl_attr_validate(a, MNL_TYPE_U32) ?
	       mnl_attr_get_u32(a) : 0;
}

static inline uint64_t h_attr_u64(const struct nlattr *a)
{
	return a && !mnl_attr_validate(a, MNL_TYPE_U64) ?
	       mnl_attr_get_u64(a) : 0;
}

/* The rule's attributes, verbatim but for its counters and their pad */
static inline void h_parse_rule(struct hentry *e, const struct nlattr *nest)
{
	const struct nlattr *a;
	uint16_t n;

	mnl_attr_for_each_nested(a, nest) {
		switch (mnl_attr_get_type(a)) {
		case NF_HIPAC_R_PACKETS:
			e->packets = h_attr_u64(a);
			break;
		case NF_HIPAC_R_BYTES:
			e->bytes = h_attr_u64(a);
			break;
		case NF_HIPAC_R_PAD:
			break;
		default:
			n = MNL_ALIGN(a->nla_len);
			if (e->nest_len + n > sizeof(e->nest))
				break;
			memcpy(e->nest + e->nest_len, a, n);
			e->nest_len += n;
		}
	}
}

static inline int h_parse_entry(struct hentry *e, const struct nlmsghdr *nlh)
{
	const struct nlattr *tb[NF_HIPAC_A_MAX + 1];

	memset(e, 0, sizeof(*e));
	if (genl_test_parse(nlh, tb, NF_HIPAC_A_MAX))
		return -EBADMSG;
	if (tb[NF_HIPAC_A_CHAIN])
		snprintf(e->chain, sizeof(e->chain), "%s",
			 mnl_attr_get_str(tb[NF_HIPAC_A_CHAIN]));
	e->pos = h_attr_u32(tb[NF_HIPAC_A_POS]);
	e->policy = h_attr_u32(tb[NF_HIPAC_A_POLICY]);
	e->refs = h_attr_u32(tb[NF_HIPAC_A_REFS]);
	e->packets = h_attr_u64(tb[NF_HIPAC_A_PACKETS]);
	e->bytes = h_attr_u64(tb[NF_HIPAC_A_BYTES]);
	if (tb[NF_HIPAC_A_RULE])
		h_parse_rule(e, tb[NF_HIPAC_A_RULE]);
	return 0;
}

/* genl_test_dump()'s callback: one entry per message */
static inline int h_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct hdump *d = data;
	struct hentry *e;

	if (d->n == d->cap) {
		e = realloc(d->e, (d->cap ? 2 * d->cap : 64) * sizeof(*e));
		if (!e) {
			errno = ENOMEM;
			return MNL_CB_ERROR;
		}
		d->e = e;
		d->cap = d->cap ? 2 * d->cap : 64;
	}
	if (h_parse_entry(&d->e[d->n], nlh)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	d->n++;
	return MNL_CB_OK;
}

/* DUMP @family's rule set; 0 or the negative errno */
static inline int h_dump(struct hctx *h, uint8_t family, struct hdump *d)
{
	int err;

	memset(d, 0, sizeof(*d));
	h_start(h, NF_HIPAC_CMD_DUMP, family);
	err = genl_test_dump(&h->sock, &h->msg, h_dump_cb, d);
	d->batches = h->sock.dump_parts;
	return err;
}

/* The entry of rule @pos of @chain (0: the chain's own), or NULL */
static inline const struct hentry *h_find(const struct hdump *d,
					  const char *chain, uint32_t pos)
{
	int i;

	for (i = 0; i < d->n; i++)
		if (!strcmp(d->e[i].chain, chain) && d->e[i].pos == pos)
			return &d->e[i];
	return NULL;
}

/* Attribute @type of @e's rule, as the kernel dumped it; NULL if absent */
static inline const struct nlattr *h_rule_attr(const struct hentry *e,
					       uint16_t type)
{
	const struct nlattr *attr;

	mnl_attr_for_each_payload((const void *)e->nest, e->nest_len)
		if (mnl_attr_get_type(attr) == type)
			return attr;
	return NULL;
}

static inline int h_count_rules(const struct hdump *d)
{
	int i, n = 0;

	for (i = 0; i < d->n; i++)
		n += d->e[i].pos != 0;
	return n;
}

/* Enter a fresh network namespace with lo up */
static inline int netns_fresh(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd, err = 0;

	if (unshare(CLONE_NEWNET))
		return -errno;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		err = -errno;
	ifr.ifr_flags |= IFF_UP;
	if (!err && ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* The loopback address of @family with @port; returns its length */
static inline socklen_t lo_addr(int family, uint16_t port,
				struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return sizeof(*a4);
	}
	a6->sin6_family = AF_INET6;
	a6->sin6_port = htons(port);
	a6->sin6_addr = in6addr_loopback;
	return sizeof(*a6);
}

/* A UDP socket bound to @port on the loopback address of @family */
static inline int udp_bind(int family, uint16_t port)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	struct sockaddr_storage ss;

	if (fd < 0)
		return -errno;
	if (bind(fd, (void *)&ss, lo_addr(family, port, &ss))) {
		close(fd);
		return -errno;
	}
	return fd;
}

/* Send @n datagrams of @len bytes to @port on loopback; sent or -errno */
static inline int udp_send(int family, uint16_t port, int n, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sslen = lo_addr(family, port, &ss);
	char payload[1500] = { 0 };
	int fd, i, sent = 0;

	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	for (i = 0; i < n; i++)
		if (sendto(fd, payload, len, 0, (void *)&ss, sslen) ==
		    (ssize_t)len)
			sent++;
	close(fd);
	return sent;
}

/* Datagrams waiting on @fd */
static inline int udp_drain(int fd)
{
	char buf[2048];
	int n = 0;

	while (recv(fd, buf, sizeof(buf), 0) >= 0)
		n++;
	return n;
}

/* An IPv4 packet to 127.0.0.1 for send_raw() */
struct raw_pkt {
	uint8_t proto;
	int l4len;		/* bytes of transport header (or payload) */
	uint8_t dport;
	uint32_t mark;		/* skb->mark, by SO_MARK */
	uint16_t frag;		/* fragment offset, 8-byte units */
};

/*
 * @p through a raw socket (so that the header can be cut short or be a
 * fragment): 0 if it was sent, else the errno.
 */
static inline int send_raw(const struct raw_pkt *p)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	uint8_t pkt[20 + 20] = { 0x45 };
	int fd, err = 0;

	pkt[3] = 20 + p->l4len;		/* total length */
	pkt[6] = p->frag >> 8;
	pkt[7] = p->frag & 0xff;
	pkt[8] = 64;			/* TTL */
	pkt[9] = p->proto;
	pkt[12] = pkt[16] = 127;
	pkt[15] = pkt[19] = 1;
	pkt[20 + 3] = p->dport;
	if (p->proto == IPPROTO_UDP)
		pkt[20 + 5] = 8;	/* UDP length, no checksum */
	else
		pkt[20 + 12] = 5 << 4;	/* TCP data offset */
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0)
		return errno;
	if (setsockopt(fd, SOL_SOCKET, SO_MARK, &p->mark, sizeof(p->mark)) ||
	    sendto(fd, pkt, 20 + p->l4len, 0, (struct sockaddr *)&to,
		   sizeof(to)) < 0)
		err = errno;
	close(fd);
	return err;
}

/* system() of "$KLAB_ROOT/@script @arg" (@script relative to the root) */
static inline int klab_run(const char *script, const char *arg)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "%s/%s %s", getenv("KLAB_ROOT") ?: ".",
		 script, arg);
	return system(cmd);
}

static inline int hipac_load(void)
{
	return klab_run("scripts/modules", "load nf_hipac");
}

#ifdef __KSELFTEST_HARNESS_H
/*
 * What every genl test starts with (in a fixture's setup or a TEST):
 * nf_hipac loaded, a fresh network namespace with lo up, and @h open on
 * the family.  False (and the test skipped) unless root.
 */
static inline bool hipac_test_enter(struct __test_metadata *_metadata,
				    struct hctx *h)
{
	if (geteuid())
		SKIP(return false, "needs root to load nf_hipac");
	ASSERT_EQ(0, hipac_load());
	ASSERT_EQ(0, netns_fresh());
	ASSERT_EQ(0, h_open(h));
	return true;
}
#endif

#endif /* _KLAB_HIPAC_NL_H */
