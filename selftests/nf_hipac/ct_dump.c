// SPDX-License-Identifier: GPL-2.0
/*
 * What conntrack -L does not show of the connections of the current
 * network namespace, and what ctnetlink answers when asked to change a
 * status word, through libnetfilter_conntrack:
 *
 *   ct_dump
 *	one line a connection, from a ctnetlink dump:
 *	PROTO SRC DST SPORT DPORT status=0xHEX [master=SRC:SPORT-DST:DPORT]
 *	(the original tuple; ports 0 for a protocol without them)
 *   ct_dump destroyed PROTO SPORT
 *	print "ready" once subscribed to DESTROY events, then the line of
 *	the first one of a PROTO connection from SPORT, and exit
 *   ct_dump update PROTO SRC DST SPORT DPORT [-t TIMEOUT] STATUS...
 *	ask for each status word STATUS in turn (with TIMEOUT seconds) on
 *	the connection of that original tuple; print a line for each,
 *	"ok" or "error NAME" (the kernel's answer) and the status word the
 *	connection has after it: "ok status=0xHEX"
 *
 * Exit 0, 1 if ctnetlink could not be asked, 2 on a usage error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct flow {
	int proto;
	unsigned int sport;
};

static void put_addr(const struct nf_conntrack *ct, int attr, char *buf)
{
	struct in_addr a = { .s_addr = nfct_get_attr_u32(ct, attr) };

	inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

static unsigned int port(const struct nf_conntrack *ct, int attr)
{
	return nfct_attr_is_set(ct, attr) ? ntohs(nfct_get_attr_u16(ct, attr)) : 0;
}

static void print_line(const struct nf_conntrack *ct)
{
	char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];
	const struct protoent *p = getprotobynumber(nfct_get_attr_u8(ct, ATTR_L4PROTO));

	put_addr(ct, ATTR_IPV4_SRC, src);
	put_addr(ct, ATTR_IPV4_DST, dst);
	printf("%s %s %s %u %u status=0x%x", p ? p->p_name : "?", src, dst,
	       port(ct, ATTR_ORIG_PORT_SRC), port(ct, ATTR_ORIG_PORT_DST),
	       nfct_get_attr_u32(ct, ATTR_STATUS));
	if (nfct_attr_is_set(ct, ATTR_MASTER_IPV4_SRC)) {
		put_addr(ct, ATTR_MASTER_IPV4_SRC, src);
		put_addr(ct, ATTR_MASTER_IPV4_DST, dst);
		printf(" master=%s:%u-%s:%u", src, port(ct, ATTR_MASTER_PORT_SRC),
		       dst, port(ct, ATTR_MASTER_PORT_DST));
	}
	putchar('\n');
	fflush(stdout);
}

static int print_ct(enum nf_conntrack_msg_type type, struct nf_conntrack *ct,
		    void *data)
{
	print_line(ct);
	return NFCT_CB_CONTINUE;
}

static int print_flow(enum nf_conntrack_msg_type type, struct nf_conntrack *ct,
		      void *data)
{
	const struct flow *f = data;

	if (nfct_get_attr_u8(ct, ATTR_L4PROTO) != f->proto ||
	    port(ct, ATTR_ORIG_PORT_SRC) != f->sport)
		return NFCT_CB_CONTINUE;
	print_line(ct);
	return NFCT_CB_STOP;
}

static int keep_ct(enum nf_conntrack_msg_type type, struct nf_conntrack *ct,
		   void *data)
{
	nfct_copy(data, ct, NFCT_CP_OVERRIDE);
	return NFCT_CB_CONTINUE;
}

static int proto_number(const char *name)
{
	const struct protoent *p = getprotobyname(name);

	return p ? p->p_proto : -1;
}

static int dump(void)
{
	struct nfct_handle *h = nfct_open(CONNTRACK, 0);
	uint32_t family = AF_INET;
	int rc;

	if (!h) {
		perror("nfct_open");
		return 1;
	}
	nfct_callback_register(h, NFCT_T_ALL, print_ct, NULL);
	rc = nfct_query(h, NFCT_Q_DUMP, &family);
	if (rc)
		perror("conntrack dump");
	nfct_close(h);
	return rc ? 1 : 0;
}

static int destroyed(char **argv)
{
	struct flow f = { proto_number(argv[0]), atoi(argv[1]) };
	struct nfct_handle *h;
	int rc;

	h = nfct_open(CONNTRACK, NF_NETLINK_CONNTRACK_DESTROY);
	if (!h) {
		perror("nfct_open");
		return 1;
	}
	nfct_callback_register(h, NFCT_T_DESTROY, print_flow, &f);
	puts("ready");
	fflush(stdout);
	rc = nfct_catch(h);
	nfct_close(h);
	/* the callback's NFCT_CB_STOP ends nfct_catch() with 0 */
	if (rc)
		perror("conntrack events");
	return rc ? 1 : 0;
}

static const char *errno_name(int e)
{
	switch (e) {
	case EBUSY:
		return "EBUSY";
	case ENOENT:
		return "ENOENT";
	case EINVAL:
		return "EINVAL";
	case EOPNOTSUPP:
		return "EOPNOTSUPP";
	case EPERM:
		return "EPERM";
	default:
		return strerror(e);
	}
}

/* the status word of the connection of ct's tuple, read back, or 0 */
static unsigned int read_status(struct nfct_handle *h, struct nf_conntrack *ct)
{
	struct nf_conntrack *got = nfct_new();
	unsigned int status = 0;

	nfct_callback_register(h, NFCT_T_ALL, keep_ct, got);
	if (got && !nfct_query(h, NFCT_Q_GET, ct))
		status = nfct_get_attr_u32(got, ATTR_STATUS);
	nfct_callback_unregister(h);
	if (got)
		nfct_destroy(got);
	return status;
}

static int update(int argc, char **argv)
{
	struct nf_conntrack *ct = nfct_new();
	struct nfct_handle *h = nfct_open(CONNTRACK, 0);
	struct in_addr src, dst;
	int i = 5, rc = 1;

	if (!ct || !h || inet_pton(AF_INET, argv[1], &src) != 1 ||
	    inet_pton(AF_INET, argv[2], &dst) != 1) {
		fputs("ct_dump update: no handle or a bad address\n", stderr);
		goto out;
	}
	nfct_set_attr_u8(ct, ATTR_L3PROTO, AF_INET);
	nfct_set_attr_u8(ct, ATTR_L4PROTO, proto_number(argv[0]));
	nfct_set_attr_u32(ct, ATTR_IPV4_SRC, src.s_addr);
	nfct_set_attr_u32(ct, ATTR_IPV4_DST, dst.s_addr);
	nfct_set_attr_u16(ct, ATTR_PORT_SRC, htons(atoi(argv[3])));
	nfct_set_attr_u16(ct, ATTR_PORT_DST, htons(atoi(argv[4])));
	if (argc > 6 && !strcmp(argv[5], "-t")) {
		nfct_set_attr_u32(ct, ATTR_TIMEOUT, strtoul(argv[6], NULL, 0));
		i = 7;
	}
	for (; i < argc; i++) {
		nfct_set_attr_u32(ct, ATTR_STATUS, strtoul(argv[i], NULL, 0));
		if (nfct_query(h, NFCT_Q_UPDATE, ct))
			printf("error %s", errno_name(errno));
		else
			printf("ok");
		printf(" status=0x%x\n", read_status(h, ct));
	}
	rc = 0;
out:
	if (h)
		nfct_close(h);
	if (ct)
		nfct_destroy(ct);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 1)
		return dump();
	if (argc == 4 && !strcmp(argv[1], "destroyed"))
		return destroyed(argv + 2);
	if (argc >= 8 && !strcmp(argv[1], "update"))
		return update(argc - 2, argv + 2);
	fputs("usage: ct_dump [destroyed PROTO SPORT | update PROTO SRC DST SPORT DPORT [-t TIMEOUT] STATUS...]\n",
	      stderr);
	return 2;
}
