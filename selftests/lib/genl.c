// SPDX-License-Identifier: GPL-2.0
/* A small generic netlink client for klab's C selftests: see genl.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "genl.h"

/* Room for the biggest batch a dump sends (the kernel caps it at 32 KiB) */
#define GENL_TEST_DUMP_BUFSZ (1 << 16)

int genl_test_open(struct genl_test_sock *s)
{
	int one = 1, err;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->nl = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!s->nl)
		return -errno;
	if (mnl_socket_setsockopt(s->nl, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    mnl_socket_setsockopt(s->nl, NETLINK_CAP_ACK, &one, sizeof(one)) ||
	    mnl_socket_bind(s->nl, 0, MNL_SOCKET_AUTOPID)) {
		err = -errno;
		mnl_socket_close(s->nl);
		s->nl = NULL;
		return err;
	}
	s->fd = mnl_socket_get_fd(s->nl);
	s->portid = mnl_socket_get_portid(s->nl);
	return 0;
}

void genl_test_close(struct genl_test_sock *s)
{
	if (s->nl)
		mnl_socket_close(s->nl);
	s->nl = NULL;
	s->fd = -1;
}

void genl_test_msg_init(struct genl_test_msg *m, uint16_t family_id,
			uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	memset(m->buf, 0, sizeof(m->buf));
	nlh = mnl_nlmsg_put_header(m->buf);
	nlh->nlmsg_type = family_id;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	m->len = nlh->nlmsg_len;
}

static struct nlmsghdr *msg_nlh(struct genl_test_msg *m)
{
	return (struct nlmsghdr *)m->buf;
}

size_t genl_test_put(struct genl_test_msg *m, uint16_t type,
		     const void *data, uint16_t len)
{
	struct nlmsghdr *nlh = msg_nlh(m);
	size_t offs = nlh->nlmsg_len;

	if (!mnl_attr_put_check(nlh, sizeof(m->buf), type, len, data)) {
		fprintf(stderr, "%s: attribute %u of %u bytes overflows the message\n",
			__func__, type, len);
		abort();
	}
	m->len = nlh->nlmsg_len;
	return offs;
}

struct nlattr *genl_test_nest_start(struct genl_test_msg *m, uint16_t type)
{
	struct nlattr *nest;

	nest = mnl_attr_nest_start_check(msg_nlh(m), sizeof(m->buf), type);
	if (!nest) {
		fprintf(stderr, "%s: nest %u overflows the message\n",
			__func__, type);
		abort();
	}
	m->len = msg_nlh(m)->nlmsg_len;
	return nest;
}

void genl_test_nest_end(struct genl_test_msg *m, struct nlattr *nest)
{
	mnl_attr_nest_end(msg_nlh(m), nest);
}

/* Where a request's replies go while mnl_cb_run() walks them */
struct recv_ctx {
	uint32_t seq;
	struct genl_test_reply *r;	/* genl_test_request(), or NULL */
	mnl_cb_t cb;			/* genl_test_dump()'s callback */
	void *data;
	int error;			/* what the ack or NLMSG_DONE said */
};

static int ack_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_type_valid(attr, NLMSGERR_ATTR_MAX) > 0)
		tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

/* The extended ack of @nlh (an NLMSG_ERROR or NLMSG_DONE) into @r */
static void parse_ack_tlvs(const struct nlmsghdr *nlh, size_t hdr,
			   struct genl_test_reply *r)
{
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { NULL };
	size_t n;

	if (!r || !(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    nlh->nlmsg_len <= hdr)
		return;
	mnl_attr_parse_payload((const char *)nlh + hdr, nlh->nlmsg_len - hdr,
			       ack_attr_cb, tb);
	if (tb[NLMSGERR_ATTR_MSG]) {
		n = mnl_attr_get_payload_len(tb[NLMSGERR_ATTR_MSG]);
		if (n >= sizeof(r->extack_msg))
			n = sizeof(r->extack_msg) - 1;
		memcpy(r->extack_msg, mnl_attr_get_payload(tb[NLMSGERR_ATTR_MSG]),
		       n);
		r->extack_msg[n] = '\0';
	}
	if (tb[NLMSGERR_ATTR_OFFS] &&
	    !mnl_attr_validate(tb[NLMSGERR_ATTR_OFFS], MNL_TYPE_U32))
		r->extack_offs = mnl_attr_get_u32(tb[NLMSGERR_ATTR_OFFS]);
}

/*
 * A reply of an earlier request that was given up on is skipped rather
 * than taken for an error, so every callback checks the sequence number
 * itself and mnl_cb_run() is given 0.
 */
static bool stale(const struct nlmsghdr *nlh, const struct recv_ctx *c)
{
	return nlh->nlmsg_seq != c->seq;
}

static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	struct recv_ctx *c = data;
	size_t hdr = MNL_NLMSG_HDRLEN + sizeof(*err);

	if (stale(nlh, c))
		return MNL_CB_OK;
	if (nlh->nlmsg_len < hdr) {
		c->error = -EBADMSG;
		return MNL_CB_STOP;
	}
	c->error = err->error;
	/* Without NLM_F_CAPPED the request is echoed before the TLVs */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		hdr += err->msg.nlmsg_len - sizeof(err->msg);
	parse_ack_tlvs(nlh, hdr, c->r);
	return MNL_CB_STOP;
}

static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct recv_ctx *c = data;
	size_t hdr = MNL_NLMSG_HDRLEN + sizeof(int);

	if (stale(nlh, c))
		return MNL_CB_OK;
	c->error = 0;
	if (nlh->nlmsg_len >= hdr)
		c->error = *(const int *)mnl_nlmsg_get_payload(nlh);
	parse_ack_tlvs(nlh, hdr, c->r);
	return MNL_CB_STOP;
}

static int noop_cb(const struct nlmsghdr *nlh, void *data)
{
	return MNL_CB_OK;
}

/* libmnl takes the table as non-const */
static mnl_cb_t ctl_cbs[NLMSG_MIN_TYPE] = {
	[NLMSG_NOOP] = noop_cb,
	[NLMSG_ERROR] = error_cb,
	[NLMSG_DONE] = done_cb,
	[NLMSG_OVERRUN] = noop_cb,
};

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct recv_ctx *c = data;

	if (stale(nlh, c))
		return MNL_CB_OK;
	if (c->cb)
		return c->cb(nlh, c->data);
	if (c->r && nlh->nlmsg_len <= sizeof(c->r->data)) {
		memcpy(c->r->data, nlh, nlh->nlmsg_len);
		c->r->data_len = nlh->nlmsg_len;
	}
	return MNL_CB_OK;
}

/*
 * Send @m and run the replies through @c until the ack or NLMSG_DONE;
 * @parts counts the recv() batches.
 */
static int send_and_run(struct genl_test_sock *s, struct genl_test_msg *m,
			struct recv_ctx *c, void *buf, size_t bufsz,
			unsigned int *parts)
{
	struct nlmsghdr *nlh = msg_nlh(m);
	ssize_t n;
	int ret;

	nlh->nlmsg_len = m->len;
	nlh->nlmsg_seq = ++s->seq;
	c->seq = s->seq;
	if (mnl_socket_sendto(s->nl, m->buf, m->len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(s->nl, buf, bufsz);
		if (n < 0)
			return -errno;
		++*parts;
		errno = 0;
		ret = mnl_cb_run2(buf, n, 0, s->portid, data_cb, c, ctl_cbs,
				  MNL_ARRAY_SIZE(ctl_cbs));
		if (ret < 0)
			return errno ? -errno : -EPROTO;
	} while (ret > MNL_CB_STOP);
	return 0;
}

int genl_test_set_timeout(struct genl_test_sock *s, unsigned int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000,
			      .tv_usec = (ms % 1000) * 1000 };

	if (setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		return -errno;
	return 0;
}

int genl_test_exchange(struct genl_test_sock *s, struct genl_test_msg *m,
		       struct genl_test_reply *r)
{
	static unsigned char buf[GENL_TEST_DUMP_BUFSZ];
	struct recv_ctx c = { .r = r };
	int err;

	memset(r, 0, offsetof(struct genl_test_reply, data));
	r->data_len = 0;
	r->extack_offs = -1;
	r->parts = 0;
	err = send_and_run(s, m, &c, buf, sizeof(buf), &r->parts);
	r->error = c.error;
	return err;
}

int genl_test_request(struct genl_test_sock *s, struct genl_test_msg *m,
		      struct genl_test_reply *r)
{
	unsigned char buf[GENL_TEST_BUFSZ];
	struct recv_ctx c = { .r = r };
	unsigned int parts = 0;
	int err;

	memset(r, 0, sizeof(*r));
	r->extack_offs = -1;
	msg_nlh(m)->nlmsg_flags |= NLM_F_ACK;
	err = send_and_run(s, m, &c, buf, sizeof(buf), &parts);
	r->error = c.error;
	return err;
}

int genl_test_dump(struct genl_test_sock *s, struct genl_test_msg *m,
		   mnl_cb_t cb, void *data)
{
	struct recv_ctx c = { .cb = cb, .data = data };
	void *buf = malloc(GENL_TEST_DUMP_BUFSZ);
	int err;

	if (!buf)
		return -ENOMEM;
	msg_nlh(m)->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	s->dump_parts = 0;
	err = send_and_run(s, m, &c, buf, GENL_TEST_DUMP_BUFSZ, &s->dump_parts);
	free(buf);
	return err ?: c.error;
}

struct parse_ctx {
	const struct nlattr **tb;
	unsigned int max;
};

static int parse_attr_cb(const struct nlattr *attr, void *data)
{
	const struct parse_ctx *p = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type <= p->max)
		p->tb[type] = attr;
	return MNL_CB_OK;
}

int genl_test_parse(const struct nlmsghdr *nlh, const struct nlattr **tb,
		    unsigned int max)
{
	struct parse_ctx p = { .tb = tb, .max = max };

	memset(tb, 0, (max + 1) * sizeof(*tb));
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + GENL_HDRLEN)
		return -EINVAL;
	if (mnl_attr_parse(nlh, GENL_HDRLEN, parse_attr_cb, &p) < 0)
		return -EINVAL;
	return 0;
}

int genl_test_parse_nested(const struct nlattr *nest,
			   const struct nlattr **tb, unsigned int max)
{
	struct parse_ctx p = { .tb = tb, .max = max };

	memset(tb, 0, (max + 1) * sizeof(*tb));
	if (mnl_attr_parse_nested(nest, parse_attr_cb, &p) < 0)
		return -EINVAL;
	return 0;
}

int genl_test_reply_parse(const struct genl_test_reply *r,
			  const struct nlattr **tb, unsigned int max)
{
	if (!r->data_len) {
		memset(tb, 0, (max + 1) * sizeof(*tb));
		return -ENOENT;
	}
	return genl_test_parse((const struct nlmsghdr *)r->data, tb, max);
}

/* The first attribute @type of the reply, as the tests have always read it */
const void *genl_test_reply_attr(const struct genl_test_reply *r,
				 uint16_t type, uint16_t *len)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)r->data;
	const struct nlattr *attr;

	if (r->data_len < MNL_NLMSG_HDRLEN + GENL_HDRLEN)
		return NULL;
	mnl_attr_for_each(attr, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(attr) != type)
			continue;
		if (len)
			*len = mnl_attr_get_payload_len(attr);
		return mnl_attr_get_payload(attr);
	}
	return NULL;
}

int genl_test_resolve(struct genl_test_sock *s, const char *name)
{
	/* Both are large: keep them off the caller's stack */
	static struct genl_test_reply r;
	static struct genl_test_msg m;
	const uint16_t *id;
	uint16_t len;
	int err;

	genl_test_msg_init(&m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	genl_test_put(&m, CTRL_ATTR_FAMILY_NAME, name, strlen(name) + 1);
	err = genl_test_request(s, &m, &r);
	if (err)
		return err;
	if (r.error)
		return r.error;
	id = genl_test_reply_attr(&r, CTRL_ATTR_FAMILY_ID, &len);
	if (!id || len != sizeof(*id))
		return -ENOENT;
	s->family_id = *id;
	return 0;
}
