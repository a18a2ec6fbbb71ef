// SPDX-License-Identifier: GPL-2.0
/*
 * nf_hipac: a rule's matches as intervals of the tree's dimensions.  A
 * match that is one interval goes into the rule's base conjunction; one
 * that is not (a port list, "!" of TCP flags or of a masked address, a
 * connection's direction or status) is a disjunction, a term, and the
 * rule is the product of its terms (flat.c emits it).
 */
#include <linux/in.h>

#include "nf_hipac.h"

static void nfh_alt_add(struct nfh_alt *a, u32 dim, u32 l, u32 r, bool inv)
{
	if (WARN_ON_ONCE(a->n >= ARRAY_SIZE(a->m)))
		return;
	a->m[a->n++] = (struct hipac_match){
		.dimid = dim, .invert = inv, .left = l, .right = r,
	};
}

void nfh_base(struct nfh_expand *e, u32 dim, u32 l, u32 r, bool inv)
{
	if (WARN_ON_ONCE(e->n_base >= NFH_MAX_BASE)) {
		e->never = true;
		return;
	}
	e->base[e->n_base++] = (struct hipac_match){
		.dimid = dim, .invert = inv, .left = l, .right = r,
	};
}

/* [@l, @r] (or, with @inv, its complement), which may be empty */
static void nfh_base_maybe(struct nfh_expand *e, u32 dim, s64 l, s64 r,
			   bool inv)
{
	if (l <= r)
		nfh_base(e, dim, l, r, inv);
	else if (!inv)
		e->never = true;
}

static struct nfh_term *nfh_term_new(struct nfh_expand *e)
{
	struct nfh_term *t;

	if (WARN_ON_ONCE(e->n_terms >= NFH_MAX_TERMS))
		return NULL;
	t = &e->terms[e->n_terms++];
	t->n = 0;
	return t;
}

static void nfh_term_push(struct nfh_term *t, const struct nfh_alt *a)
{
	if (!WARN_ON_ONCE(t->n >= NFH_MAX_ALTS))
		t->alt[t->n++] = *a;
}

/* Close the last term: none holds means never, one is just conjunction */
static void nfh_term_done(struct nfh_expand *e)
{
	struct nfh_term *t = &e->terms[e->n_terms - 1];
	u32 i;

	if (!t->n) {
		e->never = true;
	} else if (t->n == 1) {
		for (i = 0; i < t->alt[0].n; i++)
			nfh_base(e, t->alt[0].m[i].dimid, t->alt[0].m[i].left,
				 t->alt[0].m[i].right, t->alt[0].m[i].invert);
		e->n_terms--;
	}
}

/* An address match [@lo, @hi] on @dim: the address itself or its rank */
static void nfh_expand_addr(struct nfh_expand *e,
			    const struct nfh_compiled *comp, u8 family,
			    bool dst, const u32 *lo, const u32 *hi, bool inv)
{
	const struct nfh_points *pts = &comp->pts[dst];
	u32 dim = dst ? NFH_DIM_DST : NFH_DIM_SRC, l, r, max;

	if (family == AF_INET) {
		l = lo[0];
		r = hi[0];
		max = U32_MAX;
	} else {
		l = nfh_addr_rank(pts, lo);
		r = nfh_addr_rank(pts, hi);
		max = pts->n - 1;
	}
	if (l == 0 && r == max) {
		/* ::/0 or 0.0.0.0/0: all, or with "!" nothing */
		if (inv)
			e->never = true;
		return;
	}
	nfh_base(e, dim, l, r, inv);
}

/*
 * -s or -d (@dst) with a non-contiguous mask, which is no interval of
 * the address, where no extension step compares it (-j CHAIN, -g,
 * RETURN, the nat table): (address & mask) == value, as ip_tables
 * compares, on the masked dimension of each address word the mask looks
 * at beyond the prefix of its leading ones, which is classified as
 * usual.  "!" is the disjunction of a word differing.
 */
static void nfh_expand_masked_addr(struct nfh_expand *e,
				   const struct nfh_compiled *comp,
				   const struct nfh_spec *s, u8 family,
				   bool dst)
{
	const u32 *a = dst ? s->dst : s->src;
	const u32 *m = dst ? s->dst_mask : s->src_mask;
	u8 src0 = dst ? NFH_MASKED_DST0 : NFH_MASKED_SRC0;
	bool inv = dst ? s->dst_inv : s->src_inv;
	struct nfh_term *t = NULL;
	struct nfh_alt alt;
	u32 i, dim;

	if (inv) {
		t = nfh_term_new(e);
		if (!t)
			return;
	}
	for (i = 0; i < (family == AF_INET ? 1 : 4); i++) {
		if (!nfh_masked_word(s, dst, i))
			continue;
		dim = nfh_mask_dim(comp, src0 + i, m[i]);
		if (!inv) {
			nfh_base(e, dim, a[i] & m[i], a[i] & m[i], false);
			continue;
		}
		alt.n = 0;
		nfh_alt_add(&alt, dim, a[i] & m[i], a[i] & m[i], true);
		nfh_term_push(t, &alt);
	}
	if (t)
		nfh_term_done(e);
}

/* -s and -d, of the IP part */
static void nfh_expand_prefixes(struct nfh_expand *e,
				const struct nfh_compiled *comp,
				const struct nfh_spec *s, u8 family)
{
	u32 lo[4], hi[4];

	/*
	 * A non-contiguous mask classifies on its leading ones, a superset
	 * of what it matches; under "!" that is no subset of its complement,
	 * so the tree takes any address there.  The rule's extension step
	 * (xt.c) or its masked words compare exactly.
	 */
	if (s->has_src && !(s->src_inv && s->has_src_mask)) {
		nfh_prefix_bounds(s->src, s->src_plen, lo, hi);
		nfh_expand_addr(e, comp, family, false, lo, hi, s->src_inv);
	}
	if (s->has_dst && !(s->dst_inv && s->has_dst_mask)) {
		nfh_prefix_bounds(s->dst, s->dst_plen, lo, hi);
		nfh_expand_addr(e, comp, family, true, lo, hi, s->dst_inv);
	}
	if (s->has_src_mask && !s->masks_xt)
		nfh_expand_masked_addr(e, comp, s, family, false);
	if (s->has_dst_mask && !s->masks_xt)
		nfh_expand_masked_addr(e, comp, s, family, true);
}

/* -m iprange */
static void nfh_expand_ranges(struct nfh_expand *e,
			      const struct nfh_compiled *comp,
			      const struct nfh_spec *s, u8 family)
{
	if (s->has_srange)
		nfh_expand_addr(e, comp, family, false, s->srange[0],
				s->srange[1], s->srange_inv);
	if (s->has_drange)
		nfh_expand_addr(e, comp, family, true, s->drange[0],
				s->drange[1], s->drange_inv);
}

static void nfh_expand_multiport(struct nfh_expand *e,
				 const struct nfh_spec *s)
{
	bool src = s->mp_dir != NF_HIPAC_MP_DST;
	bool dst = s->mp_dir != NF_HIPAC_MP_SRC;
	struct nfh_term *t = NULL;
	struct nfh_alt a;
	u32 i;

	if (!s->mp_inv) {
		t = nfh_term_new(e);
		if (!t)
			return;
	}
	for (i = 0; i < s->n_mp; i++) {
		if (s->mp_inv) {
			/* no listed port: every range excluded */
			if (src)
				nfh_base(e, NFH_DIM_SPORT, s->mp[i].lo,
					 s->mp[i].hi, true);
			if (dst)
				nfh_base(e, NFH_DIM_DPORT, s->mp[i].lo,
					 s->mp[i].hi, true);
			continue;
		}
		if (src) {
			a.n = 0;
			nfh_alt_add(&a, NFH_DIM_SPORT, s->mp[i].lo,
				    s->mp[i].hi, false);
			nfh_term_push(t, &a);
		}
		if (dst) {
			a.n = 0;
			nfh_alt_add(&a, NFH_DIM_DPORT, s->mp[i].lo,
				    s->mp[i].hi, false);
			nfh_term_push(t, &a);
		}
	}
	if (t)
		nfh_term_done(e);
}

/* (flags & mask) == cmp, as xt_tcpudp, one 0/1 dimension per bit */
static void nfh_expand_tcp(struct nfh_expand *e, const struct nfh_spec *s)
{
	struct nfh_term *t;
	struct nfh_alt a;
	u32 b, want;

	if (s->tcp_cmp & ~s->tcp_mask) {
		if (!s->tcp_inv)
			e->never = true;
		return;
	}
	if (!s->tcp_inv) {
		for (b = 0; b < 8; b++)
			if (s->tcp_mask & BIT(b))
				nfh_base(e, NFH_DIM_TCPFLAG0 + b,
					 !!(s->tcp_cmp & BIT(b)),
					 !!(s->tcp_cmp & BIT(b)), false);
		return;
	}
	t = nfh_term_new(e);
	if (!t)
		return;
	for (b = 0; b < 8; b++) {
		if (!(s->tcp_mask & BIT(b)))
			continue;
		want = !(s->tcp_cmp & BIT(b));
		a.n = 0;
		nfh_alt_add(&a, NFH_DIM_TCPFLAG0 + b, want, want, false);
		nfh_term_push(t, &a);
	}
	nfh_term_done(e);
}

static void nfh_expand_iface(struct nfh_expand *e,
			     const struct nfh_compiled *comp, u32 dim,
			     const char *name, bool inv)
{
	char pat[IFNAMSIZ];
	size_t n = strlen(name);
	u32 lo, hi;

	if (name[n - 1] != '+') {
		lo = nfh_ifname_rank(comp, name);
		nfh_base(e, dim, lo, lo, inv);
		return;
	}
	strscpy(pat, name, sizeof(pat));
	pat[n - 1] = '\0';
	nfh_ifname_wildcard(comp, pat, &lo, &hi);
	nfh_base(e, dim, lo, hi, inv);
}

/*
 * "@src & @mask is not 0" (with @inv: "is 0") on its masked dimension:
 * one interval, [1, mask] or [0, 0].  A mask of 0 holds for no packet.
 */
static void nfh_expand_masked(struct nfh_expand *e,
			      const struct nfh_compiled *comp, u8 src,
			      u32 mask, bool inv)
{
	if (!mask) {
		if (!inv)
			e->never = true;
		return;
	}
	if (inv)
		nfh_base(e, nfh_mask_dim(comp, src, mask), 0, 0, false);
	else
		nfh_base(e, nfh_mask_dim(comp, src, mask), 1, mask, false);
}

static void nfh_expand_icmp(struct nfh_expand *e, const struct nfh_spec *s,
			    u8 family)
{
	u32 v;

	if (family == AF_INET && s->icmp_type == 0xff) {
		/* iptables' "any" */
		if (s->icmp_inv)
			e->never = true;
		return;
	}
	v = s->icmp_type << 8;
	nfh_base(e, NFH_DIM_ICMP, v | s->icmp_code[0], v | s->icmp_code[1],
		 s->icmp_inv);
}

static void nfh_expand_ttl(struct nfh_expand *e, const struct nfh_spec *s)
{
	if (s->ttl_op == NF_HIPAC_TTL_EQ)
		nfh_base(e, NFH_DIM_TTL, s->ttl, s->ttl, s->ttl_inv);
	else if (s->ttl_op == NF_HIPAC_TTL_LT)
		nfh_base_maybe(e, NFH_DIM_TTL, 0, (s64)s->ttl - 1, s->ttl_inv);
	else
		nfh_base_maybe(e, NFH_DIM_TTL, (s64)s->ttl + 1, 255, s->ttl_inv);
}

static void nfh_expand_mark(struct nfh_expand *e,
			    const struct nfh_compiled *comp,
			    const struct nfh_spec *s)
{
	if (s->mark & ~s->mark_mask) {
		if (!s->mark_inv)
			e->never = true;
		return;
	}
	nfh_base(e, nfh_mask_dim(comp, NFH_MASKED_MARK, s->mark_mask),
		 s->mark, s->mark, s->mark_inv);
}

/* --ctdir and --ctstatus of a connection, as one alternative */
static void nfh_alt_ct(struct nfh_alt *a, const struct nfh_compiled *comp,
		       const struct nfh_spec *s)
{
	u32 dim = nfh_mask_dim(comp, NFH_MASKED_CTSTATUS, s->ctstatus);

	a->n = 0;
	/* a connection, in the given direction or in either */
	if (s->has_ctdir)
		nfh_alt_add(a, NFH_DIM_CTDIR, s->ctdir, s->ctdir, false);
	else
		nfh_alt_add(a, NFH_DIM_CTDIR, NFH_CTDIR_ORIGINAL,
			    NFH_CTDIR_REPLY, false);
	if (!s->has_ctstatus)
		return;
	if (s->ctstatus_inv)
		nfh_alt_add(a, dim, 0, 0, false);
	else if (s->ctstatus)
		nfh_alt_add(a, dim, 1, s->ctstatus, false);
	else
		a->n = 0;	/* --ctstatus NONE: never */
}

/*
 * -m conntrack as xt_conntrack: --ctstate on the packet's state bits;
 * without a connection (INVALID, UNTRACKED) the match ends there, true
 * if --ctstate was given, false if not; with one, --ctdir and --ctstatus
 * must hold too.
 */
static void nfh_expand_conntrack(struct nfh_expand *e,
				 const struct nfh_compiled *comp,
				 const struct nfh_spec *s)
{
	struct nfh_term *t;
	struct nfh_alt a;
	u32 k;

	if (s->has_ctstate)
		nfh_expand_masked(e, comp, NFH_MASKED_CTSTATE, s->ctstate,
				  s->ctstate_inv);
	if (!s->has_ctdir && !s->has_ctstatus)
		return;
	nfh_alt_ct(&a, comp, s);
	if (!s->has_ctstate) {
		if (!a.n)
			e->never = true;
		for (k = 0; k < a.n; k++)
			nfh_base(e, a.m[k].dimid, a.m[k].left, a.m[k].right,
				 false);
		return;
	}
	t = nfh_term_new(e);
	if (!t)
		return;
	if (a.n)
		nfh_term_push(t, &a);
	a.n = 0;
	nfh_alt_add(&a, NFH_DIM_CTDIR, NFH_CTDIR_NONE, NFH_CTDIR_NONE, false);
	nfh_term_push(t, &a);
	nfh_term_done(e);
}

/*
 * As xtables' tcp, udp, multiport and icmp: no non-first fragments.  A
 * rule with tcp and multiport needs it once.
 */
void nfh_first_frag(struct nfh_expand *e)
{
	u32 i;

	for (i = 0; i < e->n_base; i++)
		if (e->base[i].dimid == NFH_DIM_FRAG &&
		    e->base[i].left == NFH_FRAG_NONE &&
		    e->base[i].right == NFH_FRAG_NONE && !e->base[i].invert)
			return;
	nfh_base(e, NFH_DIM_FRAG, NFH_FRAG_NONE, NFH_FRAG_NONE, false);
}

/* The matches of match module @m (enum nf_hipac_match) of @s */
void nfh_expand_module(struct nfh_expand *e,
		       const struct nfh_compiled *comp,
		       const struct nfh_spec *s, u8 family, u8 m)
{
	switch (m) {
	case NF_HIPAC_M_IPRANGE:
		nfh_expand_ranges(e, comp, s, family);
		break;
	case NF_HIPAC_M_TCP_UDP:
		if (s->has_sport)
			nfh_base(e, NFH_DIM_SPORT, s->sport[0], s->sport[1],
				 s->sport_inv);
		if (s->has_dport)
			nfh_base(e, NFH_DIM_DPORT, s->dport[0], s->dport[1],
				 s->dport_inv);
		if (s->has_tcp)
			nfh_expand_tcp(e, s);
		nfh_first_frag(e);
		break;
	case NF_HIPAC_M_ICMP:
		nfh_expand_icmp(e, s, family);
		nfh_first_frag(e);
		break;
	case NF_HIPAC_M_MULTIPORT:
		nfh_expand_multiport(e, s);
		nfh_first_frag(e);
		break;
	case NF_HIPAC_M_TTL:
		nfh_expand_ttl(e, s);
		break;
	case NF_HIPAC_M_MARK:
		nfh_expand_mark(e, comp, s);
		break;
	case NF_HIPAC_M_STATE:
		nfh_expand_masked(e, comp, NFH_MASKED_CTSTATE, s->state,
				  s->state_inv);
		break;
	case NF_HIPAC_M_CONNTRACK:
		nfh_expand_conntrack(e, comp, s);
		break;
	}
}

/* What ip_packet_match() checks: addresses, interfaces, protocol, -f */
void nfh_expand_ip(struct nfh_expand *e,
		   const struct nfh_compiled *comp,
		   const struct nfh_spec *s, u8 family)
{
	e->n_base = 0;
	e->n_terms = 0;
	e->never = false;
	nfh_expand_prefixes(e, comp, s, family);
	if (s->has_proto)
		nfh_base(e, NFH_DIM_PROTO, s->proto, s->proto, s->proto_inv);
	if (s->has_iif)
		nfh_expand_iface(e, comp, NFH_DIM_IIF, s->iif, s->iif_inv);
	if (s->has_oif)
		nfh_expand_iface(e, comp, NFH_DIM_OIF, s->oif, s->oif_inv);
	if (s->has_frag && s->frag_inv)
		nfh_base(e, NFH_DIM_FRAG, NFH_FRAG_NONE, NFH_FRAG_NONE, false);
	else if (s->has_frag)
		nfh_base(e, NFH_DIM_FRAG, NFH_FRAG_OFFSET1, NFH_FRAG_LATER,
			 false);
}

void nfh_expand(struct nfh_expand *e, const struct nfh_compiled *comp,
		const struct nfh_spec *s, u8 family)
{
	u32 i;

	nfh_expand_ip(e, comp, s, family);
	for (i = 0; i < s->n_order; i++)
		nfh_expand_module(e, comp, s, family, s->order[i]);
}
