// SPDX-License-Identifier: GPL-2.0
/*
 * Every kind of match nf_hipac turns into dimensions, checked with one
 * datagram: an OUTPUT rule "-j DROP" with the match, then a UDP datagram
 * from loopback to loopback port 5000 with mark 0x1234 and TTL/hop limit
 * 64; sendto() fails with EPERM exactly when the rule matched, and the
 * rule's counter must say the same.
 */
#include "kselftest_harness.h"
#include "hipac_nl.h"

#define DPORT	5000
#define MARK	0x1234

/* Send one datagram; 1 if it was dropped at OUTPUT, 0 if not, -1 else */
static int send_marked(int family)
{
	int fd = socket(family, SOCK_DGRAM, 0), mark = MARK, ttl = 64;
	struct sockaddr_storage ss;
	socklen_t len = lo_addr(family, DPORT, &ss);
	ssize_t n;

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)))
		return -1;
	if (family == AF_INET ?
	    setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) :
	    setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof(ttl)))
		return -1;
	n = sendto(fd, "x", 1, 0, (void *)&ss, len);
	close(fd);
	if (n == 1)
		return 0;
	return errno == EPERM ? 1 : -1;
}

/* The attributes of a case: a list of (type, length, bytes) */
struct mattr {
	uint16_t type;
	uint16_t len;
	uint8_t data[64];
};

#define A_U8(t, v)	{ (t), 1, { (v) } }
#define A_U16(t, v)	{ (t), 2, { (v) & 0xff, (v) >> 8 } }
#define A_U32(t, v)	{ (t), 4, { (v) & 0xff, ((v) >> 8) & 0xff, \
				    ((v) >> 16) & 0xff, (v) >> 24 } }
#define A_FLAG(t)	{ (t), 0, { 0 } }
#define A_STR(t, s)	{ (t), sizeof(s), s }
#define A_V4(t, a, b, c, d) { (t), 4, { a, b, c, d } }
/* An IPv6 address from its eight 16-bit groups */
#define A_V6(t, g0, g1, g2, g3, g4, g5, g6, g7) { (t), 16, {		\
	(g0) >> 8, (g0) & 0xff, (g1) >> 8, (g1) & 0xff,			\
	(g2) >> 8, (g2) & 0xff, (g3) >> 8, (g3) & 0xff,			\
	(g4) >> 8, (g4) & 0xff, (g5) >> 8, (g5) & 0xff,			\
	(g6) >> 8, (g6) & 0xff, (g7) >> 8, (g7) & 0xff } }
#define UDP		A_U8(NF_HIPAC_R_PROTO, IPPROTO_UDP)

struct mspec {
	const char *name;
	uint8_t family;
	bool match;
	struct mattr a[6];
};

/* Port pairs for PORTS(): lo, hi little-endian, so bytes */
#define PR(lo, hi)	(lo) & 0xff, (lo) >> 8, (hi) & 0xff, (hi) >> 8

static const struct mspec cases[] = {
	{ "-d 127.0.0.0/8", AF_INET, true,
	  { A_V4(NF_HIPAC_R_DST, 127, 0, 0, 0), A_U8(NF_HIPAC_R_DST_PLEN, 8) } },
	{ "-d 10.0.0.0/8", AF_INET, false,
	  { A_V4(NF_HIPAC_R_DST, 10, 0, 0, 0), A_U8(NF_HIPAC_R_DST_PLEN, 8) } },
	{ "! -d 10.0.0.0/8", AF_INET, true,
	  { A_V4(NF_HIPAC_R_DST, 10, 0, 0, 0), A_U8(NF_HIPAC_R_DST_PLEN, 8),
	    A_FLAG(NF_HIPAC_R_DST_INV) } },
	{ "-s 127.0.0.1", AF_INET, true,
	  { A_V4(NF_HIPAC_R_SRC, 127, 0, 0, 1) } },
	{ "--dst-range 127.0.0.1-127.0.0.1", AF_INET, true,
	  { A_V4(NF_HIPAC_R_DST_RANGE_LO, 127, 0, 0, 1),
	    A_V4(NF_HIPAC_R_DST_RANGE_HI, 127, 0, 0, 1) } },
	{ "--dst-range 127.0.0.2-127.255.255.255", AF_INET, false,
	  { A_V4(NF_HIPAC_R_DST_RANGE_LO, 127, 0, 0, 2),
	    A_V4(NF_HIPAC_R_DST_RANGE_HI, 127, 255, 255, 255) } },
	{ "! --dst-range 127.0.0.2-127.255.255.255", AF_INET, true,
	  { A_V4(NF_HIPAC_R_DST_RANGE_LO, 127, 0, 0, 2),
	    A_V4(NF_HIPAC_R_DST_RANGE_HI, 127, 255, 255, 255),
	    A_FLAG(NF_HIPAC_R_DST_RANGE_INV) } },
	{ "-p udp --dport 4000:6000", AF_INET, true,
	  { UDP, A_U16(NF_HIPAC_R_DPORT_LO, 4000),
	    A_U16(NF_HIPAC_R_DPORT_HI, 6000) } },
	{ "-p udp --dport 5001:6000", AF_INET, false,
	  { UDP, A_U16(NF_HIPAC_R_DPORT_LO, 5001),
	    A_U16(NF_HIPAC_R_DPORT_HI, 6000) } },
	{ "-p udp ! --dport 5001:6000", AF_INET, true,
	  { UDP, A_U16(NF_HIPAC_R_DPORT_LO, 5001),
	    A_U16(NF_HIPAC_R_DPORT_HI, 6000), A_FLAG(NF_HIPAC_R_DPORT_INV) } },
	{ "-p tcp", AF_INET, false, { A_U8(NF_HIPAC_R_PROTO, IPPROTO_TCP) } },
	{ "! -p tcp", AF_INET, true,
	  { A_U8(NF_HIPAC_R_PROTO, IPPROTO_TCP), A_FLAG(NF_HIPAC_R_PROTO_INV) } },
	{ "--dports 1,4999:5000", AF_INET, true,
	  { UDP, A_U8(NF_HIPAC_R_MULTIPORT_DIR, NF_HIPAC_MP_DST),
	    { NF_HIPAC_R_MULTIPORT, 8, { PR(1, 1), PR(4999, 5000) } } } },
	{ "--dports 1,2", AF_INET, false,
	  { UDP, A_U8(NF_HIPAC_R_MULTIPORT_DIR, NF_HIPAC_MP_DST),
	    { NF_HIPAC_R_MULTIPORT, 8, { PR(1, 1), PR(2, 2) } } } },
	{ "! --dports 1,2", AF_INET, true,
	  { UDP, A_U8(NF_HIPAC_R_MULTIPORT_DIR, NF_HIPAC_MP_DST),
	    { NF_HIPAC_R_MULTIPORT, 8, { PR(1, 1), PR(2, 2) } },
	    A_FLAG(NF_HIPAC_R_MULTIPORT_INV) } },
	{ "--ports 5000", AF_INET, true,
	  { UDP, A_U8(NF_HIPAC_R_MULTIPORT_DIR, NF_HIPAC_MP_ANY),
	    { NF_HIPAC_R_MULTIPORT, 4, { PR(5000, 5000) } } } },
	{ "! --ports 5000", AF_INET, false,
	  { UDP, A_U8(NF_HIPAC_R_MULTIPORT_DIR, NF_HIPAC_MP_ANY),
	    { NF_HIPAC_R_MULTIPORT, 4, { PR(5000, 5000) } },
	    A_FLAG(NF_HIPAC_R_MULTIPORT_INV) } },
	{ "--sports 5000", AF_INET, false,
	  { UDP, A_U8(NF_HIPAC_R_MULTIPORT_DIR, NF_HIPAC_MP_SRC),
	    { NF_HIPAC_R_MULTIPORT, 4, { PR(5000, 5000) } } } },
	{ "-o lo", AF_INET, true, { A_STR(NF_HIPAC_R_OIF, "lo") } },
	{ "-o l+", AF_INET, true, { A_STR(NF_HIPAC_R_OIF, "l+") } },
	{ "-o +", AF_INET, true, { A_STR(NF_HIPAC_R_OIF, "+") } },
	{ "-o lo0", AF_INET, false, { A_STR(NF_HIPAC_R_OIF, "lo0") } },
	{ "-o lo+ (lo itself)", AF_INET, true, { A_STR(NF_HIPAC_R_OIF, "lo+") } },
	{ "-o eth+", AF_INET, false, { A_STR(NF_HIPAC_R_OIF, "eth+") } },
	{ "-o m+ (above lo)", AF_INET, false, { A_STR(NF_HIPAC_R_OIF, "m+") } },
	{ "! -o m+", AF_INET, true,
	  { A_STR(NF_HIPAC_R_OIF, "m+"), A_FLAG(NF_HIPAC_R_OIF_INV) } },
	{ "-o k+ (below lo)", AF_INET, false, { A_STR(NF_HIPAC_R_OIF, "k+") } },
	{ "! -o eth+", AF_INET, true,
	  { A_STR(NF_HIPAC_R_OIF, "eth+"), A_FLAG(NF_HIPAC_R_OIF_INV) } },
	{ "! -o lo", AF_INET, false,
	  { A_STR(NF_HIPAC_R_OIF, "lo"), A_FLAG(NF_HIPAC_R_OIF_INV) } },
	{ "--mark 0x1234", AF_INET, true, { A_U32(NF_HIPAC_R_MARK, MARK) } },
	{ "--mark 0x34/0xff", AF_INET, true,
	  { A_U32(NF_HIPAC_R_MARK, 0x34), A_U32(NF_HIPAC_R_MARK_MASK, 0xff) } },
	{ "--mark 0x35/0xff", AF_INET, false,
	  { A_U32(NF_HIPAC_R_MARK, 0x35), A_U32(NF_HIPAC_R_MARK_MASK, 0xff) } },
	{ "! --mark 0x35/0xff", AF_INET, true,
	  { A_U32(NF_HIPAC_R_MARK, 0x35), A_U32(NF_HIPAC_R_MARK_MASK, 0xff),
	    A_FLAG(NF_HIPAC_R_MARK_INV) } },
	{ "--mark 0x1000/0xf000", AF_INET, true,
	  { A_U32(NF_HIPAC_R_MARK, 0x1000),
	    A_U32(NF_HIPAC_R_MARK_MASK, 0xf000) } },
	{ "--ttl-eq 64", AF_INET, true,
	  { A_U8(NF_HIPAC_R_TTL_OP, NF_HIPAC_TTL_EQ), A_U8(NF_HIPAC_R_TTL, 64) } },
	{ "--ttl-lt 64", AF_INET, false,
	  { A_U8(NF_HIPAC_R_TTL_OP, NF_HIPAC_TTL_LT), A_U8(NF_HIPAC_R_TTL, 64) } },
	{ "--ttl-gt 63", AF_INET, true,
	  { A_U8(NF_HIPAC_R_TTL_OP, NF_HIPAC_TTL_GT), A_U8(NF_HIPAC_R_TTL, 63) } },
	{ "-f", AF_INET, false, { A_FLAG(NF_HIPAC_R_FRAG) } },
	{ "! -f", AF_INET, true, { A_FLAG(NF_HIPAC_R_FRAG_INV) } },
	{ "-d ::1", AF_INET6, true,
	  { A_V6(NF_HIPAC_R_DST, 0, 0, 0, 0, 0, 0, 0, 1) } },
	{ "-d ::/127", AF_INET6, true,
	  { A_V6(NF_HIPAC_R_DST, 0, 0, 0, 0, 0, 0, 0, 0),
	    A_U8(NF_HIPAC_R_DST_PLEN, 127) } },
	{ "-d ::2/127", AF_INET6, false,
	  { A_V6(NF_HIPAC_R_DST, 0, 0, 0, 0, 0, 0, 0, 2),
	    A_U8(NF_HIPAC_R_DST_PLEN, 127) } },
	{ "! -d ::2/127", AF_INET6, true,
	  { A_V6(NF_HIPAC_R_DST, 0, 0, 0, 0, 0, 0, 0, 2),
	    A_U8(NF_HIPAC_R_DST_PLEN, 127), A_FLAG(NF_HIPAC_R_DST_INV) } },
	{ "! -s ::1", AF_INET6, false,
	  { A_V6(NF_HIPAC_R_SRC, 0, 0, 0, 0, 0, 0, 0, 1),
	    A_FLAG(NF_HIPAC_R_SRC_INV) } },
	{ "-s 2001:db8::/32", AF_INET6, false,
	  { A_V6(NF_HIPAC_R_SRC, 0x2001, 0xdb8, 0, 0, 0, 0, 0, 0),
	    A_U8(NF_HIPAC_R_SRC_PLEN, 32) } },
	{ "--dst-range ::-::1", AF_INET6, true,
	  { A_V6(NF_HIPAC_R_DST_RANGE_LO, 0, 0, 0, 0, 0, 0, 0, 0),
	    A_V6(NF_HIPAC_R_DST_RANGE_HI, 0, 0, 0, 0, 0, 0, 0, 1) } },
	{ "--dst-range ::1-5::5", AF_INET6, true,
	  { A_V6(NF_HIPAC_R_DST_RANGE_LO, 0, 0, 0, 0, 0, 0, 0, 1),
	    A_V6(NF_HIPAC_R_DST_RANGE_HI, 5, 0, 0, 0, 0, 0, 0, 5) } },
	{ "--dst-range ::2-::1:0:0", AF_INET6, false,
	  { A_V6(NF_HIPAC_R_DST_RANGE_LO, 0, 0, 0, 0, 0, 0, 0, 2),
	    A_V6(NF_HIPAC_R_DST_RANGE_HI, 0, 0, 0, 0, 0, 1, 0, 0) } },
	{ "! --dst-range ::2-::1:0:0", AF_INET6, true,
	  { A_V6(NF_HIPAC_R_DST_RANGE_LO, 0, 0, 0, 0, 0, 0, 0, 2),
	    A_V6(NF_HIPAC_R_DST_RANGE_HI, 0, 0, 0, 0, 0, 1, 0, 0),
	    A_FLAG(NF_HIPAC_R_DST_RANGE_INV) } },
	{ "! --src-range ::-::1", AF_INET6, false,
	  { A_V6(NF_HIPAC_R_SRC_RANGE_LO, 0, 0, 0, 0, 0, 0, 0, 0),
	    A_V6(NF_HIPAC_R_SRC_RANGE_HI, 0, 0, 0, 0, 0, 0, 0, 1),
	    A_FLAG(NF_HIPAC_R_SRC_RANGE_INV) } },
	{ "-p udp --dport 5000 (IPv6)", AF_INET6, true,
	  { UDP, A_U16(NF_HIPAC_R_DPORT_LO, 5000) } },
	{ "--hl-lt 64", AF_INET6, false,
	  { A_U8(NF_HIPAC_R_TTL_OP, NF_HIPAC_TTL_LT), A_U8(NF_HIPAC_R_TTL, 64) } },
	{ "--mark 0x4/0x4 (IPv6)", AF_INET6, true,
	  { A_U32(NF_HIPAC_R_MARK, 0x4), A_U32(NF_HIPAC_R_MARK_MASK, 0x4) } },
};

TEST(every_match_kind_matches_as_iptables)
{
	const struct hentry *e;
	struct hdump d;
	struct hctx h;
	struct hrule r;
	size_t i, k;
	int got;

	if (!hipac_test_enter(_metadata, &h))
		return;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r.len = 0;
		for (k = 0; k < 6 && cases[i].a[k].type; k++)
			r_put(&r, cases[i].a[k].type, cases[i].a[k].data,
			      cases[i].a[k].len);
		r_u32(&r, NF_HIPAC_R_VERDICT, NF_HIPAC_V_DROP);
		ASSERT_EQ(0, h_append(&h, cases[i].family, "OUTPUT", &r))
			TH_LOG("%s: %s", cases[i].name, h.reply.extack_msg);
		got = send_marked(cases[i].family);
		EXPECT_EQ(cases[i].match, got)
			TH_LOG("%s", cases[i].name);
		ASSERT_EQ(0, h_dump(&h, cases[i].family, &d));
		e = h_find(&d, "OUTPUT", 1);
		ASSERT_NE(NULL, e);
		EXPECT_EQ(cases[i].match, e->packets)
			TH_LOG("%s: counter", cases[i].name);
		h_dump_free(&d);
		ASSERT_EQ(0, h_cmd(&h, NF_HIPAC_CMD_FLUSH, cases[i].family));
	}
}

TEST_HARNESS_MAIN
