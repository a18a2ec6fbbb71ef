// SPDX-License-Identifier: GPL-2.0
/*
 * nf_hipac: a rule set into HiPAC trees.  Each rule becomes one or more
 * flat rules (conjunctions of one interval per match) sharing its origin:
 * a match that is not one interval, a port list or "!" of TCP flags, is
 * a disjunction, and a rule is the product of its disjunctions.  Then every base chain gets
 * its tree, with the user chains it reaches flattened in.
 */
#include <linux/in.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "nf_hipac.h"

#define NFH_MAX_ALTS	32	/* a 30-port --ports list is the most */
#define NFH_MAX_TERMS	6
#define NFH_MAX_BASE	96

/*
 * One alternative of a disjunction: a port range, a flipped TCP flag, a
 * connection's direction and status
 */
struct nfh_alt {
	u32 n;
	struct hipac_match m[2];
};

/* A disjunction */
struct nfh_term {
	u32 n;
	struct nfh_alt alt[NFH_MAX_ALTS];
};

/* One rule's matches: @base and each of @terms */
struct nfh_expand {
	struct hipac_match base[NFH_MAX_BASE];
	u32 n_base;
	struct nfh_term terms[NFH_MAX_TERMS];
	u32 n_terms;
	bool never;		/* some match can hold for no packet */
};

/* The flat rules of the whole rule set, as they are made */
struct nfh_flat {
	struct hipac_chain_rule *rules;
	u32 n_rules, cap_rules;
	struct hipac_match *pool;
	u32 n_pool, cap_pool;
};

static void nfh_alt_add(struct nfh_alt *a, u32 dim, u32 l, u32 r, bool inv)
{
	if (WARN_ON_ONCE(a->n >= ARRAY_SIZE(a->m)))
		return;
	a->m[a->n++] = (struct hipac_match){
		.dimid = dim, .invert = inv, .left = l, .right = r,
	};
}

static void nfh_base(struct nfh_expand *e, u32 dim, u32 l, u32 r, bool inv)
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

/* The masked dimension of (@src, @mask); past the last if there is none */
static u32 nfh_mask_dim(const struct nfh_compiled *comp, u8 src, u32 mask)
{
	u32 i;

	for (i = 0; i < comp->n_masks; i++)
		if (comp->masks[i].src == src && comp->masks[i].mask == mask)
			break;
	return NFH_DIM_MASKED0 + i;
}

/*
 * Whether -s or -d (@dst) of @s compares address word @i on a masked
 * dimension: a word its mask looks at, unless the prefix of the mask's
 * leading ones covers it (no "!": then the prefix is classified too)
 */
static bool nfh_masked_word(const struct nfh_spec *s, bool dst, u32 i)
{
	const u32 *m = dst ? s->dst_mask : s->src_mask;

	if (!(dst ? s->has_dst_mask : s->has_src_mask) || s->masks_xt || !m[i])
		return false;
	return (dst ? s->dst_inv : s->src_inv) ||
	       (i + 1) * 32 > (dst ? s->dst_plen : s->src_plen);
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

static u32 nfh_ifname_find(const struct nfh_compiled *comp, const char *name,
			   bool *exact)
{
	u32 lo = 0, hi = comp->n_ifnames, mid;
	int c;

	*exact = false;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(comp->ifnames[mid], name);
		if (!c) {
			*exact = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/**
 * nfh_ifname_rank - the IIF/OIF dimension value of a device name
 * @comp: the compiled rule set
 * @name: the name ("" for no device)
 *
 * With the sorted names N0 < N1 < ... of the rule set, Ni has rank
 * 2i + 1 and a name between N(i-1) and Ni has rank 2i: every name and
 * every "prefix+" pattern (the names from the prefix up to its
 * successor) is an interval of ranks.
 *
 * Return: the rank.
 */
u32 nfh_ifname_rank(const struct nfh_compiled *comp, const char *name)
{
	bool exact;
	u32 i = nfh_ifname_find(comp, name, &exact);

	return exact ? 2 * i + 1 : 2 * i;
}

/* The smallest name above every name starting with @p; false if none */
static bool nfh_prefix_succ(const char *p, char *succ)
{
	size_t n = strlen(p);

	memcpy(succ, p, n + 1);
	while (n && (u8)succ[n - 1] == 0xff)
		succ[--n] = '\0';
	if (!n)
		return false;
	succ[n - 1]++;
	return true;
}

static void nfh_expand_iface(struct nfh_expand *e,
			     const struct nfh_compiled *comp, u32 dim,
			     const char *name, bool inv)
{
	char pat[IFNAMSIZ], succ[IFNAMSIZ];
	size_t n = strlen(name);
	u32 lo, hi;
	bool exact;

	if (name[n - 1] != '+') {
		lo = nfh_ifname_rank(comp, name);
		nfh_base(e, dim, lo, lo, inv);
		return;
	}
	strscpy(pat, name, sizeof(pat));
	pat[n - 1] = '\0';
	/* The prefix is one of the names: its own rank, 2i + 1, is the least */
	lo = nfh_ifname_find(comp, pat, &exact) * 2 + 1;
	hi = nfh_prefix_succ(pat, succ) ?
	     nfh_ifname_find(comp, succ, &exact) * 2 : 2 * comp->n_ifnames;
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
static void nfh_first_frag(struct nfh_expand *e)
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
static void nfh_expand_module(struct nfh_expand *e,
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
static void nfh_expand_ip(struct nfh_expand *e,
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

static void nfh_expand(struct nfh_expand *e, const struct nfh_compiled *comp,
		       const struct nfh_spec *s, u8 family)
{
	u32 i;

	nfh_expand_ip(e, comp, s, family);
	for (i = 0; i < s->n_order; i++)
		nfh_expand_module(e, comp, s, family, s->order[i]);
}

static int nfh_flat_reserve(struct nfh_flat *f, u32 rules, u32 matches)
{
	struct hipac_chain_rule *r;
	struct hipac_match *m;
	u32 cap;

	if (f->n_rules + rules > f->cap_rules) {
		cap = max(f->n_rules + rules, f->cap_rules * 2);
		r = kvmalloc_array(cap, sizeof(*r), GFP_KERNEL);
		if (!r)
			return -ENOMEM;
		if (f->n_rules)
			memcpy(r, f->rules, f->n_rules * sizeof(*r));
		kvfree(f->rules);
		f->rules = r;
		f->cap_rules = cap;
	}
	if (f->n_pool + matches > f->cap_pool) {
		cap = max(f->n_pool + matches, f->cap_pool * 2);
		m = kvmalloc_array(cap, sizeof(*m), GFP_KERNEL);
		if (!m)
			return -ENOMEM;
		if (f->n_pool)
			memcpy(m, f->pool, f->n_pool * sizeof(*m));
		kvfree(f->pool);
		f->pool = m;
		f->cap_pool = cap;
	}
	return 0;
}

/*
 * Emit the product of @e's terms.  The matches pointers hold pool
 * offsets until nfh_flat_fixup(): the pool may still move.
 */
static int nfh_emit(struct nfh_flat *f, const struct nfh_expand *e,
		    const struct hipac_chain_rule *proto)
{
	u32 idx[NFH_MAX_TERMS] = {}, total = 1, t, i, k, width;
	const struct nfh_alt *a;
	struct hipac_chain_rule *r;
	int err;

	if (e->never)
		return 0;
	for (t = 0; t < e->n_terms; t++) {
		total *= e->terms[t].n;
		if (total > NFH_MAX_EXPANSION)
			return -E2BIG;
	}
	width = e->n_base + 4 * e->n_terms;
	err = nfh_flat_reserve(f, total, total * width);
	if (err)
		return err;
	for (i = 0; i < total; i++) {
		r = &f->rules[f->n_rules++];
		*r = *proto;
		r->matches = (void *)(uintptr_t)f->n_pool;
		memcpy(&f->pool[f->n_pool], e->base,
		       e->n_base * sizeof(e->base[0]));
		f->n_pool += e->n_base;
		for (t = 0; t < e->n_terms; t++) {
			a = &e->terms[t].alt[idx[t]];
			for (k = 0; k < a->n; k++)
				f->pool[f->n_pool++] = a->m[k];
		}
		r->n_matches = f->n_pool - (uintptr_t)r->matches;
		/* next combination, odometer style */
		for (t = 0; t < e->n_terms; t++) {
			if (++idx[t] < e->terms[t].n)
				break;
			idx[t] = 0;
		}
	}
	return 0;
}

/* The header bytes match module @m of @s reads, 0 if none */
static u32 nfh_module_need(const struct nfh_spec *s, u8 m)
{
	switch (m) {
	case NF_HIPAC_M_TCP_UDP:
		switch (s->proto) {
		case IPPROTO_TCP:
			return NFH_L4LEN_TCP;
		case IPPROTO_DCCP:
			return NFH_L4LEN_DCCP;
		case IPPROTO_SCTP:
			return NFH_L4LEN_SCTP;
		default:
			return NFH_L4LEN_UDP;
		}
	case NF_HIPAC_M_ICMP:
		return NFH_L4LEN_ICMP;
	case NF_HIPAC_M_MULTIPORT:
		return NFH_L4LEN_PORTS;
	}
	return 0;
}

/*
 * The flat rules dropping (@proto) what a transport match reading @need
 * bytes drops once the walk gets to it with @e held: less header, and
 * with @frag1 an IPv4 fragment at offset 1 (tcp).  @e is left as it was.
 */
static int nfh_emit_twins(struct nfh_flat *f, struct nfh_expand *e, u32 need,
			  bool frag1, const struct hipac_chain_rule *proto)
{
	u32 n_base = e->n_base;
	bool never = e->never;
	int err;

	nfh_first_frag(e);
	nfh_base(e, NFH_DIM_L4LEN, 0, need - 1, false);
	err = nfh_emit(f, e, proto);
	e->n_base = n_base;
	e->never = never;
	if (err || !frag1)
		return err;
	nfh_base(e, NFH_DIM_FRAG, NFH_FRAG_OFFSET1, NFH_FRAG_OFFSET1, false);
	err = nfh_emit(f, e, proto);
	e->n_base = n_base;
	e->never = never;
	return err;
}

/*
 * xtables' transport matches drop a packet they cannot read ("hotdrop")
 * instead of not matching it: a first fragment or unfragmented packet
 * with less header than they read, and for tcp an IPv4 fragment at
 * offset 1.  iptables gets to a match only once the IP part and every
 * module before it in the rule's order held (the first that fails ends
 * the rule), so ahead of such a rule go flat rules made of just those,
 * dropping what the match would, with an origin of their own (the rule
 * did not match, its counters do not count).  A transport match behind
 * another one sees no fragments (the first did not match them) and only
 * headers the first could read: its flat rules add what is left.  Where
 * the rule's extension step compares its -s/-d masks, the tree holds only
 * the masks' leading ones, a superset: those flat rules go on to the
 * rule's twin origin, which compares the masks first, as iptables does,
 * and drops only then (NFH_ORG_MASKED_HOTDROP).
 */
static int nfh_emit_hotdrop(struct nfh_flat *f, struct nfh_expand *e,
			    const struct nfh_compiled *comp,
			    const struct nfh_rule *rule, u8 family)
{
	const struct nfh_spec *s = &rule->spec;
	struct hipac_chain_rule proto = {
		.origin = NFH_ORIGIN_HOTDROP,
		.action = HIPAC_ACT_VERDICT,
		.arg = NF_HIPAC_V_DROP,
	};
	u32 i, need, covered = 0;
	bool frag1;
	int err;

	if (rule->twin_id) {
		proto.origin = rule->twin_id;
		proto.action = HIPAC_ACT_CONTINUE;
		proto.arg = 0;
	}

	nfh_expand_ip(e, comp, s, family);
	for (i = 0; i < s->n_order && !e->never; i++) {
		need = nfh_module_need(s, s->order[i]);
		if (need > covered) {
			frag1 = !covered && need == NFH_L4LEN_TCP &&
				family == AF_INET;
			err = nfh_emit_twins(f, e, need, frag1, &proto);
			if (err)
				return err;
			covered = need;
		}
		nfh_expand_module(e, comp, s, family, s->order[i]);
	}
	return 0;
}

static void nfh_flat_fixup(struct nfh_flat *f)
{
	u32 i;

	for (i = 0; i < f->n_rules; i++)
		f->rules[i].matches = f->pool + (uintptr_t)f->rules[i].matches;
}

static int nfh_cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The device names and wildcard bounds used by @rs, sorted, no repeats */
static int nfh_collect_ifnames(const struct nfh_ruleset *rs,
			       struct nfh_compiled *comp)
{
	const struct nfh_spec *s;
	const char *names[2];
	char (*v)[IFNAMSIZ];
	u32 c, i, k, n = 0, max = 0;
	size_t len;

	for (c = 0; c < rs->n_chains; c++)
		max += 4 * rs->chains[c]->n_rules;
	if (!max)
		return 0;
	v = kvmalloc_array(max, IFNAMSIZ, GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	for (c = 0; c < rs->n_chains; c++) {
		for (i = 0; i < rs->chains[c]->n_rules; i++) {
			s = &rs->chains[c]->rules[i]->spec;
			names[0] = s->has_iif ? s->iif : NULL;
			names[1] = s->has_oif ? s->oif : NULL;
			for (k = 0; k < 2; k++) {
				if (!names[k])
					continue;
				len = strlen(names[k]);
				strscpy(v[n], names[k], IFNAMSIZ);
				if (names[k][len - 1] != '+') {
					n++;
					continue;
				}
				v[n++][len - 1] = '\0';
				if (nfh_prefix_succ(v[n - 1], v[n]))
					n++;
			}
		}
	}
	sort(v, n, IFNAMSIZ, nfh_cmp_name, NULL);
	for (i = 0, k = 0; i < n; i++)
		if (!k || strcmp(v[k - 1], v[i]))
			memmove(v[k++], v[i], IFNAMSIZ);
	comp->ifnames = v;
	comp->n_ifnames = k;
	return 0;
}

/* (@src, @mask) as a masked dimension of @comp, if it is not one yet */
static int nfh_add_mask(struct nfh_compiled *comp, u8 src, u32 mask,
			const struct nfh_chain *chain, u32 pos, char *msg)
{
	if (!mask || nfh_mask_dim(comp, src, mask) <
		     NFH_DIM_MASKED0 + comp->n_masks)
		return 0;
	if (comp->n_masks == NFH_MAX_MASKED) {
		scnprintf(msg, NFH_MSG_LEN,
			  "%s rule %u: more than %u different --mark masks, -s/-d mask words and state or status sets",
			  chain->name, pos, NFH_MAX_MASKED);
		return -EINVAL;
	}
	comp->addr_masks |= src >= NFH_MASKED_SRC0;
	comp->masks[comp->n_masks].src = src;
	comp->masks[comp->n_masks++].mask = mask;
	return 0;
}

/* The non-contiguous -s and -d masks of @s, a dimension per word */
static int nfh_add_addr_masks(struct nfh_compiled *comp,
			      const struct nfh_spec *s,
			      const struct nfh_chain *chain, u32 pos, char *msg)
{
	u32 i;
	int err = 0;

	for (i = 0; i < 4 && !err; i++)
		err = nfh_add_mask(comp, NFH_MASKED_SRC0 + i,
				   nfh_masked_word(s, false, i) ?
				   s->src_mask[i] : 0, chain, pos, msg) ?:
		      nfh_add_mask(comp, NFH_MASKED_DST0 + i,
				   nfh_masked_word(s, true, i) ?
				   s->dst_mask[i] : 0, chain, pos, msg);
	return err;
}

/*
 * The masked dimensions of @rs: --mark masks, --state and --ctstate sets,
 * --ctstatus sets, -s/-d mask words; and whether any rule looks at the
 * connection
 */
static int nfh_collect_masks(const struct nfh_ruleset *rs,
			     struct nfh_compiled *comp, char *msg)
{
	const struct nfh_chain *chain;
	const struct nfh_spec *s;
	u32 c, i;
	int err;

	for (c = 0; c < rs->n_chains; c++) {
		chain = rs->chains[c];
		for (i = 0; i < chain->n_rules; i++) {
			s = &chain->rules[i]->spec;
			err = nfh_add_mask(comp, NFH_MASKED_MARK,
					   s->has_mark ? s->mark_mask : 0,
					   chain, i + 1, msg) ?:
			      nfh_add_mask(comp, NFH_MASKED_CTSTATE,
					   s->has_state ? s->state : 0,
					   chain, i + 1, msg) ?:
			      nfh_add_mask(comp, NFH_MASKED_CTSTATE,
					   s->has_ctstate ? s->ctstate : 0,
					   chain, i + 1, msg) ?:
			      nfh_add_mask(comp, NFH_MASKED_CTSTATUS,
					   s->has_ctstatus ? s->ctstatus : 0,
					   chain, i + 1, msg) ?:
			      nfh_add_addr_masks(comp, s, chain, i + 1, msg);
			if (err)
				return err;
			comp->uses_ct |= s->has_state || s->has_ctstate ||
					 s->has_ctstatus || s->has_ctdir;
		}
	}
	return 0;
}

static void nfh_set_dims(struct nfh_compiled *comp)
{
	struct hipac_dims *d = &comp->dims;
	u32 i;

	d->n = NFH_DIM_MASKED0 + comp->n_masks;
	for (i = 0; i < d->n; i++)
		d->max[i] = U32_MAX;
	/* a value ANDed with a mask is at most the mask */
	for (i = 0; i < comp->n_masks; i++)
		d->max[NFH_DIM_MASKED0 + i] = comp->masks[i].mask;
	d->max[NFH_DIM_PROTO] = 255;
	d->max[NFH_DIM_SPORT] = 65535;
	d->max[NFH_DIM_DPORT] = 65535;
	if (comp->pts[0].n) {
		d->max[NFH_DIM_SRC] = comp->pts[0].n - 1;
		d->max[NFH_DIM_DST] = comp->pts[1].n - 1;
	}
	d->max[NFH_DIM_IIF] = 2 * comp->n_ifnames;
	d->max[NFH_DIM_OIF] = 2 * comp->n_ifnames;
	for (i = 0; i < 8; i++)
		d->max[NFH_DIM_TCPFLAG0 + i] = 1;
	d->max[NFH_DIM_ICMP] = 65535;
	d->max[NFH_DIM_TTL] = 255;
	d->max[NFH_DIM_FRAG] = NFH_FRAG_LATER;
	d->max[NFH_DIM_L4LEN] = NFH_L4LEN_MAX;
	d->max[NFH_DIM_CTDIR] = NFH_CTDIR_NONE;
}

static void nfh_rule_action(const struct nfh_rule *rule,
			    const struct nfh_ruleset *rs,
			    struct hipac_chain_rule *proto)
{
	u32 idx = 0;

	/*
	 * A rule with xtables extensions only reports itself; the hook runs
	 * them and acts on the rule's verdict when they match (xt.c)
	 */
	if (rule->xt) {
		proto->action = HIPAC_ACT_CONTINUE;
		return;
	}
	switch (rule->verdict) {
	case NF_HIPAC_V_ACCEPT:
	case NF_HIPAC_V_DROP:
	case NF_HIPAC_V_REJECT:
	case NF_HIPAC_V_SNAT:
	case NF_HIPAC_V_DNAT:
	case NF_HIPAC_V_MASQUERADE:
	case NF_HIPAC_V_REDIRECT:
		proto->action = HIPAC_ACT_VERDICT;
		proto->arg = rule->verdict;
		break;
	case NF_HIPAC_V_RETURN:
		proto->action = HIPAC_ACT_RETURN;
		break;
	case NF_HIPAC_V_JUMP:
	case NF_HIPAC_V_GOTO:
		/* Checked on every change: the target exists */
		WARN_ON_ONCE(!nfh_chain_find(rs, rule->target, &idx));
		proto->action = rule->verdict == NF_HIPAC_V_JUMP ?
				HIPAC_ACT_JUMP : HIPAC_ACT_GOTO;
		proto->arg = idx;
		break;
	default:
		proto->action = HIPAC_ACT_CONTINUE;
		break;
	}
}

/*
 * What the hook needs of origin @o, whose counter is @cnt and rule @rule
 * (NULL for a policy or the hotdrops), in one place (struct nfh_origin).
 */
static void nfh_origin_set(struct nfh_compiled *comp, u32 o,
			   struct nfh_counter *cnt, struct nfh_rule *rule)
{
	struct nfh_origin *org = &comp->origins[o];

	comp->origin_rule[o] = rule;
	org->pcpu = cnt->pcpu;
	org->kind = NFH_ORG_COUNT;
	if (rule && rule->xt) {
		org->kind = NFH_ORG_XT;
		if (rule->xt->n_matches) {
			org->match = rule->xt->matches[0].match;
			org->matchinfo = rule->xt->matches[0].data;
		}
	} else if (rule && rule->verdict == NF_HIPAC_V_LOG) {
		org->kind = NFH_ORG_LOG;
	}
}

/*
 * The origin of @rule's hotdrop twins where its extension step compares
 * its -s/-d masks (nfh_emit_hotdrop()): the masks' compare, the first of
 * its matches, then the hotdrops' counter
 */
static void nfh_twin_origin_set(struct nfh_compiled *comp,
				struct nfh_rule *rule)
{
	struct nfh_origin *org = &comp->origins[rule->twin_id];

	comp->origin_rule[rule->twin_id] = rule;
	org->pcpu = comp->origins[NFH_ORIGIN_HOTDROP].pcpu;
	org->kind = NFH_ORG_MASKED_HOTDROP;
	org->match = rule->xt->matches[0].match;
	org->matchinfo = rule->xt->matches[0].data;
}

/*
 * Whether the rules of @old expanded as they would for @comp: the same
 * dimensions, device names, masks and IPv6 interval starts.
 */
static bool nfh_same_expansion(const struct nfh_compiled *comp,
			       const struct nfh_compiled *old)
{
	u32 i;

	if (!old || !old->seg || comp->n_ifnames != old->n_ifnames ||
	    comp->n_masks != old->n_masks ||
	    memcmp(&comp->dims, &old->dims, sizeof(comp->dims)) ||
	    memcmp(comp->masks, old->masks,
		   comp->n_masks * sizeof(comp->masks[0])) ||
	    (comp->n_ifnames && memcmp(comp->ifnames, old->ifnames,
				       comp->n_ifnames * IFNAMSIZ)))
		return false;
	for (i = 0; i < ARRAY_SIZE(comp->pts); i++)
		if (comp->pts[i].n != old->pts[i].n ||
		    (comp->pts[i].n &&
		     memcmp(comp->pts[i].p, old->pts[i].p,
			    comp->pts[i].n * sizeof(*comp->pts[i].p))))
			return false;
	return true;
}

/*
 * Copy @rule's flat rules from @old, which flattened the same rule object
 * (kept alive by @old's rule set, so neither its address nor its id can
 * have been reused) with the same expansion; only the action of its own
 * flat rules depends on the rule set (a jump's chain index).
 *
 * Return: 0, 1 if @old has none to copy, or -ENOMEM.
 */
static int nfh_flat_copy(struct nfh_flat *f, const struct nfh_compiled *old,
			 const struct nfh_rule *rule,
			 const struct hipac_chain_rule *proto)
{
	const struct hipac_chain_rule *from, *last;
	const struct hipac_match *m0;
	struct hipac_chain_rule *r;
	const struct nfh_seg *seg;
	u32 i, n_m;
	int err;

	if (rule->id >= old->n_origins || old->origin_rule[rule->id] != rule)
		return 1;
	seg = &old->seg[rule->id];
	if (!seg->n)
		return 1;
	from = old->flat + seg->start;
	last = from + seg->n - 1;
	m0 = from->matches;
	n_m = last->matches + last->n_matches - m0;
	err = nfh_flat_reserve(f, seg->n, n_m);
	if (err)
		return err;
	memcpy(&f->pool[f->n_pool], m0, n_m * sizeof(*m0));
	for (i = 0; i < seg->n; i++) {
		r = &f->rules[f->n_rules++];
		*r = from[i];
		r->matches = (void *)(uintptr_t)(f->n_pool +
						 (from[i].matches - m0));
		if (r->origin != rule->id)	/* a hotdrop twin */
			continue;
		r->action = proto->action;
		r->arg = proto->arg;
	}
	f->n_pool += n_m;
	return 0;
}

/* @rule's flat rules into @f: its hotdrop twins, then its own */
static int nfh_flat_rule(struct nfh_flat *f, struct nfh_expand *e,
			 const struct nfh_compiled *comp,
			 const struct nfh_compiled *old,
			 const struct nfh_ruleset *rs,
			 const struct nfh_rule *rule)
{
	struct hipac_chain_rule proto = { .origin = rule->id };
	int err = 1;

	nfh_rule_action(rule, rs, &proto);
	if (old)
		err = nfh_flat_copy(f, old, rule, &proto);
	if (err <= 0)
		return err;
	err = nfh_emit_hotdrop(f, e, comp, rule, rs->family);
	if (err)
		return err;
	nfh_expand(e, comp, &rule->spec, rs->family);
	return nfh_emit(f, e, &proto);
}

/*
 * The flat rules of every chain into @f.  A rule's origin is its id,
 * which stays while the rule does, so that an update can keep the
 * subtrees and leaves of the rules it leaves alone; a base chain's policy
 * has its hook's index.  A rule @old flattened with the same expansion
 * (NULL: none) is copied from there instead of expanded again: a commit
 * at 100k rules spent more time expanding than updating the trees.
 */
static int nfh_flatten(const struct nfh_ruleset *rs, struct nfh_compiled *comp,
		       const struct nfh_compiled *old, struct nfh_flat *f,
		       struct hipac_chain *chains, char *msg)
{
	const struct nfh_chain *chain;
	struct nfh_expand *e;
	struct nfh_rule *rule;
	u32 c, i, *start, at;
	int err = -ENOMEM;

	e = kmalloc(sizeof(*e), GFP_KERNEL);
	start = kcalloc(rs->n_chains + 1, sizeof(*start), GFP_KERNEL);
	comp->seg = kvcalloc(comp->n_origins, sizeof(*comp->seg), GFP_KERNEL);
	if (!e || !start || !comp->seg)
		goto out;
	if (old) {
		/* room for the old rules and a few more, grown once */
		err = nfh_flat_reserve(f, old->n_flat + 64,
				       old->n_pool + 1024);
		if (err)
			goto out;
	}
	for (c = 0; c < rs->n_chains; c++) {
		chain = rs->chains[c];
		start[c] = f->n_rules;
		for (i = 0; i < chain->n_rules; i++) {
			rule = chain->rules[i];
			nfh_origin_set(comp, rule->id, rule->cnt, rule);
			if (rule->twin_id)
				nfh_twin_origin_set(comp, rule);
			at = f->n_rules;
			err = nfh_flat_rule(f, e, comp, old, rs, rule);
			comp->seg[rule->id] = (struct nfh_seg){
				.start = at, .n = f->n_rules - at,
			};
			if (err == -E2BIG)
				scnprintf(msg, NFH_MSG_LEN,
					  "%s rule %u: matches expand to over %u alternatives",
					  chain->name, i + 1, NFH_MAX_EXPANSION);
			if (err)
				goto out;
		}
	}
	start[c] = f->n_rules;
	nfh_flat_fixup(f);
	for (c = 0; c < rs->n_chains; c++) {
		chains[c].rules = f->rules + start[c];
		chains[c].n_rules = start[c + 1] - start[c];
		chains[c].policy = rs->chains[c]->policy;
		chains[c].policy_origin = c < nfh_n_base(rs) ? c :
					  HIPAC_NO_MATCH;
	}
	err = 0;
out:
	kfree(start);
	kfree(e);
	return err;
}

/* Why hipac_chains_build() failed, as "CHAIN rule N: why" */
static void nfh_build_msg(const struct nfh_ruleset *rs,
			  const struct hipac_chain *chains,
			  const struct hipac_error *herr, u32 hook, char *msg)
{
	const char *why = herr->msg ?: "cannot build the classifier";
	u32 c = herr->chain, r = herr->rule, i;

	if (c >= rs->n_chains) {
		scnprintf(msg, NFH_MSG_LEN, "%s: %s",
			  nfh_table_types[rs->table].base[hook], why);
		return;
	}
	if (r >= chains[c].n_rules) {
		scnprintf(msg, NFH_MSG_LEN, "%s: %s", rs->chains[c]->name, why);
		return;
	}
	for (i = 0; i + 1 < rs->chains[c]->n_rules; i++)
		if (rs->chains[c]->rules[i]->id == chains[c].rules[r].origin)
			break;
	scnprintf(msg, NFH_MSG_LEN, "%s rule %u: %s", rs->chains[c]->name,
		  i + 1, why);
}

static int nfh_compiled_alloc(struct nfh_compiled **out, u32 n_origins)
{
	struct nfh_compiled *comp;

	comp = kzalloc(sizeof(*comp), GFP_KERNEL);
	if (!comp)
		return -ENOMEM;
	comp->n_origins = n_origins;
	comp->origins = kvcalloc(n_origins, sizeof(*comp->origins),
				 GFP_KERNEL);
	comp->origin_rule = kvcalloc(n_origins, sizeof(*comp->origin_rule),
				     GFP_KERNEL);
	*out = comp;
	if (!comp->origins || !comp->origin_rule)
		return -ENOMEM;
	return 0;
}

/*
 * Serialises the building and freeing of trees: the trees of one table's
 * hook share nodes, counted without atomics, and old ones are freed from
 * a work item while a commit may be updating from the newest.
 */
static DEFINE_MUTEX(nfh_tree_lock);

/*
 * The trees of @comp, each updated from @old's (if any): a tree shares
 * what the changes left alone with the old one, see hipac.h.
 */
static int nfh_build_trees(const struct nfh_ruleset *rs,
			   const struct nfh_compiled *old,
			   struct nfh_compiled *comp, struct hipac_chain *chains,
			   struct nfh_stats *stats, char *msg)
{
	struct hipac_limits limits = {
		.max_depth = NFH_MAX_DEPTH,
		.max_flat_rules = U32_MAX,
	};
	u64 limit = READ_ONCE(nfh_mem_limit);
	struct hipac_error herr;
	struct hipac_stats hs;
	u64 t0, t1;
	u32 h;
	int err;

	for (h = 0; h < nfh_n_base(rs); h++) {
		/* 0 would mean no bound */
		limits.max_bytes = limit > stats->bytes ?
				   limit - stats->bytes : 1;
		herr = (struct hipac_error){ HIPAC_NO_MATCH, HIPAC_NO_MATCH };
		t0 = ktime_get_ns();
		mutex_lock(&nfh_tree_lock);
		if (old)
			err = hipac_chains_update(&comp->trees[h], old->trees[h],
						  &comp->dims, chains,
						  rs->n_chains, h, &limits,
						  &herr);
		else
			err = hipac_chains_build(&comp->trees[h], &comp->dims,
						 chains, rs->n_chains, h,
						 &limits, &herr);
		mutex_unlock(&nfh_tree_lock);
		if (err == -ENOSPC || err == -E2BIG) {
			scnprintf(msg, NFH_MSG_LEN,
				  "%s: rule set needs more than mem_limit (%llu bytes)",
				  rs->chains[h]->name, limit);
			return -ENOSPC;
		}
		if (err) {
			nfh_build_msg(rs, chains, &herr, h, msg);
			return err;
		}
		t1 = ktime_get_ns();
		hipac_tree_stats(comp->trees[h], &hs);
		klab_dbg(3, "hook %u: %s %llu ns, stats %llu ns\n", h,
			 old ? "update" : "build", t1 - t0,
			 ktime_get_ns() - t1);
		stats->new_bytes += hs.new_bytes;
		stats->nodes += hs.nodes;
		stats->intervals += hs.intervals;
		stats->bytes += hs.bytes;
		if (stats->bytes > limit) {
			scnprintf(msg, NFH_MSG_LEN,
				  "%s: rule set needs more than mem_limit (%llu bytes)",
				  rs->chains[h]->name, limit);
			return -ENOSPC;
		}
	}
	return 0;
}

/*
 * A base chain without rules gives every packet its policy, so its hook
 * can take that outcome without building the packet's vector and walking
 * the tree: the nat table's empty chains are consulted for every new
 * connection (nf_nat asks PREROUTING of a table with SNAT rules only).
 * Any vector gives the outcome then; a zero one is used.
 */
static void nfh_set_fixed(const struct nfh_ruleset *rs,
			  struct nfh_compiled *comp)
{
	u32 vec[HIPAC_MAX_DIMS] = {};
	u32 h;

	for (h = 0; h < nfh_n_base(rs); h++)
		if (!rs->chains[h]->n_rules)
			comp->fixed[h] = hipac_classify(comp->trees[h], vec);
}

/**
 * nfh_compile - build what the hooks classify with from a rule set
 * @rs: the rule set, checked rule by rule already
 * @table: its table (for the policy counters)
 * @old: what the hooks use now, to update from, or NULL to build afresh;
 *	left as it is
 * @out: set to the result, which holds a reference to @rs
 * @stats: set to the result's statistics
 * @msg: NFH_MSG_LEN bytes for a message on failure
 *
 * Return: 0, -ELOOP for a chain loop, -ENOSPC over the memory limit,
 * -EINVAL or -ENOMEM.
 */
int nfh_compile(struct nfh_ruleset *rs, struct nfh_table *table,
		const struct nfh_compiled *old, struct nfh_compiled **out,
		struct nfh_stats *stats, char *msg)
{
	u32 h, n_rules = nfh_ruleset_rules(rs);
	struct hipac_chain *chains = NULL;
	struct nfh_compiled *comp;
	struct nfh_flat f = {};
	u64 t0 = ktime_get_ns(), t1, t2, t3;
	int err;

	memset(stats, 0, sizeof(*stats));
	err = nfh_check_nat_hooks(rs, msg);
	if (err)
		return err;
	err = nfh_compiled_alloc(&comp, nfh_ruleset_max_id(rs) + 1);
	if (err)
		goto err_free;
	err = nfh_collect_ifnames(rs, comp);
	if (!err)
		err = nfh_collect_points(rs, comp);
	if (!err)
		err = nfh_collect_masks(rs, comp, msg);
	if (err)
		goto err_free;
	nfh_set_dims(comp);
	t1 = ktime_get_ns();
	for (h = 0; h < nfh_n_base(rs); h++)
		nfh_origin_set(comp, h, table->policy_cnt[h], NULL);
	nfh_origin_set(comp, NFH_ORIGIN_HOTDROP, table->hotdrop_cnt, NULL);

	err = -ENOMEM;
	chains = kvcalloc(rs->n_chains, sizeof(*chains), GFP_KERNEL);
	if (!chains)
		goto err_free;
	err = nfh_flatten(rs, comp, nfh_same_expansion(comp, old) ? old : NULL,
			  &f, chains, msg);
	if (err)
		goto err_free;
	t2 = ktime_get_ns();
	stats->rules = n_rules;
	stats->flat_rules = f.n_rules;
	if ((u64)f.n_pool * sizeof(*f.pool) > READ_ONCE(nfh_mem_limit)) {
		scnprintf(msg, NFH_MSG_LEN,
			  "rule set needs more than mem_limit (%lu bytes)",
			  READ_ONCE(nfh_mem_limit));
		err = -ENOSPC;
		goto err_free;
	}
	err = nfh_build_trees(rs, old, comp, chains, stats, msg);
	if (err)
		goto err_free;
	t3 = ktime_get_ns();
	nfh_set_fixed(rs, comp);
	stats->build_ns = ktime_get_ns() - t0;
	klab_dbg(3, "compile: collect %llu, flatten %llu, trees %llu ns\n",
		 t1 - t0, t2 - t1, t3 - t2);

	refcount_inc(&rs->ref);
	comp->rs = rs;
	comp->flat = f.rules;
	comp->pool = f.pool;
	comp->n_flat = f.n_rules;
	comp->n_pool = f.n_pool;
	f.rules = NULL;
	f.pool = NULL;
	*out = comp;
	err = 0;
	goto out;

err_free:
	nfh_compiled_free(comp);
out:
	kvfree(f.rules);
	kvfree(f.pool);
	kvfree(chains);
	return err;
}

/**
 * nfh_compiled_free - free @comp at once
 * @comp: what to free, or NULL; no hook may be using it
 *
 * Hooks may use a published one until a grace period has passed: see
 * nfh_compiled_put_rcu().
 */
void nfh_compiled_free(struct nfh_compiled *comp)
{
	u32 h;

	if (!comp)
		return;
	mutex_lock(&nfh_tree_lock);
	for (h = 0; h < NFH_MAX_HOOKS; h++)
		hipac_free(comp->trees[h]);
	mutex_unlock(&nfh_tree_lock);
	nfh_ruleset_put(comp->rs);
	kvfree(comp->seg);
	kvfree(comp->pool);
	kvfree(comp->flat);
	kvfree(comp->origin_rule);
	kvfree(comp->origins);
	kvfree(comp->ifnames);
	kvfree(comp->pts[1].p);
	kvfree(comp->pts[0].p);
	kfree(comp);
}
