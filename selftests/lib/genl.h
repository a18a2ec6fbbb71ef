/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small generic netlink client for klab's C selftests, on libmnl.  It
 * builds messages attribute by attribute, so tests can send what klabctl
 * never would: malformed and out-of-range attributes.  Replies are read
 * with mnl_cb_run(), which also collects the extended ack.
 */
#ifndef _KLAB_SELFTEST_GENL_H
#define _KLAB_SELFTEST_GENL_H

#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

#define GENL_TEST_BUFSZ 8192

struct genl_test_sock {
	struct mnl_socket *nl;
	int fd;			/* mnl_socket_get_fd(nl) */
	uint32_t portid;
	uint16_t family_id;
	uint32_t seq;
	unsigned int dump_parts;	/* recv() batches of the last dump */
};

/* What the kernel answered to a request */
struct genl_test_reply {
	int error;		/* 0 or the negative errno of the ack */
	char extack_msg[256];	/* NLMSGERR_ATTR_MSG, or "" */
	int extack_offs;	/* NLMSGERR_ATTR_OFFS, or -1 */
	unsigned int parts;	/* recv() batches (genl_test_exchange()) */
	unsigned char data[GENL_TEST_BUFSZ]; /* the reply message, if any */
	size_t data_len;
};

/* A request being built; len always equals the header's nlmsg_len */
struct genl_test_msg {
	unsigned char buf[GENL_TEST_BUFSZ];
	size_t len;
};

int genl_test_open(struct genl_test_sock *s);
void genl_test_close(struct genl_test_sock *s);
/* Resolve @name; returns 0 or -ENOENT when no such family is registered */
int genl_test_resolve(struct genl_test_sock *s, const char *name);

void genl_test_msg_init(struct genl_test_msg *m, uint16_t family_id,
			uint8_t cmd, uint8_t version);
/*
 * Append an attribute; returns its offset from the start of the message.
 * A message that outgrows GENL_TEST_BUFSZ is a bug of the test: abort.
 */
size_t genl_test_put(struct genl_test_msg *m, uint16_t type,
		     const void *data, uint16_t len);
/* Open a nest (NLA_F_NESTED is set) and close it after its attributes */
struct nlattr *genl_test_nest_start(struct genl_test_msg *m, uint16_t type);
void genl_test_nest_end(struct genl_test_msg *m, struct nlattr *nest);

/* Send @m with NLM_F_ACK and collect the reply and the ack */
int genl_test_request(struct genl_test_sock *s, struct genl_test_msg *m,
		      struct genl_test_reply *r);

/*
 * Give up waiting for a reply after @ms milliseconds: a request then
 * returns -EAGAIN.  0 or a negative errno.
 */
int genl_test_set_timeout(struct genl_test_sock *s, unsigned int ms);

/*
 * Send @m with its flags as they are (a fuzzer's request may be anything:
 * a dump, no NLM_F_ACK, a cut message) and read the replies up to what
 * ends it, the ack or NLMSG_DONE; @r keeps the last reply message that
 * fits.  Returns 0 with the ack's error in r->error, or a negative errno
 * of the socket (-EAGAIN: nothing ended it within the timeout).
 */
int genl_test_exchange(struct genl_test_sock *s, struct genl_test_msg *m,
		       struct genl_test_reply *r);

/*
 * Send @m as a dump request (NLM_F_DUMP) and call @cb for each message of
 * the multi-part reply; @cb returns MNL_CB_OK to go on, or MNL_CB_ERROR
 * with errno set to give up (the rest of the dump is then skipped by the
 * next request, which ignores replies to earlier ones).  Returns the
 * error the dump ended with (0, or the negative errno of NLMSG_DONE or of
 * the ack), or a negative errno of the socket.
 */
int genl_test_dump(struct genl_test_sock *s, struct genl_test_msg *m,
		   mnl_cb_t cb, void *data);

/* Find attribute @type in a reply; NULL when absent */
const void *genl_test_reply_attr(const struct genl_test_reply *r,
				 uint16_t type, uint16_t *len);

/*
 * Fill tb[0..@max] with the attributes of a generic netlink message (or
 * of a nest); attributes above @max are ignored, absent ones are NULL.
 * Returns 0, or -EINVAL when the attributes are malformed.
 */
int genl_test_parse(const struct nlmsghdr *nlh, const struct nlattr **tb,
		    unsigned int max);
int genl_test_parse_nested(const struct nlattr *nest,
			   const struct nlattr **tb, unsigned int max);
/* The same for the message of a reply; -ENOENT when there was none */
int genl_test_reply_parse(const struct genl_test_reply *r,
			  const struct nlattr **tb, unsigned int max);

#endif /* _KLAB_SELFTEST_GENL_H */
