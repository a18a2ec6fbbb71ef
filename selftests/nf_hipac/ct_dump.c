// SPDX-License-Identifier: GPL-2.0
/*
 * What conntrack -L does not print of the connections of the current
 * network namespace: the whole status word and the master.  One line a
 * connection, from a ctnetlink dump through libnetfilter_conntrack:
 *
 *   PROTO SRC DST SPORT DPORT status=0xHEX [master=SRC:SPORT-DST:DPORT]
 *
 * (the original tuple; ports 0 for a protocol without them).  Exit 0, or
 * 1 if the dump failed.
 */
#include <arpa/inet.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

static void put_addr(const struct nf_conntrack *ct, int attr, char *buf)
{
	struct in_addr a = { .s_addr = nfct_get_attr_u32(ct, attr) };

	inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

static unsigned int port(const struct nf_conntrack *ct, int attr)
{
	return nfct_attr_is_set(ct, attr) ? ntohs(nfct_get_attr_u16(ct, attr)) : 0;
}

static int print_ct(enum nf_conntrack_msg_type type, struct nf_conntrack *ct,
		    void *data)
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
	return NFCT_CB_CONTINUE;
}

int main(void)
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
