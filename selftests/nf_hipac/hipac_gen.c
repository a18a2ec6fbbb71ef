// SPDX-License-Identifier: GPL-2.0
/*
 * Random filter-table rule sets and the packets that probe them, for the
 * differential test of nf_hipac against iptables-legacy (diff_iptables.sh),
 * and the worst-case chains of the benchmark (bench/hipac.sh).
 *
 *   hipac_gen -f 4|6 -s SEED [-n RULES] [-k PACKETS] -r RULES_FILE -p PKT_FILE
 *	A seeded rule set in iptables-restore format mixing every match the
 *	issue lists, match modules typed in random orders, and packets aimed
 *	at the rules' edges (one line each, the format hipac_send reads).
 *	With -x PERCENT, that share of the rules whose verdict is not a jump,
 *	goto or return also carry xtables extensions after their native
 *	modules (length, string, u32, tcpmss, connmark, limit, and the
 *	state and conntrack matches) or an extension target (MARK,
 *	CONNMARK); TCP packets then carry MSS options and some packets are
 *	followed by their reply, so that connections reach ESTABLISHED.
 *   hipac_gen -f 4|6 -w N [-e E] -r RULES_FILE [-t NFT_FILE]
 *	N FORWARD rules that the benchmark's traffic misses, then one that
 *	it hits, in iptables-restore format and as an nft linear chain.
 *	With -e, E more rules spread among them (one after every N/E) whose
 *	native part the traffic matches and whose xtables match (-m length
 *	of at most 20 bytes, less than any UDP datagram) it misses: each
 *	one's extension runs for every packet (no nft file).
 *
 * The topology the packets assume (diff_iptables.sh builds it): the
 * namespace under test has 10.0.0.0/8 (2001:db8:a::/48) local on lo,
 * 172.24.0.0/13 (2001:db8:c::/48) routed to dum1 and everything else to
 * dum0; a peer namespace injects packets over eth0 and eth1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef unsigned __int128 addr_t;

enum { CH_INPUT, CH_FORWARD, CH_OUTPUT, CH_USER };
#define N_USER 5
#define N_CHAINS (CH_USER + N_USER)

enum target { T_NONE, T_ACCEPT, T_DROP, T_REJECT, T_RETURN, T_JUMP, T_GOTO, T_LOG, T_XT };
enum mp_dir { MP_NONE, MP_SRC, MP_DST, MP_ANY };
enum ttl_op { TTL_NONE, TTL_EQ, TTL_LT, TTL_GT };
enum frag_match { FRAG_ANY, FRAG_YES, FRAG_NO };
/* The match modules a rule can load, in the order -S prints by default */
enum module { M_IPRANGE, M_L4, M_ICMP, M_MULTIPORT, M_TTL, M_MARK, N_MODULES };

struct range {
	int on, inv;
	addr_t lo, hi;
	int plen;		/* prefix length, or -1 for a range */
	addr_t mask, maddr;	/* a non-contiguous mask and its address;
				 * lo, hi: the prefix of its leading ones
				 */
};

struct ports {
	int on, inv;
	unsigned int lo, hi;
};

struct rule {
	int chain;
	struct range src, dst, src_r, dst_r;
	int proto, proto_inv;	/* proto 0: any */
	struct ports sport, dport;
	int mp_dir, mp_inv, mp_n;
	unsigned int mp_lo[8], mp_hi[8];
	const char *iif, *oif;
	int iif_inv, oif_inv;
	int tf_on, tf_inv, tf_mask, tf_cmp;
	int icmp_on, icmp_inv, icmp_type, icmp_code;	/* code -1: any */
	int ttl_op, ttl_inv, ttl;
	int frag;
	int mark_on, mark_inv;
	unsigned int mark, mark_mask;
	int target, arg;	/* arg: chain (jump/goto), reject kind */
	int order[N_MODULES], n_order;	/* the modules as typed */
	int l4_implicit;	/* tcp/udp/icmp options without -m */
	int l4_bare;		/* -m tcp/udp/dccp/sctp without options */
	int ip_last;		/* -s -d -i -o -f typed after the modules */
	char xt[256];		/* -x: extension matches, typed after the rest */
	char xt_target[64];	/* -x: the extension target of T_XT */
	unsigned int mss_lo, mss_hi;	/* -x: -m tcpmss's range, if any */
};

struct pkt {
	int peer;
	const char *ifname;
	addr_t src, dst;
	int proto, sport, dport, tflags, itype, icode, ttl, frag;
	unsigned int mark;
	int paylen;
	unsigned int mss;
};

static uint64_t rng_state;
static int fam = 4;
static unsigned int xt_percent;	/* -x */

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static unsigned int rn(unsigned int n)
{
	return n ? rnd() % n : 0;
}

static int chance(unsigned int percent)
{
	return rn(100) < percent;
}

#define PICK(arr) ((arr)[rn(sizeof(arr) / sizeof((arr)[0]))])

static int bits(void)
{
	return fam == 4 ? 32 : 128;
}

static addr_t addr_max(void)
{
	return fam == 4 ? (addr_t)0xffffffffu : ~(addr_t)0;
}

static addr_t prefix_mask(int plen)
{
	if (plen == 0)
		return 0;
	return addr_max() & ~((((addr_t)1) << (bits() - plen)) - 1);
}

/* The regions of the topology: local, routed to dum0, routed to dum1 */
static addr_t region_base(int region)
{
	static const uint32_t v4[] = { 0x0a000000, 0xc0a80000, 0xac180000 };
	static const uint16_t v6[] = { 0xa, 0xb, 0xc };

	if (fam == 4)
		return v4[region];
	return ((addr_t)0x20010db8 << 96) | ((addr_t)v6[region] << 80);
}

/* Anchors cluster in each region's low bits so that rules overlap. */
static addr_t anchor(int region)
{
	return region_base(region) + (rnd() & 0x3ffff);
}

static addr_t rand_addr(void)
{
	return anchor(rn(3));
}

static void fmt_addr(char *buf, addr_t a)
{
	unsigned char b[16];
	int i, n = bits() / 8;

	for (i = n - 1; i >= 0; i--, a >>= 8)
		b[i] = a & 0xff;
	inet_ntop(fam == 4 ? AF_INET : AF_INET6, b, buf, INET6_ADDRSTRLEN);
}

static void gen_prefix(struct range *r)
{
	static const int v4[] = { 8, 12, 16, 20, 24, 28, 30, 31, 32, 32 };
	static const int v6[] = { 16, 32, 44, 48, 64, 96, 112, 120, 126, 127, 128, 128 };
	addr_t m;

	r->on = 1;
	r->inv = chance(10);
	r->plen = fam == 4 ? PICK(v4) : PICK(v6);
	m = prefix_mask(r->plen);
	r->lo = rand_addr() & m;
	r->hi = r->lo | (addr_max() & ~m);
}

static void gen_iprange(struct range *r)
{
	static const unsigned int widths[] = { 0, 1, 2, 255, 256, 4095, 70000 };

	r->on = 1;
	r->inv = chance(15);
	r->plen = -1;
	r->lo = rand_addr();
	r->hi = r->lo + PICK(widths);
	if (r->hi > addr_max() || r->hi < r->lo)
		r->hi = addr_max();
}

static const unsigned int port_anchors[] = {
	0, 1, 22, 53, 79, 80, 81, 443, 1023, 1024, 1025, 8080, 32767, 32768,
	65534, 65535
};

static unsigned int rand_port(void)
{
	return chance(70) ? PICK(port_anchors) : rn(65536);
}

static void gen_ports(struct ports *p)
{
	p->on = 1;
	p->inv = chance(15);
	p->lo = rand_port();
	p->hi = chance(50) ? p->lo : p->lo + rn(2000);
	if (p->hi > 65535)
		p->hi = 65535;
}

static void gen_multiport(struct rule *r)
{
	int i, used = 0;

	r->mp_dir = 1 + rn(3);
	r->mp_inv = chance(15);
	r->mp_n = 2 + rn(4);
	for (i = 0; i < r->mp_n && used < 13; i++) {
		r->mp_lo[i] = rand_port();
		r->mp_hi[i] = r->mp_lo[i];
		if (chance(40) && r->mp_lo[i] < 65535) {
			r->mp_hi[i] = r->mp_lo[i] + 1 + rn(100);
			if (r->mp_hi[i] > 65535)
				r->mp_hi[i] = 65535;
			used++;
		}
		used++;
	}
	r->mp_n = i;
}

static int icmp_proto(void)
{
	return fam == 4 ? 1 : 58;
}

static void gen_icmp(struct rule *r)
{
	static const int v4[][2] = { { 0, -1 }, { 3, -1 }, { 3, 3 }, { 3, 13 },
		{ 8, -1 }, { 8, 0 }, { 11, 1 }, { 12, -1 }, { 5, 1 } };
	static const int v6[][2] = { { 1, -1 }, { 1, 4 }, { 2, -1 }, { 3, 0 },
		{ 4, 1 }, { 128, -1 }, { 128, 0 }, { 129, -1 }, { 135, -1 } };
	const int *t = fam == 4 ? v4[rn(9)] : v6[rn(9)];

	r->icmp_on = 1;
	r->icmp_inv = chance(15);
	r->icmp_type = t[0];
	r->icmp_code = t[1];
}

static void gen_tcp_flags(struct rule *r)
{
	r->tf_on = 1;
	r->tf_inv = chance(20);
	if (chance(40)) {	/* --syn */
		r->tf_mask = 0x17;
		r->tf_cmp = 0x02;
		return;
	}
	/* iptables names only FIN to URG (ALL is 0x3f) */
	r->tf_mask = rn(64);
	if (!r->tf_mask)
		r->tf_mask = 0x3f;
	r->tf_cmp = rnd() & r->tf_mask;
}

static const char *const in_ifaces[] = {
	"eth0", "eth1", "eth+", "e+", "lo", "dum0", "eth2", "et+"
};
static const char *const out_ifaces[] = {
	"dum0", "dum1", "dum+", "d+", "lo", "eth0", "dum2", "du+"
};

static void gen_target(struct rule *r)
{
	unsigned int roll = rn(100);
	int user = r->chain >= CH_USER;
	int first = user ? r->chain + 1 : CH_USER;

	/* mostly rules that let the walk go on, so that later rules see traffic */
	if (roll < 12) {
		r->target = T_ACCEPT;
	} else if (roll < 22) {
		r->target = T_DROP;
	} else if (roll < 28) {
		r->target = T_REJECT;
		r->arg = rn(4);	/* 3: tcp-reset if -p tcp */
	} else if (roll < (user ? 42 : 33)) {
		r->target = T_RETURN;
	} else if (roll < 58 && first < N_CHAINS) {
		r->target = roll < 52 ? T_JUMP : T_GOTO;
		r->arg = first + rn(N_CHAINS - first);
	} else if (roll < 70) {
		r->target = T_LOG;
	} else {
		r->target = T_NONE;
	}
}

static int has_module(const struct rule *r, int m)
{
	switch (m) {
	case M_IPRANGE:
		return r->src_r.on || r->dst_r.on;
	case M_L4:
		return r->sport.on || r->dport.on || r->tf_on || r->l4_bare;
	case M_ICMP:
		return r->icmp_on;
	case M_MULTIPORT:
		return r->mp_dir != MP_NONE;
	case M_TTL:
		return r->ttl_op != TTL_NONE;
	default:
		return r->mark_on;
	}
}

/*
 * The order the modules are typed in, which iptables keeps: which of them
 * get to look at a packet decides whether a transport match drops a cut
 * header.  Half the rules shuffle it.
 */
static void gen_order(struct rule *r)
{
	int i, j, t, m, mp_seen = 0;

	r->n_order = 0;
	for (m = 0; m < N_MODULES; m++)
		if (has_module(r, m))
			r->order[r->n_order++] = m;
	for (i = r->n_order - 1; i > 0 && chance(50); i--) {
		j = rn(i + 1);
		t = r->order[i];
		r->order[i] = r->order[j];
		r->order[j] = t;
	}
	/*
	 * iptables loads the module of -p at its first option, but after
	 * -m multiport getopt takes --sport and --dport for abbreviations
	 * of --sports and --dports: there -m tcp/udp must be typed.
	 */
	for (i = 0; i < r->n_order; i++) {
		mp_seen |= r->order[i] == M_MULTIPORT;
		if ((r->order[i] == M_L4 && !r->l4_bare) || r->order[i] == M_ICMP)
			r->l4_implicit = !mp_seen && chance(40);
	}
	r->ip_last = chance(15);
}

/* tcp, udp, dccp and sctp have ports (iptables' -m NAME of the same name) */
static int has_ports(int proto)
{
	return proto == 6 || proto == 17 || proto == 33 || proto == 132;
}

static const char *port_match(int proto)
{
	return proto == 6 ? "tcp" : proto == 17 ? "udp" : proto == 33 ? "dccp" : "sctp";
}

/* "! " before an option when @on */
static const char *inv(int on)
{
	return on ? "! " : "";
}

/* Append to @r's extension matches (-x) */
static void xt_add(struct rule *r, const char *fmt, ...)
{
	size_t n = strlen(r->xt);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->xt + n, sizeof(r->xt) - n, fmt, ap);
	va_end(ap);
}

/* A u32 test on a header field: TTL/hop limit, protocol or length */
static void gen_u32(struct rule *r)
{
	static const char *const field4[] = { "6>>8&0xFF", "6&0xFF", "0&0xFFFF" };
	static const char *const field6[] = { "4&0xFF", "4>>8&0xFF", "4>>16" };
	static const unsigned int lo[] = { 1, 6, 40 }, span[] = { 128, 12, 40 };
	int k = rn(3);
	unsigned int a = lo[k] + rn(span[k]);

	xt_add(r, " -m u32 %s--u32 \"%s=%u:%u\"", inv(chance(20)),
	       fam == 4 ? field4[k] : field6[k], a, a + rn(span[k]));
}

/*
 * -x: extension matches after the native ones, state and conntrack
 * included (nf_hipac runs and prints its native matches first; typed in
 * this order iptables does the same, so a limit spends its tokens on
 * the same packets), each module once.  Not -m connmark beside a native
 * -m mark: klabctl takes connmark's --mark for mark's ("multiple --mark
 * flags not allowed"), iptables does not.
 */
static void gen_xt_matches(struct rule *r)
{
	static const char *const strs[] = { "abc", "xyz", "klmn", "zab", "q", "hij" };
	static const char *const states[] = { "NEW", "ESTABLISHED", "RELATED", "INVALID",
					      "NEW,ESTABLISHED", "ESTABLISHED,RELATED" };
	static const unsigned int mss_vals[] = { 536, 1220, 1460, 1500, 8960 };
	static const unsigned int typed[] = { 6, 7, 0, 1, 2, 3, 4, 5 };	/* natives first */
	unsigned int used = 0, k, lo, i, n = 1 + chance(40);

	for (i = 0; i < n; i++) {
		k = rn(8);
		if (k == 3 && (r->proto != 6 || r->proto_inv))
			k = 0;	/* tcpmss takes -p tcp only */
		if (k == 4 && r->mark_on)
			k = 1;
		used |= 1u << k;
	}
	for (i = 0; i < 8; i++) {
		k = typed[i];
		if (!(used & (1u << k)))
			continue;
		switch (k) {
		case 0:
			lo = (fam == 4 ? 20 : 40) + rn(70);
			xt_add(r, " -m length %s--length %u:%u", inv(chance(20)), lo, lo + rn(40));
			break;
		case 1:
			xt_add(r, " -m string %s--string %s --algo %s", inv(chance(20)), PICK(strs),
			       chance(50) ? "bm" : "kmp");
			break;
		case 2:
			gen_u32(r);
			break;
		case 3:
			r->mss_lo = PICK(mss_vals) - rn(2);
			r->mss_hi = r->mss_lo + rn(600);
			xt_add(r, " -m tcpmss %s--mss %u:%u", inv(chance(20)), r->mss_lo, r->mss_hi);
			break;
		case 4:
			xt_add(r, " -m connmark %s--mark %u", inv(chance(20)), rn(3));
			break;
		case 5:
			xt_add(r, " -m limit --limit 1/hour --limit-burst %u", 1 + rn(5));
			break;
		case 6:
			xt_add(r, " -m conntrack %s--ctstate %s", inv(chance(15)), PICK(states));
			break;
		default:
			xt_add(r, " -m state %s--state %s", inv(chance(15)), PICK(states));
		}
	}
}

/* -x: a rule that only logs or counts may instead mark the packet or its connection */
static void gen_xt_target(struct rule *r)
{
	static const unsigned int masks[] = { 0xffffffff, 0xff, 0xf0, 1 };

	switch (rn(5)) {
	case 0:
		snprintf(r->xt_target, sizeof(r->xt_target), " -j MARK --set-xmark 0x%x/0x%x",
			 rn(3), PICK(masks));
		break;
	case 1:
		snprintf(r->xt_target, sizeof(r->xt_target), " -j MARK --set-mark %u", rn(3));
		break;
	case 2:
		snprintf(r->xt_target, sizeof(r->xt_target), " -j CONNMARK --set-mark %u", rn(3));
		break;
	case 3:
		snprintf(r->xt_target, sizeof(r->xt_target), " -j CONNMARK --restore-mark");
		break;
	default:
		snprintf(r->xt_target, sizeof(r->xt_target), " -j CONNMARK --save-mark");
	}
	r->target = T_XT;
}

/*
 * A non-contiguous mask out of the prefix @r (iptables takes "-s
 * 10.0.12.0/255.0.255.0"): one of the 1-3 bits above its last one
 * cleared, so that packets of the prefix of the leading ones (lo, hi)
 * often match and often not.
 */
static void gen_mask(struct range *r)
{
	int hole, low = bits() - r->plen;

	if (r->plen < 2)
		return;
	hole = low + 1 + rn(r->plen - 1 < 3 ? r->plen - 1 : 3);
	r->mask = prefix_mask(r->plen) & ~((addr_t)1 << hole);
	r->maddr = r->lo & r->mask;
	r->lo &= prefix_mask(bits() - 1 - hole);
	r->hi = r->lo | (addr_max() & ~prefix_mask(bits() - 1 - hole));
}

/*
 * nf_hipac compares the masks of jumps, gotos and returns on masked
 * dimensions, one per (side, address word, mask word) beyond the mask's
 * leading ones, and has 12 per rule set, shared with --mark masks and
 * --state/--ctstate sets: a 400-rule set of -x uses up to 11 of them
 * (5 mark masks, 6 state sets).  So such rules take one mask on one
 * side, whose non-contiguous part (from its leading ones to its last
 * one, gen_mask()) lies in one address word: one dimension in all.  Not
 * under "!" in IPv6, where every word the mask has ones in takes one.
 */
static int jump_mask_ok(const struct range *r, int dst)
{
	static addr_t mask;
	static int side = -1;
	int lead = 0, last = r->plen - 1;

	while (lead < bits() && (r->mask >> (bits() - 1 - lead)) & 1)
		lead++;
	if (lead / 32 != last / 32 || (r->inv && bits() > 32))
		return 0;
	if (side < 0) {
		side = dst;
		mask = r->mask;
	}
	return side == dst && mask == r->mask;
}

/*
 * A non-contiguous mask on any rule; extensions, which nf_hipac refuses
 * on jumps, gotos and returns, on the others
 */
static void gen_xt(struct rule *r)
{
	int jump = r->target == T_RETURN || r->target == T_JUMP ||
		   r->target == T_GOTO;
	struct range *a = r->src.on ? &r->src : &r->dst, m = *a;

	if (chance(xt_percent / 3)) {
		gen_mask(&m);
		if (!jump || !m.mask || jump_mask_ok(&m, a == &r->dst))
			*a = m;
	}
	if (jump)
		return;
	if (chance(xt_percent))
		gen_xt_matches(r);
	if ((r->target == T_NONE || r->target == T_LOG) && chance(xt_percent))
		gen_xt_target(r);
}

static void gen_rule(struct rule *r, int chain)
{
	memset(r, 0, sizeof(*r));
	r->chain = chain;
	if (chance(55))
		gen_prefix(&r->src);
	if (chance(55) || !r->src.on)
		gen_prefix(&r->dst);
	if (chance(10))
		gen_iprange(&r->src_r);
	if (chance(10))
		gen_iprange(&r->dst_r);
	if (chance(75)) {
		static const int protos[] = { 6, 6, 6, 17, 17, 0, 47, 33, 132 };

		r->proto = PICK(protos);
		if (!r->proto)
			r->proto = icmp_proto();
		r->proto_inv = chance(6);
	}
	if (has_ports(r->proto) && !r->proto_inv) {
		if (chance(30))
			gen_ports(&r->sport);
		if (chance(40))
			gen_ports(&r->dport);
		if (chance(20))
			gen_multiport(r);
		if (r->proto == 6 && chance(35))
			gen_tcp_flags(r);
		/* the port match loaded for nothing but its fragment checks */
		r->l4_bare = !r->sport.on && !r->dport.on && !r->tf_on && chance(25);
	}
	if (r->proto == icmp_proto() && !r->proto_inv && chance(60))
		gen_icmp(r);
	if (chain != CH_OUTPUT && chance(20)) {
		r->iif = PICK(in_ifaces);
		r->iif_inv = chance(15);
	}
	if (chain != CH_INPUT && chance(20)) {
		r->oif = PICK(out_ifaces);
		r->oif_inv = chance(15);
	}
	if (chance(12)) {
		static const int vals[] = { 0, 1, 2, 63, 64, 65, 127, 128, 254, 255 };

		r->ttl_op = 1 + rn(3);
		r->ttl = PICK(vals);
		r->ttl_inv = r->ttl_op == TTL_EQ && chance(30);
	}
	if (fam == 4 && chance(8))
		r->frag = chance(50) ? FRAG_YES : FRAG_NO;
	if (chance(12)) {
		static const unsigned int masks[] = { 0xffffffff, 0xff, 0xf0, 1, 0x10000 };

		r->mark_on = 1;
		r->mark_inv = chance(20);
		r->mark_mask = PICK(masks);
		r->mark = rn(3) & r->mark_mask;
	}
	gen_order(r);
	gen_target(r);
	if (xt_percent)
		gen_xt(r);
}

/* ---------------------------------------------------------- printing */

static const char *const chain_names[N_CHAINS] = {
	"INPUT", "FORWARD", "OUTPUT", "u0", "u1", "u2", "u3", "u4"
};

static void print_prefix(FILE *f, const char *opt, const struct range *r)
{
	char a[INET6_ADDRSTRLEN], m[INET6_ADDRSTRLEN];

	if (r->mask) {
		fmt_addr(a, r->maddr);
		fmt_addr(m, r->mask);
		fprintf(f, " %s%s %s/%s", inv(r->inv), opt, a, m);
		return;
	}
	fmt_addr(a, r->lo);
	fprintf(f, " %s%s %s/%d", inv(r->inv), opt, a, r->plen);
}

static void print_iprange(FILE *f, const char *opt, const struct range *r)
{
	char lo[INET6_ADDRSTRLEN], hi[INET6_ADDRSTRLEN];

	fmt_addr(lo, r->lo);
	fmt_addr(hi, r->hi);
	fprintf(f, " %s%s %s-%s", inv(r->inv), opt, lo, hi);
}

static void print_ports(FILE *f, const char *opt, const struct ports *p)
{
	fprintf(f, " %s%s %u", inv(p->inv), opt, p->lo);
	if (p->hi != p->lo)
		fprintf(f, ":%u", p->hi);
}

static void print_flag_list(FILE *f, int bitsv)
{
	static const char *const names[] = { "FIN", "SYN", "RST", "PSH", "ACK", "URG" };
	const char *sep = "";
	int i;

	if (!bitsv) {
		fputs("NONE", f);
		return;
	}
	for (i = 0; i < 6; i++) {
		if (bitsv & (1 << i)) {
			fprintf(f, "%s%s", sep, names[i]);
			sep = ",";
		}
	}
}

static void print_module(FILE *f, const struct rule *r, int m)
{
	static const char *const mp_opts[] = { "", "--sports", "--dports", "--ports" };
	static const char *const ttl_ops[] = { "", "eq", "lt", "gt" };
	const char *name;
	int i;

	switch (m) {
	case M_IPRANGE:
		fputs(" -m iprange", f);
		if (r->src_r.on)
			print_iprange(f, "--src-range", &r->src_r);
		if (r->dst_r.on)
			print_iprange(f, "--dst-range", &r->dst_r);
		break;
	case M_L4:
		if (!r->l4_implicit)
			fprintf(f, " -m %s", port_match(r->proto));
		if (r->sport.on)
			print_ports(f, "--sport", &r->sport);
		if (r->dport.on)
			print_ports(f, "--dport", &r->dport);
		if (r->tf_on && r->tf_mask == 0x17 && r->tf_cmp == 0x02) {
			fprintf(f, " %s--syn", inv(r->tf_inv));
		} else if (r->tf_on) {
			fprintf(f, " %s--tcp-flags ", inv(r->tf_inv));
			print_flag_list(f, r->tf_mask);
			fputc(' ', f);
			print_flag_list(f, r->tf_cmp);
		}
		break;
	case M_MULTIPORT:
		fprintf(f, " -m multiport %s%s ", inv(r->mp_inv), mp_opts[r->mp_dir]);
		for (i = 0; i < r->mp_n; i++) {
			fprintf(f, "%s%u", i ? "," : "", r->mp_lo[i]);
			if (r->mp_hi[i] != r->mp_lo[i])
				fprintf(f, ":%u", r->mp_hi[i]);
		}
		break;
	case M_ICMP:
		if (!r->l4_implicit)
			fputs(fam == 4 ? " -m icmp" : " -m icmp6", f);
		fprintf(f, fam == 4 ? " %s--icmp-type %d" : " %s--icmpv6-type %d",
			inv(r->icmp_inv), r->icmp_type);
		if (r->icmp_code >= 0)
			fprintf(f, "/%d", r->icmp_code);
		break;
	case M_TTL:
		name = fam == 4 ? "ttl" : "hl";
		fprintf(f, " -m %s %s--%s-%s %d", name, inv(r->ttl_inv), name,
			ttl_ops[r->ttl_op], r->ttl);
		break;
	case M_MARK:
		fprintf(f, " -m mark %s--mark 0x%x", inv(r->mark_inv), r->mark);
		if (r->mark_mask != 0xffffffff)
			fprintf(f, "/0x%x", r->mark_mask);
		break;
	}
}

static void print_target(FILE *f, const struct rule *r, int idx)
{
	static const char *const rej4[] = {
		"icmp-port-unreachable", "icmp-host-unreachable", "icmp-admin-prohibited"
	};
	static const char *const rej6[] = {
		"icmp6-port-unreachable", "icmp6-addr-unreachable", "icmp6-adm-prohibited"
	};

	switch (r->target) {
	case T_ACCEPT:
		fputs(" -j ACCEPT", f);
		break;
	case T_DROP:
		fputs(" -j DROP", f);
		break;
	case T_REJECT:
		fputs(" -j REJECT", f);
		if (r->arg == 3 && r->proto == 6 && !r->proto_inv)
			fputs(" --reject-with tcp-reset", f);
		else if (r->arg && r->arg < 3)
			fprintf(f, " --reject-with %s", fam == 4 ? rej4[r->arg] : rej6[r->arg]);
		break;
	case T_RETURN:
		fputs(" -j RETURN", f);
		break;
	case T_JUMP:
		fprintf(f, " -j %s", chain_names[r->arg]);
		break;
	case T_GOTO:
		fprintf(f, " -g %s", chain_names[r->arg]);
		break;
	case T_LOG:
		fprintf(f, " -j LOG --log-prefix \"hl%d \"", idx);
		break;
	case T_XT:
		fputs(r->xt_target, f);
		break;
	}
}

/* -s -d -i -o -f: iptables-save prints them first wherever they were typed */
static void print_ip(FILE *f, const struct rule *r)
{
	if (r->src.on)
		print_prefix(f, "-s", &r->src);
	if (r->dst.on)
		print_prefix(f, "-d", &r->dst);
	if (r->iif)
		fprintf(f, " %s-i %s", inv(r->iif_inv), r->iif);
	if (r->oif)
		fprintf(f, " %s-o %s", inv(r->oif_inv), r->oif);
	if (r->frag)
		fprintf(f, " %s-f", inv(r->frag == FRAG_NO));
}

static void print_rule(FILE *f, const struct rule *r, int idx)
{
	int i;

	fprintf(f, "-A %s", chain_names[r->chain]);
	if (r->proto)
		fprintf(f, " %s-p %d", inv(r->proto_inv), r->proto);
	if (!r->ip_last)
		print_ip(f, r);
	for (i = 0; i < r->n_order; i++)
		print_module(f, r, r->order[i]);
	if (r->ip_last)
		print_ip(f, r);
	fputs(r->xt, f);
	print_target(f, r, idx);
	fputc('\n', f);
}

static void print_header(FILE *f, const int *policy_drop, int n_user)
{
	int c;

	fputs("*filter\n", f);
	for (c = 0; c < CH_USER; c++)
		fprintf(f, ":%s %s [0:0]\n", chain_names[c], policy_drop[c] ? "DROP" : "ACCEPT");
	for (c = CH_USER; c < CH_USER + n_user; c++)
		fprintf(f, ":%s - [0:0]\n", chain_names[c]);
}

/* ---------------------------------------------------------- packets */

/* A value of [lo, hi] (or outside it when @want_out), often at an edge */
static addr_t pick_val(addr_t lo, addr_t hi, addr_t max, int want_out)
{
	if (chance(15))
		want_out = !want_out;
	if (want_out && (lo > 0 || hi < max)) {
		if (lo == 0 || (hi < max && chance(50)))
			return chance(60) ? hi + 1 : hi + 1 + rn(1000) % (max - hi);
		return chance(60) ? lo - 1 : rn(1000) % lo;
	}
	switch (rn(4)) {
	case 0:
		return lo;
	case 1:
		return hi;
	default:
		if (hi - lo + 1 == 0)	/* the whole space */
			return rnd();
		return lo + rnd() % (hi - lo + 1);
	}
}

static addr_t pick_addr(const struct range *a, const struct range *b, addr_t dflt)
{
	const struct range *r = a->on ? a : b;

	if (a->on && b->on && chance(50))
		r = b;
	if (!r->on)
		return dflt;
	return pick_val(r->lo, r->hi, addr_max(), r->inv);
}

static int is_local(addr_t a)
{
	if (fam == 4)
		return (a >> 24) == 10;
	return (a >> 80) == (((addr_t)0x20010db8 << 16) | 0xa);
}

static int pick_port(const struct rule *r, const struct ports *p, int is_dst)
{
	int i;

	if (p->on)
		return pick_val(p->lo, p->hi, 65535, p->inv);
	if (r->mp_dir && (r->mp_dir == MP_ANY || r->mp_dir == (is_dst ? MP_DST : MP_SRC))) {
		i = rn(r->mp_n);
		return pick_val(r->mp_lo[i], r->mp_hi[i], 65535, r->mp_inv);
	}
	return rand_port();
}

static int pick_proto(const struct rule *r)
{
	static const int others[] = { 6, 6, 17, 17, 0, 47, 33, 132 };
	int p;

	if (r->proto && !r->proto_inv && !chance(10))
		return r->proto;
	do {
		p = PICK(others);
		if (!p)
			p = icmp_proto();
	} while (r->proto_inv && p == r->proto && !chance(10));
	return p;
}

static void pick_icmp(const struct rule *r, struct pkt *p)
{
	static const int types4[] = { 0, 3, 3, 5, 8, 11, 12, 13 };
	static const int types6[] = { 1, 2, 3, 4, 128, 129, 135, 136 };

	if (r->icmp_on && !chance(20)) {
		p->itype = r->icmp_type;
		p->icode = r->icmp_code >= 0 ? r->icmp_code : (int)rn(4);
		if (chance(20))
			p->icode += chance(50) ? 1 : -1;
		if (p->icode < 0)
			p->icode = 0;
		return;
	}
	p->itype = fam == 4 ? PICK(types4) : PICK(types6);
	p->icode = rn(5);
}

static int pick_tcp_flags(const struct rule *r)
{
	static const int combos[] = { 0x02, 0x12, 0x10, 0x11, 0x04, 0x14, 0x18, 0x03, 0x00,
		0xff, 0x29 };
	int v;

	if (!r->tf_on || chance(15))
		return chance(70) ? PICK(combos) : (int)rn(256);
	v = (r->tf_cmp & r->tf_mask) | (rnd() & ~r->tf_mask & 0xff);
	if (chance(35))
		v ^= 1 << rn(8);
	return v;
}

static int pick_ttl(const struct rule *r)
{
	static const int vals[] = { 1, 2, 63, 64, 65, 128, 254, 255 };
	int t;

	if (!r->ttl_op || chance(15))
		return PICK(vals);
	t = r->ttl + (int)rn(3) - 1;
	if (t < 1)
		t = 1;
	return t > 255 ? 255 : t;
}

static int pick_frag(const struct rule *r, const struct pkt *p)
{
	/* offset 1: xtables' tcp match drops such a fragment */
	static const int offsets[] = { 1, 2, 3, 100, 185, 8191 };
	int mf = chance(50) ? 0x2000 : 0;

	if (fam != 4 || is_local(p->dst))
		return 0;
	if (r->frag == FRAG_YES || (r->frag == FRAG_ANY && chance(12)))
		return mf | PICK(offsets);
	return chance(10) ? 0x2000 : 0;	/* a first fragment */
}

static unsigned int pick_mark(const struct rule *r)
{
	static const unsigned int vals[] = { 0, 1, 2, 0x10, 0x11, 0xff, 0x10000, 0xffffffff };
	unsigned int m;

	if (!r->mark_on || chance(15))
		return PICK(vals);
	m = r->mark | (rnd() & ~r->mark_mask);
	if (chance(35)) {	/* one bit the mask looks at, flipped */
		unsigned int bit;

		do
			bit = 1u << rn(32);
		while (!(bit & r->mark_mask));
		m ^= bit;
	}
	return m;
}

static const char *pick_iface(const struct rule *r)
{
	if (r->iif && !r->iif_inv && !strcmp(r->iif, "eth1"))
		return "eth1";
	if (r->iif && !r->iif_inv && !strcmp(r->iif, "eth0"))
		return "eth0";
	return chance(50) ? "eth0" : "eth1";
}

/* -x: an MSS option's value, often at the edges of the rule's -m tcpmss */
static unsigned int pick_mss(const struct rule *r)
{
	static const unsigned int vals[] = { 1, 536, 1220, 1460, 1500, 8960, 65535 };

	if (!r->mss_hi || chance(20))
		return PICK(vals);
	switch (rn(4)) {
	case 0:
		return r->mss_lo - 1;
	case 1:
		return r->mss_lo;
	case 2:
		return r->mss_hi;
	default:
		return r->mss_hi + 1;
	}
}

/* Whether some module comes before the rule's first transport match */
static int transport_behind(const struct rule *r)
{
	int i, m;

	for (i = 0; i < r->n_order; i++) {
		m = r->order[i];
		if (m == M_L4 || m == M_ICMP || m == M_MULTIPORT)
			return i > 0;
	}
	return 0;
}

static void gen_packet(const struct rule *r, struct pkt *p)
{
	addr_t dflt_dst;

	memset(p, 0, sizeof(*p));
	switch (r->chain) {
	case CH_INPUT:
		p->peer = 1;
		dflt_dst = anchor(0);
		break;
	case CH_FORWARD:
		p->peer = 1;
		dflt_dst = anchor(1 + rn(2));
		break;
	case CH_OUTPUT:
		dflt_dst = chance(80) ? anchor(1 + rn(2)) : anchor(0);
		break;
	default:
		p->peer = chance(50);
		dflt_dst = rand_addr();
	}
	p->ifname = p->peer ? pick_iface(r) : "-";
	p->src = pick_addr(&r->src, &r->src_r, rand_addr());
	p->dst = pick_addr(&r->dst, &r->dst_r, dflt_dst);
	p->proto = pick_proto(r);
	if (has_ports(p->proto)) {
		p->sport = pick_port(r, &r->sport, 0);
		p->dport = pick_port(r, &r->dport, 1);
	}
	if (p->proto == 6)
		p->tflags = pick_tcp_flags(r);
	if (p->proto == icmp_proto())
		pick_icmp(r, p);
	p->ttl = pick_ttl(r);
	/* forwarding decrements the TTL before the FORWARD hook */
	if (p->peer && !is_local(p->dst) && p->ttl < 255)
		p->ttl++;
	p->frag = pick_frag(r, p);
	p->mark = p->peer ? 0 : pick_mark(r);
	p->paylen = rn(48);
	/*
	 * Now and then a transport header cut short (paylen -N: N bytes
	 * missing), which xtables' matches drop when they get to read it
	 * (-m tcpmss too: an MSS option cut off is its hotdrop).
	 */
	if (!(p->frag & 0x1fff) && chance(transport_behind(r) || r->mss_hi ? 25 : 8)) {
		if (p->proto == 6)
			p->paylen = -1 - rn(20);
		else if (p->proto == 33 || p->proto == 132)
			p->paylen = -1 - rn(12);
		else if (p->proto == 17 || p->proto == icmp_proto())
			p->paylen = -1 - rn(8);
	}
	if (xt_percent && p->proto == 6 && chance(50))
		p->mss = pick_mss(r);
}

/* Addresses outside the regions are fine as long as they are not martians. */
static addr_t sane_addr(addr_t a)
{
	if (fam == 4) {
		unsigned int top = (unsigned int)(a >> 24);

		if (top == 0 || top == 127 || top >= 224)
			return rand_addr();
		return a;
	}
	if ((a >> 120) == 0xff || (a >> 118) == 0x3fa || a <= 1)
		return rand_addr();
	return a;
}

static void print_packet(FILE *f, const struct pkt *p)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];

	fmt_addr(s, sane_addr(p->src));
	fmt_addr(d, sane_addr(p->dst));
	fprintf(f, "%s %s %s %s %d %d %d 0x%02x %d %d %d 0x%04x 0x%x %d", p->peer ? "peer" : "out",
		p->ifname, s, d, p->proto, p->sport, p->dport, p->tflags, p->itype, p->icode,
		p->ttl, p->frag, p->mark, p->paylen);
	if (p->mss)
		fprintf(f, " %u", p->mss);
	fputc('\n', f);
}

/*
 * -x: the answer to @p from the peer (hipac_send sends every peer line
 * after the "out" ones), so that conntrack sees replies: ESTABLISHED and
 * RELATED for the state matches, marked connections for connmark.
 */
static void print_reply(FILE *f, struct pkt *p)
{
	struct pkt r = *p;

	r.peer = 1;
	r.ifname = chance(50) ? "eth0" : "eth1";
	r.src = p->dst;
	r.dst = p->src;
	r.sport = p->dport;
	r.dport = p->sport;
	if (p->proto == 6)
		r.tflags = p->tflags & 0x02 ? 0x12 : 0x10;	/* SYN-ACK or ACK */
	if (p->proto == icmp_proto() && p->itype == (fam == 4 ? 8 : 128))
		r.itype++;	/* echo reply */
	r.frag = 0;
	r.mark = 0;
	if (r.paylen < 0)
		r.paylen = 0;
	r.ttl = 64;
	print_packet(f, &r);
}

/* ---------------------------------------------------------- main modes */

static int gen_random_set(int n_rules, int n_pkts, FILE *rf, FILE *pf)
{
	struct rule *rules = calloc(n_rules, sizeof(*rules));
	int policy_drop[CH_USER], i, c;
	struct rule any;
	struct pkt p;

	if (!rules)
		return -1;
	for (c = 0; c < CH_USER; c++)
		policy_drop[c] = chance(35);
	/* base chains get most rules; the chains are written in order */
	for (i = 0; i < n_rules; i++) {
		unsigned int roll = rn(100);

		c = roll < 22 ? CH_INPUT : roll < 44 ? CH_FORWARD : roll < 66 ? CH_OUTPUT :
			CH_USER + (int)rn(N_USER);
		gen_rule(&rules[i], c);
	}
	print_header(rf, policy_drop, N_USER);
	for (c = 0; c < N_CHAINS; c++)
		for (i = 0; i < n_rules; i++)
			if (rules[i].chain == c)
				print_rule(rf, &rules[i], i);
	fputs("COMMIT\n", rf);

	memset(&any, 0, sizeof(any));
	for (i = 0; i < n_pkts; i++) {
		if (chance(10)) {
			any.chain = rn(N_CHAINS);
			gen_packet(&any, &p);
		} else {
			gen_packet(&rules[rn(n_rules)], &p);
		}
		if (xt_percent) {
			/* a reply must go back to where the packet came from */
			p.src = sane_addr(p.src);
			p.dst = sane_addr(p.dst);
		}
		print_packet(pf, &p);
		if (xt_percent && !(p.frag & 0x1fff) && chance(25))
			print_reply(pf, &p);
	}
	free(rules);
	return 0;
}

/*
 * The benchmark's worst case: @n rules on FORWARD that the flow
 * 198.18.0.1:9 -> 172.24.0.2:9 (udp) misses, each on another source,
 * then one that accepts it.  The policy drops, so a rule set that let
 * the flow fall through would show as zero throughput.
 */
static void bench_addr(char *buf, unsigned int i)
{
	addr_t a = fam == 4 ? 0x0b000000 + i : ((addr_t)0x20010db8 << 96) | ((addr_t)0xd << 80) | i;

	fmt_addr(buf, a);
}

static int gen_worst_case(int n, int n_xt, FILE *rf, FILE *nf)
{
	const char *last = fam == 4 ? "198.18.0.1" : "2001:db8:e::1";
	int every = n_xt ? n / n_xt : 0, done_xt = 0;
	char a[INET6_ADDRSTRLEN];
	int i;

	fputs("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n", rf);
	for (i = 0; i < n; i++) {
		bench_addr(a, i);
		fprintf(rf, "-A FORWARD -s %s -p udp --dport %d -j DROP\n", a, 1 + i % 1000);
		if (done_xt < n_xt && (every == 0 || (i + 1) % every == 0))
			fprintf(rf, "-A FORWARD -s %s -p udp -m length --length 0:%d -j DROP\n",
				last, 20 - done_xt++ % 20);
	}
	for (; done_xt < n_xt; done_xt++)
		fprintf(rf, "-A FORWARD -s %s -p udp -m length --length 0:%d -j DROP\n", last,
			20 - done_xt % 20);
	fprintf(rf, "-A FORWARD -s %s -p udp -j ACCEPT\nCOMMIT\n", last);
	if (!nf)
		return 0;
	fprintf(nf, "table %s klab_bench {\n chain bench {\n  type filter hook forward priority 0; policy drop;\n",
		fam == 4 ? "ip" : "ip6");
	for (i = 0; i < n; i++) {
		bench_addr(a, i);
		fprintf(nf, "  %s saddr %s udp dport %d counter drop\n", fam == 4 ? "ip" : "ip6",
			a, 1 + i % 1000);
	}
	fprintf(nf, "  %s saddr %s meta l4proto udp counter accept\n }\n}\n",
		fam == 4 ? "ip" : "ip6", last);
	return 0;
}

static FILE *open_out(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		fprintf(stderr, "hipac_gen: %s: %s\n", path, strerror(errno));
	return f;
}

static void usage(void)
{
	fputs("usage: hipac_gen -f 4|6 -s SEED [-n RULES] [-k PACKETS] [-x PERCENT]\n"
	      "                 -r RULES -p PACKETS\n"
	      "       hipac_gen -f 4|6 -w N [-e E] -r RULES [-t NFT]\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *rpath = NULL, *ppath = NULL, *tpath = NULL;
	int n_rules = 300, n_pkts = 800, worst = -1, n_xt = 0, opt, rc;
	unsigned long long seed = 1;
	FILE *rf, *pf = NULL;

	while ((opt = getopt(argc, argv, "f:s:n:k:r:p:w:t:x:e:")) != -1) {
		switch (opt) {
		case 'e':
			n_xt = atoi(optarg);
			break;
		case 'x':
			xt_percent = atoi(optarg);
			break;
		case 'f':
			fam = atoi(optarg);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			n_rules = atoi(optarg);
			break;
		case 'k':
			n_pkts = atoi(optarg);
			break;
		case 'r':
			rpath = optarg;
			break;
		case 'p':
			ppath = optarg;
			break;
		case 'w':
			worst = atoi(optarg);
			break;
		case 't':
			tpath = optarg;
			break;
		default:
			usage();
		}
	}
	if ((fam != 4 && fam != 6) || !rpath || n_rules < 1 || (worst < 0 && !ppath) ||
	    n_xt < 0 || (n_xt && tpath))
		usage();
	rng_state = seed * 0x9e3779b97f4a7c15ULL + 1;
	rf = open_out(rpath);
	if (!rf)
		return 1;
	if (worst >= 0) {
		pf = tpath ? open_out(tpath) : NULL;
		if (tpath && !pf)
			return 1;
		rc = gen_worst_case(worst, n_xt, rf, pf);
	} else {
		pf = open_out(ppath);
		if (!pf)
			return 1;
		rc = gen_random_set(n_rules, n_pkts, rf, pf);
	}
	if (pf && fclose(pf))
		rc = -1;
	if (fclose(rf))
		rc = -1;
	return rc ? 1 : 0;
}
