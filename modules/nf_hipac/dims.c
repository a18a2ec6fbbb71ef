// SPDX-License-Identifier: GPL-2.0
/*
 * nf_hipac: the dimensions of a compiled rule set beyond the fixed ones.
 * Device names become ranks among the names the rule set uses, so that
 * a name and a "prefix+" pattern are intervals; each --mark mask, state
 * or status set and non-contiguous -s/-d mask word gets a masked
 * dimension of its own, whose value is the packet's field ANDed with it.
 */
#include <linux/slab.h>
#include <linux/sort.h>

#include "nf_hipac.h"

/* The masked dimension of (@src, @mask); past the last if there is none */
u32 nfh_mask_dim(const struct nfh_compiled *comp, u8 src, u32 mask)
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
bool nfh_masked_word(const struct nfh_spec *s, bool dst, u32 i)
{
	const u32 *m = dst ? s->dst_mask : s->src_mask;

	if (!(dst ? s->has_dst_mask : s->has_src_mask) || s->masks_xt || !m[i])
		return false;
	return (dst ? s->dst_inv : s->src_inv) ||
	       (i + 1) * 32 > (dst ? s->dst_plen : s->src_plen);
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

/**
 * nfh_ifname_wildcard - the IIF/OIF ranks of "@prefix+"
 * @comp: the compiled rule set
 * @prefix: the pattern without its '+'
 * @lo: set to the least rank of a name starting with @prefix
 * @hi: set to the greatest
 *
 * The names from @prefix up to its successor, see nfh_ifname_rank().
 */
void nfh_ifname_wildcard(const struct nfh_compiled *comp, const char *prefix,
			 u32 *lo, u32 *hi)
{
	char succ[IFNAMSIZ];
	bool exact;

	/* The prefix is one of the names: its own rank, 2i + 1, is the least */
	*lo = nfh_ifname_find(comp, prefix, &exact) * 2 + 1;
	*hi = nfh_prefix_succ(prefix, succ) ?
	      nfh_ifname_find(comp, succ, &exact) * 2 : 2 * comp->n_ifnames;
}

static int nfh_cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The device names and wildcard bounds used by @rs, sorted, no repeats */
int nfh_collect_ifnames(const struct nfh_ruleset *rs,
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
int nfh_collect_masks(const struct nfh_ruleset *rs,
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

void nfh_set_dims(struct nfh_compiled *comp)
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
