// SPDX-License-Identifier: GPL-2.0
/*
 * nf_hipac: a rule set's flat rules, the chains hipac_chains_build()
 * takes.  Each rule becomes one or more flat rules (conjunctions of one
 * interval per match, expand.c) sharing its origin, preceded by the
 * hotdrop twins of its transport matches; a commit copies the flat rules
 * of the rules it leaves alone from the rule set it replaces.
 */
#include <linux/in.h>
#include <linux/slab.h>

#include "nf_hipac.h"

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
void nfh_origin_set(struct nfh_compiled *comp, u32 o,
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
bool nfh_same_expansion(const struct nfh_compiled *comp,
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
int nfh_flatten(const struct nfh_ruleset *rs, struct nfh_compiled *comp,
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
