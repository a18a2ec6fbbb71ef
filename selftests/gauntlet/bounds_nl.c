// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink requests of bounds.sh: make objects of one kind
 * until one is refused, and say how many were made and why the last was
 * refused (the errno's name and the extack message).
 *
 *   bounds_nl [-n COUNT] OP ARG...
 *
 *   slab-create NAME SIZE	a slabcache test cache (NAME%u with -n)
 *   slab-alloc NAME COUNT	COUNT objects into the hold of cache NAME
 *   blk-add NAME SIZE_MB	a chardev RAM disk (NAME%u with -n)
 *   igb-add NAME PEER		a netdev_igb_like pair (NAME%u PEER%u with -n)
 *   hipac-chain NAME		an IPv4 user chain (NAME%u with -n)
 *   hipac-append CHAIN		an IPv4 rule at the end of CHAIN, committed
 *   hipac-txn CHAIN		one transaction: BEGIN, COUNT appends, COMMIT
 *
 * COUNT defaults to 1.  Prints "MADE RESULT": MADE requests (appends, for
 * hipac-txn) that succeeded, then "ok" when all did, or the first
 * failure as "ERRNO message" (hipac-txn: the COMMIT's result, which
 * repeats the failure that poisoned the transaction).  Exits 0 when the
 * requests could be sent, 1 otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <klab/chardev.h>
#include <klab/hipac.h>
#include <klab/igb.h>
#include <klab/slab.h>

#include "genl.h"

struct req {
	struct genl_test_sock sock;
	struct genl_test_msg msg;
	struct genl_test_reply reply;
};

static void usage(void)
{
	fprintf(stderr, "usage: bounds_nl [-n COUNT] OP ARG...\n");
	exit(1);
}

static void put_str(struct genl_test_msg *m, uint16_t type, const char *s)
{
	genl_test_put(m, type, s, strlen(s) + 1);
}

static void put_u32(struct genl_test_msg *m, uint16_t type, uint32_t v)
{
	genl_test_put(m, type, &v, sizeof(v));
}

static void put_u8(struct genl_test_msg *m, uint16_t type, uint8_t v)
{
	genl_test_put(m, type, &v, sizeof(v));
}

static void put_u64(struct genl_test_msg *m, uint16_t type, uint64_t v)
{
	genl_test_put(m, type, &v, sizeof(v));
}

static void open_family(struct req *r, const char *family)
{
	if (genl_test_open(&r->sock) ||
	    genl_test_resolve(&r->sock, family)) {
		fprintf(stderr, "bounds_nl: cannot resolve %s\n", family);
		exit(1);
	}
}

/* Send the message built in @r; returns the ack's errno (0: success) */
static int send_req(struct req *r)
{
	if (genl_test_request(&r->sock, &r->msg, &r->reply)) {
		fprintf(stderr, "bounds_nl: request not answered\n");
		exit(1);
	}
	return r->reply.error;
}

static void start(struct req *r, uint8_t cmd)
{
	genl_test_msg_init(&r->msg, r->sock.family_id, cmd, 1);
}

/* NAME, or NAME followed by @i when making several */
static const char *nth(char *buf, size_t len, const char *name, unsigned int i,
		       unsigned int count)
{
	if (count == 1)
		return name;
	snprintf(buf, len, "%s%u", name, i);
	return buf;
}

static void hipac_rule(struct genl_test_msg *m, unsigned int i)
{
	uint8_t src[4] = { 10, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff };
	struct nlattr *nest = genl_test_nest_start(m, NF_HIPAC_A_RULE);

	genl_test_put(m, NF_HIPAC_R_SRC, src, sizeof(src));
	put_u32(m, NF_HIPAC_R_VERDICT, NF_HIPAC_V_ACCEPT);
	genl_test_nest_end(m, nest);
}

/* Build request @i of @op into @r */
static void build(struct req *r, const char *op, char **arg, unsigned int i,
		  unsigned int count)
{
	char a[64], b[64];

	if (!strcmp(op, "slab-create")) {
		start(r, KLAB_SLAB_CMD_CREATE);
		put_str(&r->msg, KLAB_SLAB_A_NAME,
			nth(a, sizeof(a), arg[0], i, count));
		put_u32(&r->msg, KLAB_SLAB_A_OBJECT_SIZE, atoi(arg[1]));
	} else if (!strcmp(op, "slab-alloc")) {
		start(r, KLAB_SLAB_CMD_ALLOC);
		put_str(&r->msg, KLAB_SLAB_A_NAME, arg[0]);
		put_u32(&r->msg, KLAB_SLAB_A_COUNT, atoi(arg[1]));
	} else if (!strcmp(op, "blk-add")) {
		start(r, KLAB_CHARDEV_CMD_BLK_ADD);
		put_str(&r->msg, KLAB_CHARDEV_A_BLK_NAME,
			nth(a, sizeof(a), arg[0], i, count));
		put_u64(&r->msg, KLAB_CHARDEV_A_BLK_SIZE_MB, atoi(arg[1]));
	} else if (!strcmp(op, "igb-add")) {
		start(r, KLAB_IGB_CMD_ADD);
		put_str(&r->msg, KLAB_IGB_A_NAME,
			nth(a, sizeof(a), arg[0], i, count));
		put_str(&r->msg, KLAB_IGB_A_PEER_NAME,
			nth(b, sizeof(b), arg[1], i, count));
	} else if (!strcmp(op, "hipac-chain")) {
		start(r, NF_HIPAC_CMD_CHAIN_NEW);
		put_u8(&r->msg, NF_HIPAC_A_FAMILY, AF_INET);
		put_str(&r->msg, NF_HIPAC_A_CHAIN,
			nth(a, sizeof(a), arg[0], i, count));
	} else if (!strcmp(op, "hipac-append") || !strcmp(op, "hipac-txn")) {
		start(r, NF_HIPAC_CMD_RULE_APPEND);
		put_u8(&r->msg, NF_HIPAC_A_FAMILY, AF_INET);
		put_str(&r->msg, NF_HIPAC_A_CHAIN, arg[0]);
		hipac_rule(&r->msg, i);
	} else {
		usage();
	}
}

static const char *family_of(const char *op)
{
	if (!strncmp(op, "slab-", 5))
		return KLAB_SLAB_FAMILY_NAME;
	if (!strncmp(op, "blk-", 4))
		return KLAB_CHARDEV_FAMILY_NAME;
	if (!strncmp(op, "igb-", 4))
		return KLAB_IGB_FAMILY_NAME;
	if (!strncmp(op, "hipac-", 6))
		return NF_HIPAC_FAMILY_NAME;
	usage();
	return NULL;
}

static void print_result(unsigned int made, int err, const char *msg)
{
	if (!err)
		printf("%u ok\n", made);
	else
		printf("%u %s %s\n", made, strerrorname_np(-err), msg);
}

/* hipac-txn: BEGIN, @count appends (stopping at a failure), COMMIT */
static void hipac_txn(struct req *r, char **arg, unsigned int count)
{
	unsigned int made = 0;

	start(r, NF_HIPAC_CMD_BEGIN);
	put_u8(&r->msg, NF_HIPAC_A_FAMILY, AF_INET);
	if (send_req(r)) {
		print_result(0, r->reply.error, r->reply.extack_msg);
		return;
	}
	for (; made < count; made++) {
		build(r, "hipac-txn", arg, made, count);
		if (send_req(r))
			break;
	}
	start(r, NF_HIPAC_CMD_COMMIT);
	put_u8(&r->msg, NF_HIPAC_A_FAMILY, AF_INET);
	send_req(r);
	print_result(made, r->reply.error, r->reply.extack_msg);
}

int main(int argc, char **argv)
{
	unsigned int count = 1, made = 0;
	struct req *r;
	const char *op;
	int opt;

	while ((opt = getopt(argc, argv, "n:")) != -1) {
		if (opt != 'n')
			usage();
		count = strtoul(optarg, NULL, 0);
	}
	if (argc - optind < 2 || !count)
		usage();
	op = argv[optind];
	/* the hipac ops take one argument, the others two */
	if (argc - optind < (strncmp(op, "hipac-", 6) ? 3 : 2))
		usage();
	r = calloc(1, sizeof(*r));
	if (!r)
		return 1;
	open_family(r, family_of(op));
	if (!strcmp(op, "hipac-txn")) {
		hipac_txn(r, argv + optind + 1, count);
	} else {
		for (; made < count; made++) {
			build(r, op, argv + optind + 1, made, count);
			if (send_req(r))
				break;
		}
		print_result(made, r->reply.error, r->reply.extack_msg);
	}
	genl_test_close(&r->sock);
	free(r);
	return 0;
}
