// SPDX-License-Identifier: GPL-2.0
/*
 * nf_hipac: IPv6 addresses as ranks.  Over four 32-bit dimensions, a
 * negated prefix or an address range is a disjunction of conjunctions,
 * and a rule with several of them multiplies into many flat rules.
 * Instead, the bounds of all the address matches of a rule set cut the
 * address space into elementary intervals: a packet's address becomes
 * the index of its interval (a binary search), and every prefix or
 * range, negated or not, is one interval of indices.
 */
#include <linux/slab.h>
#include <linux/sort.h>

#include "nf_hipac.h"

/**
 * nfh_addr_cmp - compare two addresses, host-order words
 * @a: one address
 * @b: another
 *
 * Return: <0, 0 or >0 as @a is below, equal to or above @b.
 */
int nfh_addr_cmp(const u32 *a, const u32 *b)
{
	u32 i;

	for (i = 0; i < 4; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

/**
 * nfh_prefix_bounds - the lowest and highest address of a prefix
 * @addr: the address, host-order words
 * @plen: the prefix length
 * @lo: set to the lowest address
 * @hi: set to the highest address
 */
void nfh_prefix_bounds(const u32 *addr, u32 plen, u32 *lo, u32 *hi)
{
	u32 i, bits, mask;

	for (i = 0; i < 4; i++) {
		bits = clamp_t(s32, (s32)plen - 32 * (s32)i, 0, 32);
		mask = bits == 32 ? U32_MAX : ~(U32_MAX >> bits);
		lo[i] = addr[i] & mask;
		hi[i] = lo[i] | ~mask;
	}
}

/**
 * nfh_addr_rank - the index of the elementary interval holding @a
 * @pts: the starts of the intervals, sorted, the first one 0
 * @a: the address, host-order words
 *
 * Return: the index.
 */
u32 nfh_addr_rank(const struct nfh_points *pts, const u32 *a)
{
	u32 lo = 0, hi = pts->n, mid;

	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (nfh_addr_cmp(pts->p[mid], a) <= 0)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static int nfh_point_cmp(const void *a, const void *b)
{
	return nfh_addr_cmp(a, b);
}

static void nfh_point_add(struct nfh_points *pts, const u32 *a)
{
	memcpy(pts->p[pts->n++], a, sizeof(pts->p[0]));
}

/* Add the start of [@lo, @hi] and the start of what follows it */
static void nfh_points_add(struct nfh_points *pts, const u32 *lo,
			   const u32 *hi)
{
	u32 next[4];
	int i;

	nfh_point_add(pts, lo);
	memcpy(next, hi, sizeof(next));
	for (i = 3; i >= 0; i--)
		if (++next[i])
			break;
	if (i >= 0)
		nfh_point_add(pts, next);
}

static int nfh_points_collect(const struct nfh_ruleset *rs, bool dst,
			      struct nfh_points *pts)
{
	static const u32 zero[4];
	const struct nfh_spec *s;
	u32 c, i, k, max = 1, lo[4], hi[4];

	for (c = 0; c < rs->n_chains; c++)
		max += 4 * rs->chains[c]->n_rules;
	pts->p = kvmalloc_array(max, sizeof(pts->p[0]), GFP_KERNEL);
	if (!pts->p)
		return -ENOMEM;
	nfh_point_add(pts, zero);
	for (c = 0; c < rs->n_chains; c++) {
		for (i = 0; i < rs->chains[c]->n_rules; i++) {
			s = &rs->chains[c]->rules[i]->spec;
			if (dst ? s->has_dst : s->has_src) {
				nfh_prefix_bounds(dst ? s->dst : s->src,
						  dst ? s->dst_plen : s->src_plen,
						  lo, hi);
				nfh_points_add(pts, lo, hi);
			}
			if (dst ? s->has_drange : s->has_srange)
				nfh_points_add(pts, dst ? s->drange[0] :
					       s->srange[0],
					       dst ? s->drange[1] :
					       s->srange[1]);
		}
	}
	sort(pts->p, pts->n, sizeof(pts->p[0]), nfh_point_cmp, NULL);
	for (i = 0, k = 0; i < pts->n; i++)
		if (!k || nfh_addr_cmp(pts->p[k - 1], pts->p[i]))
			memmove(pts->p[k++], pts->p[i], sizeof(pts->p[0]));
	pts->n = k;
	return 0;
}

/**
 * nfh_collect_points - the interval starts of an IPv6 rule set
 * @rs: the rule set
 * @comp: gets them in @pts (source, destination); nothing for IPv4
 *
 * Return: 0 or -ENOMEM.
 */
int nfh_collect_points(const struct nfh_ruleset *rs, struct nfh_compiled *comp)
{
	int err;

	if (rs->family != AF_INET6)
		return 0;
	err = nfh_points_collect(rs, false, &comp->pts[0]);
	return err ?: nfh_points_collect(rs, true, &comp->pts[1]);
}
