// SPDX-License-Identifier: GPL-2.0
/*
 * Partitioned trees for first-match rule sets.
 *
 * One HiPAC tree over every rule multiplies rules that overlap in many
 * dimensions: a rule wide in the first level's dimension sits in every
 * interval of it, and each interval gets its own subtree.  Rules narrow
 * in a dimension do not do that to a tree whose first level is that
 * dimension.  So, as EffiCuts and CutSplit do, the rules of a root chain
 * of verdict rules (a first-match rule set: what big firewalls are) are
 * split into parts by the first dimension, of up to HIPAC_PART_DIMS
 * chosen ones, in which they are narrow, plus one part for the rest; each
 * part is a tree of its own (hipac_chains_tree()), a lookup descends every
 * part and keeps the match of the lowest position.
 *
 * Positions shift with every insertion, so the part trees do not hold
 * them: a part's rules are renamed by the identity of their step (a run
 * of rules of one origin) interned in the partitioned family, the parts'
 * leaves report identities, and each tree maps them to positions and
 * results in an array of its own, rewritten by every update.  A part whose
 * rules (by identity, in order) did not change is shared with the tree it
 * was updated from; a changed part is updated from its old tree, which
 * builds only the regions the change reaches.  So a change costs the
 * flattening of the rule set into identities and a path of one part.
 * Neither hashes the rules a change leaves alone: their steps are found
 * by walking the old parts along the new rules (hipac_part_id()), and a
 * part's flat rules are named by their steps (hipac_flat_id()).
 */
#include "hipac_internal.h"

/*
 * A dimension is narrow for a rule whose interval holds at most its
 * max >> (bits + 1) / 2 values: a /16 of an address, 256 ports.
 */
#define HIPAC_PART_SHIFT(max)	((32 - __builtin_clz((max) | 1) + 1) / 2)

/* Dimensions with fewer values do not choose parts */
#define HIPAC_PART_MIN_MAX	0xffffu

/* An interned step: origin, verdict, then per rule its matches */
struct hipac_pstep {
	u32 hash;
	u32 len;			/* words */
	u32 *words;
};

/*
 * The partitioned trees updated from one another: the dimensions that
 * choose a rule's part and the identities of steps.
 */
struct hipac_pfam {
	u32 trees;
	struct hipac_dims dims;
	u32 policy;
	u32 policy_origin;
	u32 n_scheme;
	u8 scheme[HIPAC_PART_DIMS];
	u32 scheme_rules;		/* rules the scheme was chosen for */
	struct hipac_pstep *steps;	/* by identity */
	u32 n_steps;
	u32 steps_cap;
	u32 *slots;			/* identity + 1, 0: free */
	u32 size;			/* a power of two */
	u64 bytes;
};

/* The words of a step: origin, verdict, per rule n_matches and matches */
static u32 hipac_pstep_words(const struct hipac_chain *c, u32 i, u32 j)
{
	u32 n = 2, k;

	for (k = i; k < j; k++)
		n += 1 + 3 * c->rules[k].n_matches;
	return n;
}

static void hipac_pstep_encode(const struct hipac_chain *c, u32 i, u32 j,
			       u32 *w)
{
	u32 n = 0, k, m;

	w[n++] = c->rules[i].origin;
	w[n++] = c->rules[i].arg;
	for (k = i; k < j; k++) {
		const struct hipac_chain_rule *r = &c->rules[k];

		w[n++] = r->n_matches;
		for (m = 0; m < r->n_matches; m++) {
			w[n++] = (u32)r->matches[m].dimid << 1 |
				 r->matches[m].invert;
			w[n++] = r->matches[m].left;
			w[n++] = r->matches[m].right;
		}
	}
}

static u32 hipac_words_hash(const u32 *w, u32 n)
{
	u32 h = 2166136261u, i;

	for (i = 0; i < n; i++)
		h = (h ^ w[i]) * 16777619u;
	return h;
}

static u32 *hipac_pstep_slot(struct hipac_pfam *pf, u32 hash, const u32 *w,
			     u32 len)
{
	u32 mask = pf->size - 1, i;

	for (i = hash & mask;; i = (i + 1) & mask) {
		u32 *slot = &pf->slots[i];
		const struct hipac_pstep *st;

		if (!*slot)
			return slot;
		st = &pf->steps[*slot - 1];
		if (st->hash == hash && st->len == len &&
		    !memcmp(st->words, w, len * sizeof(u32)))
			return slot;
	}
}

static int hipac_psteps_grow(struct hipac_pfam *pf)
{
	u32 size = pf->size ? 2 * pf->size : 1024, i;
	struct hipac_pstep *steps;
	u32 *slots;

	if (size > 0x40000000u)
		return -ENOMEM;
	steps = (struct hipac_pstep *)klab_bigalloc(size / 2 * sizeof(*steps));
	slots = (u32 *)klab_bigzalloc(size * sizeof(u32));
	if (!steps || !slots) {
		klab_bigfree(steps);
		klab_bigfree(slots);
		return -ENOMEM;
	}
	if (pf->n_steps)
		memcpy(steps, pf->steps, pf->n_steps * sizeof(*steps));
	klab_bigfree(pf->steps);
	klab_bigfree(pf->slots);
	pf->bytes += (u64)(size - pf->size) / 2 * sizeof(*steps) +
		     (u64)(size - pf->size) * sizeof(u32);
	pf->steps = steps;
	pf->slots = slots;
	pf->steps_cap = size / 2;
	pf->size = size;
	for (i = 0; i < pf->n_steps; i++)
		*hipac_pstep_slot(pf, steps[i].hash, steps[i].words,
				  steps[i].len) = i + 1;
	return 0;
}

/* The identity of the step of words @w, interned if new */
static int hipac_pstep_intern(struct hipac_pfam *pf, const u32 *w, u32 len,
			      u32 *id)
{
	u32 hash = hipac_words_hash(w, len), *slot;
	struct hipac_pstep *st;

	if (pf->size) {
		slot = hipac_pstep_slot(pf, hash, w, len);
		if (*slot) {
			*id = *slot - 1;
			return 0;
		}
	}
	if (pf->n_steps == pf->steps_cap && hipac_psteps_grow(pf))
		return -ENOMEM;
	st = &pf->steps[pf->n_steps];
	st->words = (u32 *)klab_bigalloc(len * sizeof(u32));
	if (!st->words)
		return -ENOMEM;
	memcpy(st->words, w, len * sizeof(u32));
	st->hash = hash;
	st->len = len;
	pf->bytes += len * sizeof(u32);
	*id = pf->n_steps++;
	*hipac_pstep_slot(pf, hash, w, len) = *id + 1;
	return 0;
}

static void hipac_pfam_put(struct hipac_pfam *pf)
{
	u32 i;

	if (pf->trees)
		return;
	for (i = 0; i < pf->n_steps; i++)
		klab_bigfree(pf->steps[i].words);
	klab_bigfree(pf->steps);
	klab_bigfree(pf->slots);
	klab_bigfree(pf);
}

/* Whether rule @r allows few values of dimension @dim (or none) */
static bool hipac_rule_narrow(const struct hipac_dims *dims,
			      const struct hipac_chain_rule *r, u32 dim)
{
	u32 lo = 0, hi = dims->max[dim], m;
	bool seen = false;

	for (m = 0; m < r->n_matches; m++) {
		const struct hipac_match *x = &r->matches[m];

		if (x->dimid != dim || x->invert)
			continue;
		seen = true;
		if (x->left > lo)
			lo = x->left;
		if (x->right < hi)
			hi = x->right;
	}
	return seen && (lo > hi ||
			hi - lo <= dims->max[dim] >>
				   HIPAC_PART_SHIFT(dims->max[dim]));
}

/* The part of rule @r: the first dimension of the scheme it is narrow in */
static u32 hipac_part_of(const struct hipac_pfam *pf,
			 const struct hipac_chain_rule *r)
{
	u32 i;

	for (i = 0; i < pf->n_scheme; i++)
		if (hipac_rule_narrow(&pf->dims, r, pf->scheme[i]))
			return i;
	return pf->n_scheme;
}

/*
 * The dimensions that choose the parts: of those with values enough to
 * tell many rules apart (addresses, ports; not a protocol, which most
 * rules name and which cuts them into a handful), those most rules are
 * narrow in, each for at least an eighth of the rules, most first.
 */
static void hipac_part_scheme(struct hipac_pfam *pf, const struct hipac_chain *c)
{
	u32 count[HIPAC_MAX_DIMS] = { 0 };
	u32 d, k, i;

	for (k = 0; k < c->n_rules; k++)
		for (d = 0; d < pf->dims.n; d++)
			count[d] += hipac_rule_narrow(&pf->dims, &c->rules[k], d);
	pf->n_scheme = 0;
	pf->scheme_rules = c->n_rules;
	for (i = 0; i < HIPAC_PART_DIMS; i++) {
		u32 best = HIPAC_NO_MATCH;

		for (d = 0; d < pf->dims.n; d++)
			if (pf->dims.max[d] >= HIPAC_PART_MIN_MAX && count[d] &&
			    8 * (u64)count[d] >= c->n_rules &&
			    (best == HIPAC_NO_MATCH || count[d] > count[best]))
				best = d;
		if (best == HIPAC_NO_MATCH)
			break;
		pf->scheme[pf->n_scheme++] = (u8)best;
		count[best] = 0;
	}
}

static int hipac_part_fail(struct hipac_error *err, int ret, u32 chain,
			   u32 rule, const char *msg)
{
	err->chain = chain;
	err->rule = rule;
	err->msg = msg;
	return ret;
}

/*
 * Whether the root chain is first match (verdict rules only), and if so
 * whether it is valid: the same checks and messages as flattening's.
 * Return: -EOPNOTSUPP for chains hipac_chains_tree() has to build.
 */
static int hipac_part_check(const struct hipac_dims *dims,
			    const struct hipac_chain *c, u32 root,
			    const struct hipac_limits *limits,
			    struct hipac_error *err)
{
	u32 k, m;

	for (k = 0; k < c->n_rules; k++)
		if (c->rules[k].action != HIPAC_ACT_VERDICT)
			return -EOPNOTSUPP;
	for (k = 0; k < c->n_rules; k++) {
		const struct hipac_chain_rule *r = &c->rules[k];

		if (k && r->origin == c->rules[k - 1].origin &&
		    r->arg != c->rules[k - 1].arg)
			return hipac_part_fail(err, -EINVAL, root, k,
					       "rules of one origin differ in their target");
		for (m = 0; m < r->n_matches; m++) {
			const struct hipac_match *x = &r->matches[m];

			if (x->dimid >= dims->n || x->left > x->right ||
			    x->right > dims->max[x->dimid])
				return hipac_part_fail(err, -EINVAL, root, k,
						       "match out of its dimension");
		}
	}
	if (limits->max_flat_rules && c->n_rules > limits->max_flat_rules)
		return hipac_part_fail(err, -ENOSPC, root, 0,
				       "too many rules after flattening the chains");
	return 0;
}

/*
 * @old's family if it fits the rules, else a new one with its scheme: a
 * family lives while its dimensions and policy stay, its dead identities
 * are few and its rules have not grown past twice those its scheme was
 * chosen for (a rule set built up by appends gets its parts chosen again).
 */
static struct hipac_pfam *hipac_pfam_get(const struct hipac_tree *old,
					 const struct hipac_dims *dims,
					 const struct hipac_chain *c)
{
	struct hipac_pfam *pf = old ? old->pfam : NULL;
	u32 i;

	if (pf && pf->dims.n == dims->n && pf->policy == c->policy &&
	    pf->policy_origin == c->policy_origin &&
	    pf->n_steps / 2 <= c->n_rules + 1024 &&
	    c->n_rules <= 2 * pf->scheme_rules + 64) {
		for (i = 0; i < dims->n; i++)
			if (pf->dims.max[i] != dims->max[i])
				break;
		if (i == dims->n)
			return pf;
	}
	pf = (struct hipac_pfam *)klab_bigzalloc(sizeof(*pf));
	if (!pf)
		return NULL;
	pf->dims = *dims;
	pf->policy = c->policy;
	pf->policy_origin = c->policy_origin;
	pf->bytes = sizeof(*pf);
	hipac_part_scheme(pf, c);
	return pf;
}

/* Old steps a guess looks past for the step of a run (a deleted one) */
#define HIPAC_PART_SKIP		4

/*
 * Where the old tree's parts are in a walk of the new rules: per part,
 * the index of its next rule's step identity.  The rules a change leaves
 * alone come in the same order, so the step a run most likely is, is the
 * next one of its first rule's part.
 */
struct hipac_guess {
	const struct hipac_tree *old;	/* of the same family, or NULL */
	u32 at[HIPAC_PART_MAX];
};

/* The step identity the run of rule @k may have, or HIPAC_NO_MATCH */
static u32 hipac_guess_id(const struct hipac_guess *g, const u8 *part_of,
			  u32 k, u32 skip)
{
	const struct hipac_part *was;

	if (!g->old)
		return HIPAC_NO_MATCH;
	was = g->old->parts[part_of[k]];
	if (!was || g->at[part_of[k]] + skip >= was->n)
		return HIPAC_NO_MATCH;
	return was->ids[g->at[part_of[k]] + skip];
}

/*
 * The run [@i, @j), of step identity @id, was met: move past it in each
 * part it has rules in, and past the @skip old steps before it in the
 * part of its first rule (steps the new rules no longer have).
 */
static void hipac_guess_pass(struct hipac_guess *g, const u8 *part_of, u32 i,
			     u32 j, u32 id, u32 skip)
{
	u32 k;

	if (!g->old)
		return;
	g->at[part_of[i]] += skip;
	for (k = i; k < j; k++)
		if (hipac_guess_id(g, part_of, k, 0) == id)
			g->at[part_of[k]]++;
}

/*
 * The identity of the step of words @w (@len of them), run [@i, @j): the
 * guess if its words are @w, else interned, and then looked for a few
 * steps on in the old part, to get past steps that are gone.
 */
static int hipac_part_id(struct hipac_tree *t, struct hipac_guess *g,
			 const u8 *part_of, u32 i, u32 j, const u32 *w,
			 u32 len, u32 *id)
{
	struct hipac_pfam *pf = t->pfam;
	u32 guess = hipac_guess_id(g, part_of, i, 0), skip;
	const struct hipac_pstep *st;
	int err;

	if (guess != HIPAC_NO_MATCH) {
		st = &pf->steps[guess];
		if (st->len == len && !memcmp(st->words, w, len * sizeof(u32))) {
			*id = guess;
			t->guessed++;
			hipac_guess_pass(g, part_of, i, j, guess, 0);
			return 0;
		}
	}
	err = hipac_pstep_intern(pf, w, len, id);
	if (err)
		return err;
	for (skip = 1; skip <= HIPAC_PART_SKIP; skip++) {
		if (hipac_guess_id(g, part_of, i, skip) == *id) {
			hipac_guess_pass(g, part_of, i, j, *id, skip);
			break;
		}
	}
	return 0;
}

/*
 * The identity of every rule's step (@ids), and the tree's map from
 * identities to the first position and the result of their step.  The
 * steps of rules that did not change since @old are found by a walk of
 * @old's parts along the new rules (a guess checked against the step's
 * words), not by hashing each.
 */
static int hipac_part_ids(struct hipac_tree *t, const struct hipac_tree *old,
			  const struct hipac_chain *c, const u8 *part_of,
			  u32 *ids)
{
	struct hipac_pfam *pf = t->pfam;
	struct hipac_guess g = {
		.old = old && old->pfam == pf ? old : NULL, .at = { 0 },
	};
	u32 i, j, s = 0, cap = 0, *w = NULL, *e;
	int err = 0;

	for (i = 0; i < c->n_rules; i = j, s++) {
		u32 len, id;

		j = hipac_run_end(c, i);
		len = hipac_pstep_words(c, i, j);
		if (len > cap) {
			klab_bigfree(w);
			cap = 2 * len;
			w = (u32 *)klab_bigalloc(cap * sizeof(u32));
			if (!w)
				return -ENOMEM;
		}
		hipac_pstep_encode(c, i, j, w);
		err = hipac_part_id(t, &g, part_of, i, j, w, len, &id);
		if (err)
			goto out_free;
		for (; i < j; i++)
			ids[i] = id;
		if (s % 1024 == 0)
			klab_cond_resched();
	}

	/* the policy's entry goes last, at a position nothing reaches */
	t->n_pents = pf->n_steps + 1;
	t->pents = (u32 *)klab_bigalloc(4 * (u64)t->n_pents * sizeof(u32));
	err = -ENOMEM;
	if (!t->pents)
		goto out_free;
	for (i = 0; i < t->n_pents; i++)
		t->pents[4 * i] = HIPAC_NO_MATCH;
	for (i = 0, s = 0; i < c->n_rules; i = j, s++) {
		struct hipac_result *res;

		j = hipac_run_end(c, i);
		e = &t->pents[4 * ids[i]];
		if (e[0] != HIPAC_NO_MATCH)
			continue;
		e[0] = s;
		res = (struct hipac_result *)(e + 1);
		res->verdict = c->rules[i].arg;
		res->n_origins = 1;
		res->origins[0] = c->rules[i].origin;
	}
	e = &t->pents[4 * pf->n_steps];
	((struct hipac_result *)(e + 1))->verdict = c->policy;
	((struct hipac_result *)(e + 1))->n_origins = 1;
	((struct hipac_result *)(e + 1))->origins[0] = c->policy_origin;
	err = 0;
out_free:
	klab_bigfree(w);
	return err;
}

static void hipac_part_put(struct hipac_part *p)
{
	if (!p || --p->ref)
		return;
	hipac_free(p->tree);
	klab_bigfree(p->ids);
	klab_bigfree(p);
}

/* Changes past which an update of a part does not look for a window */
#define HIPAC_PART_WIN_MAX	64

/* The values a rule allows: per dimension, the hull of its matches */
struct hipac_hull {
	u32 lo[HIPAC_MAX_DIMS];
	u32 hi[HIPAC_MAX_DIMS];
};

static void hipac_hull_init(struct hipac_hull *h, const struct hipac_dims *dims)
{
	u32 d;

	for (d = 0; d < dims->n; d++) {
		h->lo[d] = 0;
		h->hi[d] = dims->max[d];
	}
}

/* Narrow @h by a match; an inverted one allows values on both sides */
static void hipac_hull_match(struct hipac_hull *h, u32 word, u32 left,
			     u32 right)
{
	u32 d = word >> 1;

	if (word & 1)
		return;
	if (left > h->lo[d])
		h->lo[d] = left;
	if (right < h->hi[d])
		h->hi[d] = right;
}

/* Widen @box by a rule's hull, unless the rule allows nothing */
static void hipac_box_add(struct hipac_box *box, const struct hipac_dims *dims,
			  const struct hipac_hull *h)
{
	u32 d;

	for (d = 0; d < dims->n; d++)
		if (h->lo[d] > h->hi[d])
			return;
	for (d = 0; d < dims->n; d++) {
		if (h->lo[d] < box->lo[d])
			box->lo[d] = h->lo[d];
		if (h->hi[d] > box->hi[d])
			box->hi[d] = h->hi[d];
	}
}

/* Widen @box by the rules of an interned step (hipac_pstep_encode()) */
static void hipac_box_step(struct hipac_box *box, const struct hipac_dims *dims,
			   const struct hipac_pstep *st)
{
	u32 at = 2, m, n;

	while (at < st->len) {
		struct hipac_hull h;

		hipac_hull_init(&h, dims);
		n = st->words[at++];
		for (m = 0; m < n; m++, at += 3)
			hipac_hull_match(&h, st->words[at], st->words[at + 1],
					 st->words[at + 2]);
		hipac_box_add(box, dims, &h);
	}
}

/*
 * Where the rules of a part changed from @was to the @n @rules with
 * step identities @ids: between their common head and tail, the old
 * rules' steps and the new rules.  Return: false if too many changed to
 * be worth a window.
 */
static bool hipac_part_window(const struct hipac_pfam *pf,
			      const struct hipac_part *was,
			      const struct hipac_chain_rule *rules,
			      const u32 *ids, u32 n, struct hipac_box *box)
{
	const struct hipac_dims *dims = &pf->dims;
	u32 head = 0, tail = 0, k, m, d;

	while (head < n && head < was->n && ids[head] == was->ids[head])
		head++;
	while (tail < n - head && tail < was->n - head &&
	       ids[n - 1 - tail] == was->ids[was->n - 1 - tail])
		tail++;
	if (n - head - tail > HIPAC_PART_WIN_MAX ||
	    was->n - head - tail > HIPAC_PART_WIN_MAX)
		return false;
	for (d = 0; d < dims->n; d++) {
		box->lo[d] = HIPAC_NO_MATCH;
		box->hi[d] = 0;
	}
	for (k = head; k < was->n - tail; k++)
		hipac_box_step(box, dims, &pf->steps[was->ids[k]]);
	for (k = head; k < n - tail; k++) {
		struct hipac_hull h;

		hipac_hull_init(&h, dims);
		for (m = 0; m < rules[k].n_matches; m++) {
			const struct hipac_match *x = &rules[k].matches[m];

			hipac_hull_match(&h, (u32)x->dimid << 1 | x->invert,
					 x->left, x->right);
		}
		hipac_box_add(box, dims, &h);
	}
	/* changes that allow nothing: any window is right, take all */
	for (d = 0; d < dims->n; d++) {
		if (box->lo[d] <= box->hi[d])
			continue;
		box->lo[d] = 0;
		box->hi[d] = dims->max[d];
	}
	return true;
}

/*
 * Part @i of the new tree, over @n rules (@rules, renamed to their step
 * identities @ids): @old's if it holds the same rules, else updated from
 * it.
 */
static int hipac_part_build(struct hipac_tree *t, const struct hipac_tree *old,
			    u32 i, struct hipac_chain_rule *rules, u32 *ids,
			    u32 n, const struct hipac_limits *limits,
			    struct hipac_error *err)
{
	struct hipac_part *was = old && old->pfam == t->pfam ?
				 old->parts[i] : NULL;
	struct hipac_chain sub = {
		.rules = rules, .n_rules = n,
		.policy = t->pfam->policy, .policy_origin = HIPAC_NO_MATCH,
	};
	struct hipac_box box;
	bool win = false;
	struct hipac_part *p;
	int ret;

	if (was && was->n == n && !memcmp(was->ids, ids, n * sizeof(u32))) {
		was->ref++;
		t->parts[i] = was;
		klab_bigfree(ids);
		return 0;
	}
	p = (struct hipac_part *)klab_bigzalloc(sizeof(*p));
	if (!p) {
		klab_bigfree(ids);
		return -ENOMEM;
	}
	p->ref = 1;
	p->n = n;
	p->ids = ids;
	if (was)
		win = hipac_part_window(t->pfam, was, rules, ids, n, &box);
	ret = hipac_chains_tree(&p->tree, was ? was->tree : NULL,
				win ? &box : NULL, true, &t->pfam->dims, &sub, 1,
				0, limits, err);
	if (ret) {
		klab_bigfree(ids);
		klab_bigfree(p);
		err->chain = HIPAC_NO_MATCH;
		err->rule = HIPAC_NO_MATCH;
		return ret;
	}
	t->stats.new_bytes += p->tree->stats.new_bytes + sizeof(*p) +
			      n * sizeof(u32);
	t->parts[i] = p;
	return 0;
}

/* Split the rules into parts and get each part's tree */
static int hipac_part_split(struct hipac_tree *t, const struct hipac_tree *old,
			    const struct hipac_chain *c, const u8 *part_of,
			    const u32 *ids, const struct hipac_limits *limits,
			    struct hipac_error *err)
{
	struct hipac_chain_rule *rules;
	u32 count[HIPAC_PART_MAX] = { 0 };
	u32 i, k;
	int ret = -ENOMEM;

	rules = (struct hipac_chain_rule *)
		klab_bigalloc((c->n_rules + 1) * sizeof(*rules));
	if (!rules)
		goto out_free;
	for (k = 0; k < c->n_rules; k++)
		count[part_of[k]]++;
	t->n_parts = t->pfam->n_scheme + 1;
	for (i = 0; i < t->n_parts; i++) {
		u32 n = 0, *pids;

		if (!count[i])
			continue;
		pids = (u32 *)klab_bigalloc(count[i] * sizeof(u32));
		if (!pids)
			goto out_free;
		for (k = 0; k < c->n_rules; k++) {
			if (part_of[k] != i)
				continue;
			rules[n] = c->rules[k];
			rules[n].origin = ids[k];
			pids[n++] = ids[k];
		}
		ret = hipac_part_build(t, old, i, rules, pids, n, limits, err);
		if (ret)
			goto out_free;
		klab_cond_resched();
	}
	ret = 0;
out_free:
	klab_bigfree(rules);
	return ret;
}

/* What the tree takes: its parts, shared ones included, and its maps */
static void hipac_part_count(struct hipac_tree *t)
{
	struct hipac_stats *st = &t->stats;
	u64 own = sizeof(*t) + 4 * (u64)t->n_pents * sizeof(u32);
	u32 i;

	st->nodes = 0;
	st->leaves = 0;
	st->intervals = 0;
	st->bytes = own + t->pfam->bytes;
	st->new_bytes += own;
	for (i = 0; i < t->n_parts; i++) {
		const struct hipac_part *p = t->parts[i];

		if (!p)
			continue;
		st->nodes += p->tree->stats.nodes;
		st->leaves += p->tree->stats.leaves;
		st->intervals += p->tree->stats.intervals;
		st->bytes += p->tree->stats.bytes + sizeof(*p) +
			     p->n * sizeof(u32);
	}
}

/**
 * hipac_part_make() - the partitioned tree of a first-match root chain
 * @tree: set to the new tree
 * @old: the tree to update from, or NULL
 * @dims: as for hipac_chains_build()
 * @chains: the chains
 * @n_chains: number of @chains
 * @root: the root chain
 * @limits: as for hipac_chains_build()
 * @err: as for hipac_chains_build()
 *
 * Return: as hipac_chains_build(), or -EOPNOTSUPP (and nothing done) if
 * the root chain has other rules than verdicts.
 */
int hipac_part_make(struct hipac_tree **tree, const struct hipac_tree *old,
		    const struct hipac_dims *dims,
		    const struct hipac_chain *chains, u32 n_chains, u32 root,
		    const struct hipac_limits *limits, struct hipac_error *err)
{
	const struct hipac_chain *c;
	struct hipac_tree *t;
	u32 *ids = NULL, k;
	u8 *part_of = NULL;
	int ret;

	hipac_part_fail(err, 0, HIPAC_NO_MATCH, HIPAC_NO_MATCH, NULL);
	if (dims->n == 0 || dims->n > HIPAC_MAX_DIMS)
		return hipac_part_fail(err, -EINVAL, HIPAC_NO_MATCH,
				       HIPAC_NO_MATCH, "bad dimensions");
	if (root >= n_chains)
		return hipac_part_fail(err, -EINVAL, root, HIPAC_NO_MATCH,
				       "no such root chain");
	c = &chains[root];
	ret = hipac_part_check(dims, c, root, limits, err);
	if (ret)
		return ret;

	t = (struct hipac_tree *)klab_bigzalloc(sizeof(*t));
	ids = (u32 *)klab_bigalloc((c->n_rules + 1) * sizeof(u32));
	part_of = (u8 *)klab_bigalloc(c->n_rules + 1);
	ret = -ENOMEM;
	if (!t || !ids || !part_of)
		goto err_free;
	t->pfam = hipac_pfam_get(old, dims, c);
	if (!t->pfam)
		goto err_free;
	t->pfam->trees++;
	for (k = 0; k < c->n_rules; k++)
		part_of[k] = (u8)hipac_part_of(t->pfam, &c->rules[k]);
	ret = hipac_part_ids(t, old, c, part_of, ids);
	if (ret)
		goto err_free_parts;
	ret = hipac_part_split(t, old, c, part_of, ids, limits, err);
	if (ret)
		goto err_free_parts;
	hipac_part_count(t);
	if (limits->max_bytes && t->stats.bytes > limits->max_bytes) {
		ret = hipac_part_fail(err, -ENOSPC, HIPAC_NO_MATCH,
				      HIPAC_NO_MATCH,
				      "the tree exceeds the memory limit");
		goto err_free_parts;
	}
	klab_bigfree(part_of);
	klab_bigfree(ids);
	*tree = t;
	return 0;

err_free_parts:
	/* a new family goes with its only tree */
	hipac_part_free(t);
	t = NULL;
err_free:
	klab_bigfree(t);
	klab_bigfree(part_of);
	klab_bigfree(ids);
	if (!err->msg)
		hipac_part_fail(err, ret, HIPAC_NO_MATCH, HIPAC_NO_MATCH,
				"out of memory");
	return ret;
}

/**
 * hipac_part_classify() - the outcome of a partitioned tree for a packet
 * @tree: a tree from hipac_part_make()
 * @packet: one value per dimension
 *
 * Return: the result of the first rule, by position, of any part that
 * matches, or of the policy.
 */
const struct hipac_result *hipac_part_classify(const struct hipac_tree *tree,
					       const u32 *packet)
{
	const u32 *best = &tree->pents[4 * (tree->n_pents - 1)];
	u32 i;

	for (i = 0; i < tree->n_parts; i++) {
		const struct hipac_result *res;
		const u32 *e;

		if (!tree->parts[i])
			continue;
		res = hipac_classify(tree->parts[i]->tree, packet);
		if (res->origins[0] == HIPAC_NO_MATCH)
			continue;
		e = &tree->pents[4 * res->origins[0]];
		if (e[0] < best[0])
			best = e;
	}
	return (const struct hipac_result *)(best + 1);
}

/**
 * hipac_part_free() - free a partitioned tree and the parts only it holds
 * @tree: a tree from hipac_part_make()
 */
void hipac_part_free(struct hipac_tree *tree)
{
	u32 i;

	for (i = 0; i < HIPAC_PART_MAX; i++)
		hipac_part_put(tree->parts[i]);
	tree->pfam->trees--;
	hipac_pfam_put(tree->pfam);
	klab_bigfree(tree->pents);
	klab_bigfree(tree);
}
