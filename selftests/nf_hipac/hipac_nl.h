/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Raw generic netlink helpers for the nf_hipac selftests: rule nests,
 * change commands, a multi-part DUMP parser, network namespaces and
 * traffic on lo.
 */
#ifndef _KLAB_HIPAC_NL_H
#define _KLAB_HIPAC_NL_H

#include <arpa/inet.h>
#include <errno.h>
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

#include <klab/hipac.h>

#include "genl.h"

/* A rule's attributes, as they go into NF_HIPAC_A_RULE */
struct hrule {
	unsigned char buf[1024];
	uint16_t len;
};

static inline void r_put(struct hrule *r, uint16_t type, const void *data,
			 uint16_t len)
{
	struct nlattr *nla = (struct nlattr *)(r->buf + r->len);

	nla->nla_type = type;
	nla->nla_len = NLA_HDRLEN + len;
	memset((char *)nla + NLA_HDRLEN, 0, NLA_ALIGN(len));
	memcpy((char *)nla + NLA_HDRLEN, data, len);
	r->len += NLA_ALIGN(nla->nla_len);
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

static inline void h_rule(struct hctx *h, const struct hrule *r)
{
	genl_test_put(&h->msg, NF_HIPAC_A_RULE | NLA_F_NESTED, r->buf, r->len);
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

static inline void h_dump_free(struct hdump *d)
{
	free(d->e);
	memset(d, 0, sizeof(*d));
}

static inline uint64_t h_u64(const struct nlattr *a)
{
	uint64_t v;

	memcpy(&v, (const char *)a + NLA_HDRLEN, 8);
	return v;
}

static inline void h_parse_rule(struct hentry *e, const struct nlattr *nest)
{
	const unsigned char *p = (const unsigned char *)nest + NLA_HDRLEN;
	size_t len = nest->nla_len - NLA_HDRLEN, off = 0;
	const struct nlattr *a;

	while (off + NLA_HDRLEN <= len) {
		a = (const struct nlattr *)(p + off);
		if (a->nla_type == NF_HIPAC_R_PACKETS)
			e->packets = h_u64(a);
		else if (a->nla_type == NF_HIPAC_R_BYTES)
			e->bytes = h_u64(a);
		else if (a->nla_type != NF_HIPAC_R_PAD &&
			 e->nest_len + NLA_ALIGN(a->nla_len) <= sizeof(e->nest)) {
			memcpy(e->nest + e->nest_len, a, NLA_ALIGN(a->nla_len));
			e->nest_len += NLA_ALIGN(a->nla_len);
		}
		off += NLA_ALIGN(a->nla_len);
	}
}

static inline void h_parse_entry(struct hentry *e, const struct nlmsghdr *nlh)
{
	const unsigned char *p = (const unsigned char *)NLMSG_DATA(nlh) +
				 GENL_HDRLEN;
	size_t len = nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), off = 0;
	const struct nlattr *a;
	const char *v;

	memset(e, 0, sizeof(*e));
	while (off + NLA_HDRLEN <= len) {
		a = (const struct nlattr *)(p + off);
		v = (const char *)a + NLA_HDRLEN;
		switch (a->nla_type & NLA_TYPE_MASK) {
		case NF_HIPAC_A_CHAIN:
			snprintf(e->chain, sizeof(e->chain), "%s", v);
			break;
		case NF_HIPAC_A_POS:
			memcpy(&e->pos, v, 4);
			break;
		case NF_HIPAC_A_POLICY:
			memcpy(&e->policy, v, 4);
			break;
		case NF_HIPAC_A_REFS:
			memcpy(&e->refs, v, 4);
			break;
		case NF_HIPAC_A_PACKETS:
			e->packets = h_u64(a);
			break;
		case NF_HIPAC_A_BYTES:
			e->bytes = h_u64(a);
			break;
		case NF_HIPAC_A_RULE:
			h_parse_rule(e, a);
			break;
		}
		off += NLA_ALIGN(a->nla_len);
	}
}

/* DUMP @family's rule set; 0 or the negative errno */
static inline int h_dump(struct hctx *h, uint8_t family, struct hdump *d)
{
	static unsigned char buf[1 << 16];
	struct nlmsghdr *nlh;
	ssize_t n;

	memset(d, 0, sizeof(*d));
	h_start(h, NF_HIPAC_CMD_DUMP, family);
	nlh = (struct nlmsghdr *)h->msg.buf;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_len = h->msg.len;
	nlh->nlmsg_seq = ++h->sock.seq;
	if (send(h->sock.fd, h->msg.buf, h->msg.len, 0) < 0)
		return -errno;
	for (;;) {
		n = recv(h->sock.fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		d->batches++;
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_seq != h->sock.seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (nlh->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(nlh))->error;
			if (d->n == d->cap) {
				d->cap = d->cap ? 2 * d->cap : 64;
				d->e = realloc(d->e, d->cap * sizeof(*d->e));
				if (!d->e)
					return -ENOMEM;
			}
			h_parse_entry(&d->e[d->n++], nlh);
		}
	}
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

/* A UDP socket bound to @port on the loopback address of @family */
static inline int udp_bind(int family, uint16_t port)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port),
				   .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in a4 = { .sin_family = AF_INET,
				  .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -errno;
	if (family == AF_INET ? bind(fd, (void *)&a4, sizeof(a4)) :
				bind(fd, (void *)&a6, sizeof(a6))) {
		close(fd);
		return -errno;
	}
	return fd;
}

/* Send @n datagrams of @len bytes to @port on loopback; sent or -errno */
static inline int udp_send(int family, uint16_t port, int n, size_t len)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port),
				   .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in a4 = { .sin_family = AF_INET,
				  .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	char payload[1500] = { 0 };
	int fd, i, sent = 0;

	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		if ((family == AF_INET ?
		     sendto(fd, payload, len, 0, (void *)&a4, sizeof(a4)) :
		     sendto(fd, payload, len, 0, (void *)&a6, sizeof(a6))) ==
		    (ssize_t)len)
			sent++;
	}
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

static inline int hipac_load(void)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "%s/scripts/modules load nf_hipac",
		 getenv("KLAB_ROOT") ?: ".");
	return system(cmd);
}

#endif /* _KLAB_HIPAC_NL_H */
