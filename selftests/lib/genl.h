/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal generic netlink client for klab's C selftests.  It speaks raw
 * netlink (no libnl) so that tests can send what klabctl never would:
 * malformed and out-of-range attributes.
 */
#ifndef _KLAB_SELFTEST_GENL_H
#define _KLAB_SELFTEST_GENL_H

#include <stddef.h>
#include <stdint.h>

#define GENL_TEST_BUFSZ 8192

struct genl_test_sock {
	int fd;
	uint16_t family_id;
	uint32_t seq;
};

/* What the kernel answered to a request */
struct genl_test_reply {
	int error;		/* 0 or the negative errno of the ack */
	char extack_msg[256];	/* NLMSGERR_ATTR_MSG, or "" */
	int extack_offs;	/* NLMSGERR_ATTR_OFFS, or -1 */
	unsigned char data[GENL_TEST_BUFSZ]; /* the reply message, if any */
	size_t data_len;
};

/* A request being built */
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
/* Append an attribute; returns its offset from the start of the message */
size_t genl_test_put(struct genl_test_msg *m, uint16_t type,
		     const void *data, uint16_t len);

/* Send @m with NLM_F_ACK and collect the reply and the ack */
int genl_test_request(struct genl_test_sock *s, struct genl_test_msg *m,
		      struct genl_test_reply *r);

/* Find attribute @type in a reply; NULL when absent */
const void *genl_test_reply_attr(const struct genl_test_reply *r,
				 uint16_t type, uint16_t *len);

#endif /* _KLAB_SELFTEST_GENL_H */
