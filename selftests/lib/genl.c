// SPDX-License-Identifier: GPL-2.0
/* A minimal generic netlink client for klab's C selftests: see genl.h. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "genl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

int genl_test_open(struct genl_test_sock *s)
{
	int one = 1;

	memset(s, 0, sizeof(*s));
	s->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (s->fd < 0)
		return -errno;
	if (setsockopt(s->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one,
		       sizeof(one)) ||
	    setsockopt(s->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one,
		       sizeof(one))) {
		close(s->fd);
		return -errno;
	}
	return 0;
}

void genl_test_close(struct genl_test_sock *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

void genl_test_msg_init(struct genl_test_msg *m, uint16_t family_id,
			uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->buf;
	struct genlmsghdr *g;

	memset(m->buf, 0, sizeof(m->buf));
	nlh->nlmsg_type = family_id;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	g = NLMSG_DATA(nlh);
	g->cmd = cmd;
	g->version = version;
	m->len = NLMSG_LENGTH(GENL_HDRLEN);
}

size_t genl_test_put(struct genl_test_msg *m, uint16_t type,
		     const void *data, uint16_t len)
{
	struct nlattr *nla = (struct nlattr *)(m->buf + NLMSG_ALIGN(m->len));
	size_t offs = (unsigned char *)nla - m->buf;

	nla->nla_type = type;
	nla->nla_len = NLA_HDRLEN + len;
	memcpy((unsigned char *)nla + NLA_HDRLEN, data, len);
	m->len = NLMSG_ALIGN(m->len) + NLA_ALIGN(nla->nla_len);
	return offs;
}

/* Walk the attributes of @buf (a list of nlattr) looking for @type */
static const struct nlattr *find_attr(const unsigned char *buf, size_t len,
				      uint16_t type)
{
	const struct nlattr *nla;
	size_t pos = 0;

	while (pos + NLA_HDRLEN <= len) {
		nla = (const struct nlattr *)(buf + pos);
		if (nla->nla_len < NLA_HDRLEN || pos + nla->nla_len > len)
			break;
		if ((nla->nla_type & NLA_TYPE_MASK) == type)
			return nla;
		pos += NLA_ALIGN(nla->nla_len);
	}
	return NULL;
}

static void parse_ack(const struct nlmsghdr *nlh, struct genl_test_reply *r)
{
	const struct nlmsgerr *err = NLMSG_DATA(nlh);
	size_t hdr = NLMSG_HDRLEN + sizeof(*err);
	const struct nlattr *nla;
	const unsigned char *tlvs;
	size_t tlv_len;

	r->error = err->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;

	/* Without NLM_F_CAPPED the request is echoed before the TLVs */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		hdr += err->msg.nlmsg_len - sizeof(err->msg);
	if (nlh->nlmsg_len <= hdr)
		return;

	tlvs = (const unsigned char *)nlh + hdr;
	tlv_len = nlh->nlmsg_len - hdr;
	nla = find_attr(tlvs, tlv_len, NLMSGERR_ATTR_MSG);
	if (nla) {
		size_t n = nla->nla_len - NLA_HDRLEN;

		if (n >= sizeof(r->extack_msg))
			n = sizeof(r->extack_msg) - 1;
		memcpy(r->extack_msg, (const char *)nla + NLA_HDRLEN, n);
		r->extack_msg[n] = '\0';
	}
	nla = find_attr(tlvs, tlv_len, NLMSGERR_ATTR_OFFS);
	if (nla)
		memcpy(&r->extack_offs, (const char *)nla + NLA_HDRLEN,
		       sizeof(uint32_t));
}

int genl_test_request(struct genl_test_sock *s, struct genl_test_msg *m,
		      struct genl_test_reply *r)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->buf;
	unsigned char buf[GENL_TEST_BUFSZ];
	ssize_t n;

	memset(r, 0, sizeof(*r));
	r->extack_offs = -1;
	nlh->nlmsg_len = m->len;
	nlh->nlmsg_seq = ++s->seq;
	if (send(s->fd, m->buf, m->len, 0) < 0)
		return -errno;

	for (;;) {
		n = recv(s->fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_seq != s->seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				parse_ack(nlh, r);
				return 0;
			}
			if (nlh->nlmsg_len <= sizeof(r->data)) {
				memcpy(r->data, nlh, nlh->nlmsg_len);
				r->data_len = nlh->nlmsg_len;
			}
		}
	}
}

const void *genl_test_reply_attr(const struct genl_test_reply *r,
				 uint16_t type, uint16_t *len)
{
	size_t start = NLMSG_LENGTH(GENL_HDRLEN);
	const struct nlattr *nla;

	if (r->data_len <= start)
		return NULL;
	nla = find_attr(r->data + start, r->data_len - start, type);
	if (!nla)
		return NULL;
	if (len)
		*len = nla->nla_len - NLA_HDRLEN;
	return (const char *)nla + NLA_HDRLEN;
}

int genl_test_resolve(struct genl_test_sock *s, const char *name)
{
	/* Both are large: keep them off the caller's stack */
	static struct genl_test_reply r;
	static struct genl_test_msg m;
	const uint16_t *id;
	int err;

	genl_test_msg_init(&m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	genl_test_put(&m, CTRL_ATTR_FAMILY_NAME, name, strlen(name) + 1);
	err = genl_test_request(s, &m, &r);
	if (err)
		return err;
	if (r.error)
		return r.error;
	id = genl_test_reply_attr(&r, CTRL_ATTR_FAMILY_ID, NULL);
	if (!id)
		return -ENOENT;
	s->family_id = *id;
	return 0;
}
