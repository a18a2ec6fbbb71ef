// SPDX-License-Identifier: GPL-2.0
/*
 * Chains flattened into one HiPAC tree.
 *
 * Flattening walks the chains reachable from the root depth first, the
 * order a walk visits them, and turns each run of rules of one origin
 * into a "step".  A step called from a jump inherits the jump's matches:
 * each of its flat rules is one rule of the jump's run (and of the runs
 * that called that one) followed by one rule of its own run, so a flat
 * rule matches exactly when the walk could reach the step through that
 * path and the step matches.
 *
 * The builder then classifies the flat rules; in each elementary region
 * of the tree, a fixed set of steps matches, and the walk the region's
 * packets take is the walk of just those steps: a jump's chain follows it
 * in step order, a goto skips what is left of its chain once its own
 * chain ends, a return skips to the end of its chain.  The leaf holds
 * that walk's outcome, built once per distinct outcome.
 */
#include "hipac_internal.h"

/* Steps flattened between two chances to reschedule */
#define HIPAC_RESCHED_STEPS	1024

/* Most flat rules and matches, whatever the limits say */
#define HIPAC_MAX_FLAT		0x7fffffffu

/* Flags a step in a memo key (hipac_flat_key()): identities stay below */
#define HIPAC_KEY_WILD		0x80000000u

struct hipac_step {
	u32 origin;
	u32 action;
	u32 arg;
	u32 call;	/* the jump or goto step that called its chain */
	u32 end;	/* the step after it and all it called */
	u32 first;	/* its first flat rule */
};

/* A goto's pending skip: the walk at @from goes on at @to */
struct hipac_skip {
	u32 from;
	u32 to;
};

struct hipac_flat {
	const struct hipac_chain *chains;
	u32 n_chains;
	u32 root;
	const struct hipac_dims *dims;
	const struct hipac_limits *limits;
	struct hipac_error *err;
	u32 n_frames;

	struct hipac_step *steps;
	u32 n_steps;
	struct hipac_rule *rules;
	u32 *step_of;			/* per flat rule */
	u32 n_rules;
	struct hipac_match *pool;	/* matches of rules called by jumps */
	u64 n_matches;			/* in @pool */

	struct hipac_family *fam;	/* where @ids are interned */
	bool by_step;			/* origins name steps: see hipac_flat_id() */
	u32 *ids;			/* per flat rule: its identity */
	u32 *matched;			/* scratch: the steps of a region */
	struct hipac_result *outcome;	/* scratch: room for every step */
	struct hipac_skip *skips;	/* scratch: n_frames + 1 */
};

/* A chain being flattened, and the jump it was called by */
struct hipac_flat_frame {
	u32 chain;
	u32 pos;
	u32 call;		/* the calling step, or HIPAC_NO_MATCH */
	u32 pfx_first;		/* the calling step's flat rules ... */
	u64 pfx_count;		/* ... how many ... */
	u64 pfx_matches;	/* ... and their matches in all */
};

static int hipac_flat_fail(struct hipac_flat *f, int err, u32 chain, u32 rule,
			   const char *msg)
{
	f->err->chain = chain;
	f->err->rule = rule;
	f->err->msg = msg;
	return err;
}

/* The step after the chain invocation @s belongs to */
static u32 hipac_frame_end(const struct hipac_flat *f, u32 s)
{
	u32 call = f->steps[s].call;

	return call == HIPAC_NO_MATCH ? f->n_steps : f->steps[call].end;
}

/* Check the run [@i, @j) of chain @chain, counting its matches */
static int hipac_flat_check_run(struct hipac_flat *f, u32 chain, u32 i, u32 j,
				u64 *n_matches)
{
	const struct hipac_chain *c = &f->chains[chain];
	const struct hipac_chain_rule *first = &c->rules[i];
	u32 k, m;

	*n_matches = 0;
	for (k = i; k < j; k++) {
		const struct hipac_chain_rule *r = &c->rules[k];

		if (r->action > HIPAC_ACT_RETURN)
			return hipac_flat_fail(f, -EINVAL, chain, k,
					       "unknown action");
		if ((r->action == HIPAC_ACT_JUMP ||
		     r->action == HIPAC_ACT_GOTO) && r->arg >= f->n_chains)
			return hipac_flat_fail(f, -EINVAL, chain, k,
					       "jump to a chain that does not exist");
		if (r->action != first->action || r->arg != first->arg)
			return hipac_flat_fail(f, -EINVAL, chain, k,
					       "rules of one origin differ in their target");
		for (m = 0; m < r->n_matches; m++) {
			const struct hipac_match *x = &r->matches[m];

			if (x->dimid >= f->dims->n || x->left > x->right ||
			    x->right > f->dims->max[x->dimid])
				return hipac_flat_fail(f, -EINVAL, chain, k,
						       "match out of its dimension");
		}
		*n_matches += r->n_matches;
	}
	return 0;
}

static u32 hipac_ident_hash(const struct hipac_ident *id)
{
	u32 w[6] = { id->parent, id->origin, id->action, id->verdict,
		     id->idx, id->n_matches };
	u32 h = 2166136261u, i;

	for (i = 0; i < 6; i++)
		h = (h ^ w[i]) * 16777619u;
	for (i = 0; i < id->n_matches; i++) {
		const struct hipac_match *m = &id->matches[i];

		h = (h ^ (m->dimid << 1 | m->invert)) * 16777619u;
		h = (h ^ m->left) * 16777619u;
		h = (h ^ m->right) * 16777619u;
	}
	return h;
}

static bool hipac_ident_equal(const struct hipac_ident *a,
			      const struct hipac_ident *b)
{
	u32 i;

	if (a->hash != b->hash || a->parent != b->parent ||
	    a->origin != b->origin || a->action != b->action ||
	    a->verdict != b->verdict || a->idx != b->idx ||
	    a->n_matches != b->n_matches)
		return false;
	for (i = 0; i < a->n_matches; i++) {
		const struct hipac_match *x = &a->matches[i];
		const struct hipac_match *y = &b->matches[i];

		if (x->dimid != y->dimid || x->invert != y->invert ||
		    x->left != y->left || x->right != y->right)
			return false;
	}
	return true;
}

/* The slot holding @id's number, or the free slot it would take */
static u32 *hipac_ident_slot(struct hipac_family *fam,
			     const struct hipac_ident *id)
{
	u32 mask = fam->ident_size - 1;
	u32 i = id->hash & mask;

	for (;; i = (i + 1) & mask) {
		u32 *slot = &fam->ident_slots[i];

		if (!*slot || hipac_ident_equal(&fam->idents[*slot - 1], id))
			return slot;
	}
}

static int hipac_idents_grow(struct hipac_family *fam)
{
	u32 size, i;
	struct hipac_ident *idents;
	u32 *old = fam->ident_slots;

	/*
	 * identities, half the slots at most, stay below HIPAC_KEY_WILD
	 * even doubled (hipac_flat_id())
	 */
	if (fam->ident_size >= HIPAC_KEY_WILD)
		return -ENOMEM;
	size = fam->ident_size ? 2 * fam->ident_size : 1024;
	idents = (struct hipac_ident *)klab_bigalloc(size / 2 *
						      sizeof(*idents));
	fam->ident_slots = (u32 *)klab_bigzalloc(size * sizeof(u32));
	if (!idents || !fam->ident_slots) {
		klab_bigfree(idents);
		klab_bigfree(fam->ident_slots);
		fam->ident_slots = old;
		return -ENOMEM;
	}
	if (fam->n_idents)
		memcpy(idents, fam->idents,
		       fam->n_idents * sizeof(*idents));
	klab_bigfree(fam->idents);
	klab_bigfree(old);
	fam->idents = idents;
	fam->idents_cap = size / 2;
	fam->ident_size = size;
	fam->ident_bytes += size / 4 * (sizeof(*idents) + 2 * sizeof(u32));
	for (i = 0; i < fam->n_idents; i++)
		*hipac_ident_slot(fam, &fam->idents[i]) = i + 1;
	return 0;
}

/*
 * The number of the flat rule from chain rule @r, @idx-th of its run,
 * called through flat rule @parent: the same in every tree of the family
 * for the same rule in the same place, whatever its position.
 * A jump's or goto's target chain is not part of it: what that chain
 * holds is, in the identities of the flat rules called through it.
 */
static int hipac_ident(struct hipac_family *fam, u32 parent,
		       const struct hipac_chain_rule *r, u32 idx, u32 *out)
{
	struct hipac_ident id = {
		.hash = 0, .parent = parent, .origin = r->origin,
		.action = r->action,
		.verdict = r->action == HIPAC_ACT_VERDICT ? r->arg : 0,
		.idx = idx, .n_matches = r->n_matches,
		.matches = (struct hipac_match *)r->matches,
	};
	struct hipac_ident *copy;
	u32 *slot;

	id.hash = hipac_ident_hash(&id);
	if (fam->ident_size) {
		slot = hipac_ident_slot(fam, &id);
		if (*slot) {
			*out = *slot - 1;
			return 0;
		}
	}
	if (fam->n_idents == fam->idents_cap && hipac_idents_grow(fam))
		return -ENOMEM;
	copy = &fam->idents[fam->n_idents];
	*copy = id;
	copy->matches = (struct hipac_match *)
		klab_bigalloc((r->n_matches + 1) * sizeof(*r->matches));
	if (!copy->matches)
		return -ENOMEM;
	if (r->n_matches)
		memcpy(copy->matches, r->matches,
		       r->n_matches * sizeof(*r->matches));
	fam->ident_bytes += (r->n_matches + 1) * sizeof(*r->matches);
	*out = fam->n_idents++;
	*hipac_ident_slot(fam, copy) = *out + 1;
	return 0;
}

/*
 * The identity of flat rule @r, @idx-th of a run of @run rules called
 * through @parent.  A part's chain (hipac_part.c, @f->by_step) has
 * verdicts only, and each origin is the interned identity of a step of
 * the chain it was cut from, so a run of one rule is named by its origin
 * alone: that spares a part's update hashing and looking up each of its
 * rules.  Longer runs (a step split over parts may leave any of its
 * rules here) are interned; the two kinds take even and odd numbers.
 */
static int hipac_flat_id(struct hipac_flat *f, u32 parent,
			 const struct hipac_chain_rule *r, u32 idx, u32 run,
			 u32 *out)
{
	if (!f->by_step)
		return hipac_ident(f->fam, parent, r, idx, out);
	if (run == 1) {
		*out = 2 * r->origin;
		return 0;
	}
	if (hipac_ident(f->fam, parent, r, idx, out))
		return -ENOMEM;
	*out = 2 * *out + 1;
	return 0;
}

/* Write the flat rules of step @s: every prefix times every rule of the run */
static int hipac_flat_fill(struct hipac_flat *f,
			   const struct hipac_flat_frame *fr, u32 i, u32 j,
			   u32 s)
{
	const struct hipac_chain *c = &f->chains[fr->chain];
	u64 p;
	u32 k;

	for (p = 0; p < fr->pfx_count; p++) {
		const struct hipac_rule *pfx = fr->call == HIPAC_NO_MATCH ?
			NULL : &f->rules[fr->pfx_first + p];
		u32 parent = pfx ? f->ids[fr->pfx_first + p] : HIPAC_NO_MATCH;

		for (k = i; k < j; k++) {
			const struct hipac_chain_rule *r = &c->rules[k];
			struct hipac_rule *out = &f->rules[f->n_rules];
			struct hipac_match *m = &f->pool[f->n_matches];
			u32 len = 0;

			if (hipac_flat_id(f, parent, r, k - i, j - i,
					  &f->ids[f->n_rules]))
				return -ENOMEM;
			/* a root chain's rule is its own flat rule: no copy */
			out->matches = r->matches;
			out->n_matches = r->n_matches;
			if (pfx) {
				/* an empty rule's matches may be NULL */
				len = pfx->n_matches;
				if (len)
					memcpy(m, pfx->matches,
					       len * sizeof(*m));
				if (r->n_matches)
					memcpy(m + len, r->matches,
					       r->n_matches * sizeof(*m));
				out->matches = m;
				out->n_matches = len + r->n_matches;
				f->n_matches += out->n_matches;
			}
			f->step_of[f->n_rules++] = s;
		}
	}
	return 0;
}

/* Enter the chain step @s jumps or goes to */
static int hipac_flat_call(struct hipac_flat *f,
			   struct hipac_flat_frame *frames, u32 *d,
			   u8 *on_stack, u32 s, u32 rule, u64 count,
			   u64 n_matches, u32 first)
{
	const struct hipac_flat_frame *fr = &frames[*d];
	const struct hipac_chain_rule *r = &f->chains[fr->chain].rules[rule];
	struct hipac_flat_frame *callee;

	if (on_stack[r->arg])
		return hipac_flat_fail(f, -ELOOP, fr->chain, rule,
				       "chain loop");
	if (*d + 1 > f->limits->max_depth || *d + 1 >= f->n_frames)
		return hipac_flat_fail(f, -ELOOP, fr->chain, rule,
				       "chains nested too deep");
	callee = &frames[++*d];
	callee->chain = r->arg;
	callee->pos = 0;
	callee->call = s;
	callee->pfx_first = first;
	callee->pfx_count = count;
	callee->pfx_matches = n_matches;
	on_stack[r->arg] = 1;
	return 0;
}

/*
 * Flatten the chains reachable from the root: count the steps, flat rules
 * and matches, checking everything, or (@fill) write them to the arrays
 * sized by the count.
 */
static int hipac_flatten(struct hipac_flat *f, struct hipac_flat_frame *frames,
			 u8 *on_stack, bool fill)
{
	u64 cap = f->limits->max_flat_rules ?: HIPAC_MAX_FLAT;
	u64 n_rules = 0, n_matches = 0, pooled = 0;
	u32 d = 0, n_steps = 0;
	int err;

	if (cap > HIPAC_MAX_FLAT)
		cap = HIPAC_MAX_FLAT;
	memset(&frames[0], 0, sizeof(frames[0]));
	frames[0].chain = f->root;
	frames[0].call = HIPAC_NO_MATCH;
	frames[0].pfx_count = 1;
	on_stack[f->root] = 1;
	for (;;) {
		struct hipac_flat_frame *fr = &frames[d];
		const struct hipac_chain *c = &f->chains[fr->chain];
		u64 run_matches, count, step_matches;
		u32 i = fr->pos, j, s, action;

		if (i >= c->n_rules) {
			if (fill && fr->call != HIPAC_NO_MATCH)
				f->steps[fr->call].end = n_steps;
			on_stack[fr->chain] = 0;
			if (d == 0)
				break;
			d--;
			continue;
		}
		j = hipac_run_end(c, i);
		fr->pos = j;
		err = hipac_flat_check_run(f, fr->chain, i, j, &run_matches);
		if (err)
			return err;
		count = fr->pfx_count * (j - i);
		step_matches = (j - i) * fr->pfx_matches +
			       fr->pfx_count * run_matches;
		if (n_rules + count > cap)
			return hipac_flat_fail(f, -ENOSPC, fr->chain, i,
					       "too many rules after flattening the chains");
		if (n_matches + step_matches > HIPAC_MAX_FLAT)
			return hipac_flat_fail(f, -ENOSPC, fr->chain, i,
					       "too many matches after flattening the chains");
		s = n_steps++;
		action = c->rules[i].action;
		if (fill) {
			struct hipac_step *st = &f->steps[s];

			st->origin = c->rules[i].origin;
			st->action = action;
			st->arg = c->rules[i].arg;
			st->call = fr->call;
			st->end = s + 1;
			st->first = f->n_rules;
			err = hipac_flat_fill(f, fr, i, j, s);
			if (err)
				return err;
		}
		if (action == HIPAC_ACT_JUMP || action == HIPAC_ACT_GOTO) {
			err = hipac_flat_call(f, frames, &d, on_stack, s, i,
					      count, step_matches, n_rules);
			if (err)
				return err;
		}
		n_rules += count;
		n_matches += step_matches;
		if (fr->call != HIPAC_NO_MATCH)
			pooled += step_matches;
		if (n_steps % HIPAC_RESCHED_STEPS == 0)
			klab_cond_resched();
	}
	f->n_steps = n_steps;
	f->n_rules = n_rules;
	f->n_matches = pooled;
	return 0;
}

/**
 * hipac_flat_key() - what names a flat rule in the memo key of a region
 * @f: the flattened chains
 * @rule: a flat rule of the region's list
 * @wild: whether @rule matches the whole region
 *
 * A rule matching the whole region stands for its step matching there,
 * whichever of the step's rules it is (hipac_flat_add() keeps one): it is
 * named by the step's first rule, flagged so as not to be taken for that
 * rule itself.  Regions whose lists differ only in which rule stands for
 * a step then share their subtree.
 *
 * Return: the word of @rule in the key.
 */
u32 hipac_flat_key(const struct hipac_flat *f, u32 rule, bool wild)
{
	if (!wild)
		return f->ids[rule];
	return f->ids[f->steps[f->step_of[rule]].first] | HIPAC_KEY_WILD;
}

/**
 * hipac_flat_add() - append a rule to its region's list if it can change
 *	the region's outcome
 * @f: the flattened chains
 * @sh: what the rules kept before @rule in the region shadow
 * @list: the rules kept so far
 * @n: number of @list
 * @rule: a flat rule allowed in the region, after those of @list
 * @wild: whether @rule matches the whole region
 * @stop: set when no rule after @rule can change the outcome
 *
 * A step matches once, whichever of its rules match: once one of them
 * matches the whole region, the others cannot matter, and the list keeps
 * just that one.  Without this, every subset of a step's rules (the
 * alternatives of a port list or a "!" of TCP flags) that the levels
 * above leave in a region would make a region of its own, each with a
 * subtree of its own for the same outcome: a number of subtrees that
 * grows with the power of the alternatives.
 *
 * A verdict or a return that matches the whole region ends the walk or
 * its chain, unless the walk skips it, and then it skips to the end of
 * the chain at least: the rest of the chain and what it calls cannot
 * matter.  In the root chain, nothing after it can.
 *
 * Return: the new number of rules in @list.
 */
u32 hipac_flat_add(const struct hipac_flat *f, struct hipac_shadow *sh,
		   u32 *list, u32 n, u32 rule, bool wild, bool *stop)
{
	u32 s = f->step_of[rule], action = f->steps[s].action;
	u32 end;

	*stop = false;
	if (s >= sh->drop_from && s < sh->drop_to)
		return n;
	/* a step's flat rules are consecutive: the last run is its rules */
	if (!sh->run || sh->step != s) {
		sh->step = s;
		sh->run = 0;
		sh->wild = false;
	} else if (sh->wild) {
		return n;
	}
	if (wild) {
		n -= sh->run;
		sh->run = 0;
		sh->wild = true;
	}
	list[n++] = rule;
	sh->run++;
	if (!wild || (action != HIPAC_ACT_VERDICT &&
		      action != HIPAC_ACT_RETURN))
		return n;
	end = hipac_frame_end(f, s);
	if (end == f->n_steps) {
		*stop = true;
	} else {
		/* s's later rules too: wild already drops them */
		sh->drop_from = s;
		sh->drop_to = end;
	}
	return n;
}

/* The walk of the steps @matched (sorted) into f->outcome */
static void hipac_flat_walk(struct hipac_flat *f, const u32 *matched, u32 n)
{
	const struct hipac_chain *root = &f->chains[f->root];
	struct hipac_result *res = f->outcome;
	u32 pos = 0, i = 0, sp = 0;

	res->n_origins = 0;
	for (;;) {
		const struct hipac_step *st;
		u32 s;

		while (i < n && matched[i] < pos)
			i++;
		if (i == n)
			break;
		s = matched[i];
		if (sp && s >= f->skips[sp - 1].from) {
			/* a goto's chain ended: so did the goto's own chain */
			if (pos < f->skips[sp - 1].to)
				pos = f->skips[sp - 1].to;
			sp--;
			continue;
		}
		st = &f->steps[s];
		res->origins[res->n_origins++] = st->origin;
		pos = s + 1;
		switch (st->action) {
		case HIPAC_ACT_VERDICT:
			res->verdict = st->arg;
			return;
		case HIPAC_ACT_GOTO:
			/* pending gotos nest: at most one per frame */
			KLAB_ASSERT(sp <= f->n_frames);
			if (sp > f->n_frames)
				break;
			f->skips[sp].from = st->end;
			f->skips[sp++].to = hipac_frame_end(f, s);
			break;
		case HIPAC_ACT_RETURN:
			pos = hipac_frame_end(f, s);
			break;
		}
	}
	res->verdict = root->policy;
	res->origins[res->n_origins++] = root->policy_origin;
}

/**
 * hipac_flat_leaf() - the leaf of a region where given flat rules match
 * @b: the builder
 * @list: the flat rules, in order, that can change the outcome
 * @n: number of @list
 *
 * Return: a leaf holding the outcome of the walk, with a reference for
 * the caller, one per distinct outcome in the family; NULL with @b->err
 * set on failure.
 */
struct hipac_node *hipac_flat_leaf(struct hipac_builder *b, const u32 *list,
				   u32 n)
{
	struct hipac_flat *f = b->flat;
	struct hipac_result *res;
	struct hipac_node *leaf;
	u32 i, k = 0, size, words;
	struct hipac_key mk;
	const u32 *key;

	for (i = 0; i < n; i++) {
		u32 s = f->step_of[list[i]];

		if (!k || f->matched[k - 1] != s)
			f->matched[k++] = s;
	}
	hipac_flat_walk(f, f->matched, k);
	/* the outcome, verdict and origins, is the leaf's key */
	key = (const u32 *)f->outcome;
	words = 2 + f->outcome->n_origins;
	if (hipac_key_init(b, &mk, HIPAC_LEAF, key, words))
		return NULL;
	leaf = hipac_memo_get(b->fam, &mk);
	if (leaf)
		goto out_free;

	size = sizeof(*res) + f->outcome->n_origins * sizeof(u32);
	leaf = hipac_node_alloc(b, 0, size);
	if (!leaf)
		goto out_free;
	leaf->dim = HIPAC_LEAF;
	leaf->rule = HIPAC_NO_MATCH;
	res = (struct hipac_result *)(leaf + 1);
	memcpy(res, f->outcome, size);
	leaf->result = res;
	b->err = hipac_memo_add(b, &mk, leaf);
	if (b->err) {
		hipac_node_put(b->fam, leaf);
		leaf = NULL;
	}
out_free:
	hipac_key_free(b, &mk);
	return leaf;
}

static void hipac_flat_free(struct hipac_flat *f)
{
	klab_bigfree(f->skips);
	klab_bigfree(f->outcome);
	klab_bigfree(f->matched);
	klab_bigfree(f->ids);
	klab_bigfree(f->pool);
	klab_bigfree(f->step_of);
	klab_bigfree(f->rules);
	klab_bigfree(f->steps);
}

/*
 * The family of the tree about to be built: @old's, if its trees agree
 * with the chains on what their identities leave out (the dimensions, the
 * root's policy) and not too many identities are gone; otherwise a new
 * one, which starts the interned identities afresh.
 */
static int hipac_flat_family(struct hipac_flat *f, const struct hipac_tree *old)
{
	const struct hipac_chain *root = &f->chains[f->root];
	struct hipac_family *fam = old ? old->fam : NULL;
	u32 i;

	if (fam && fam->chains && fam->dims.n == f->dims->n &&
	    fam->policy == root->policy &&
	    fam->policy_origin == root->policy_origin &&
	    fam->n_idents / 2 <= f->n_rules + 1024) {
		for (i = 0; i < fam->dims.n; i++)
			if (fam->dims.max[i] != f->dims->max[i])
				break;
		if (i == fam->dims.n) {
			f->fam = fam;
			return 0;
		}
	}
	f->fam = hipac_family_new(f->dims);
	if (!f->fam)
		return -ENOMEM;
	f->fam->chains = true;
	f->fam->policy = root->policy;
	f->fam->policy_origin = root->policy_origin;
	return 0;
}

/*
 * Flatten the chains into @f's arrays, allocated to fit, and intern the
 * flat rules' identities in the family chosen with @old.
 */
static int hipac_flat_init(struct hipac_flat *f, const struct hipac_tree *old)
{
	struct hipac_flat_frame *frames;
	u8 *on_stack;
	int err;

	frames = (struct hipac_flat_frame *)
		klab_bigalloc(f->n_frames * sizeof(*frames));
	on_stack = (u8 *)klab_bigzalloc(f->n_chains);
	err = -ENOMEM;
	if (!frames || !on_stack)
		goto out_free;

	err = hipac_flatten(f, frames, on_stack, false);
	if (!err)
		err = hipac_flat_family(f, old);
	if (err)
		goto out_free;
	f->steps = (struct hipac_step *)
		klab_bigalloc((f->n_steps + 1) * sizeof(*f->steps));
	f->rules = (struct hipac_rule *)
		klab_bigalloc((f->n_rules + 1) * sizeof(*f->rules));
	f->step_of = (u32 *)klab_bigalloc((f->n_rules + 1) * sizeof(u32));
	f->pool = (struct hipac_match *)
		klab_bigalloc((f->n_matches + 1) * sizeof(*f->pool));
	f->ids = (u32 *)klab_bigalloc((f->n_rules + 1) * sizeof(u32));
	f->matched = (u32 *)klab_bigalloc((f->n_steps + 1) * sizeof(u32));
	f->outcome = (struct hipac_result *)
		klab_bigalloc(sizeof(*f->outcome) +
			      (f->n_steps + 1) * sizeof(u32));
	f->skips = (struct hipac_skip *)
		klab_bigalloc((f->n_frames + 1) * sizeof(*f->skips));
	err = -ENOMEM;
	if (!f->steps || !f->rules || !f->step_of || !f->pool ||
	    !f->ids || !f->matched || !f->outcome || !f->skips)
		goto out_free;

	f->n_steps = 0;
	f->n_rules = 0;
	f->n_matches = 0;
	err = hipac_flatten(f, frames, on_stack, true);
out_free:
	klab_bigfree(on_stack);
	klab_bigfree(frames);
	if (err == -ENOMEM)
		hipac_flat_fail(f, err, HIPAC_NO_MATCH, HIPAC_NO_MATCH,
				"out of memory");
	return err;
}

/*
 * One tree for the chains, updated from @old (a single tree, not a
 * partitioned one) if given: what hipac_part_make() leaves to it and
 * what it builds each part with.  @win, if given, holds every rule that
 * changed since @old (hipac_part.c knows), so that only its regions are
 * looked at.  @by_step: the chains are a part's, whose origins are step
 * identities (hipac_flat_id()); the same in every tree of a family.
 */
int hipac_chains_tree(struct hipac_tree **tree, const struct hipac_tree *old,
		      const struct hipac_box *win, bool by_step,
		      const struct hipac_dims *dims,
		      const struct hipac_chain *chains, u32 n_chains, u32 root,
		      const struct hipac_limits *limits, struct hipac_error *err)
{
	struct hipac_builder b;
	struct hipac_flat f;
	int ret;

	memset(&f, 0, sizeof(f));
	f.chains = chains;
	f.n_chains = n_chains;
	f.root = root;
	f.dims = dims;
	f.limits = limits;
	f.err = err;
	f.by_step = by_step;
	hipac_flat_fail(&f, 0, HIPAC_NO_MATCH, HIPAC_NO_MATCH, NULL);
	if (dims->n == 0 || dims->n > HIPAC_MAX_DIMS)
		return hipac_flat_fail(&f, -EINVAL, HIPAC_NO_MATCH,
				       HIPAC_NO_MATCH, "bad dimensions");
	if (root >= n_chains)
		return hipac_flat_fail(&f, -EINVAL, root, HIPAC_NO_MATCH,
				       "no such root chain");
	/* a path through more than n_chains chains has a loop */
	f.n_frames = (limits->max_depth < n_chains ? limits->max_depth :
		      n_chains) + 1;

	ret = hipac_flat_init(&f, old && !old->pfam ? old : NULL);
	if (ret)
		goto out_free;

	memset(&b, 0, sizeof(b));
	b.dims = dims;
	b.rules = f.rules;
	b.n_rules = f.n_rules;
	b.flat = &f;
	b.fam = f.fam;
	b.max_bytes = limits->max_bytes;
	if (old && !old->pfam) {
		b.win = win;
		b.old = old;
	}
	ret = hipac_tree_build(tree, &b);
	if (ret == -ENOSPC)
		hipac_flat_fail(&f, ret, HIPAC_NO_MATCH, HIPAC_NO_MATCH,
				"the tree exceeds the memory limit");
	else if (ret)
		hipac_flat_fail(&f, ret, HIPAC_NO_MATCH, HIPAC_NO_MATCH,
				"out of memory");
out_free:
	/* a new family goes if its tree could not be built */
	if (f.fam)
		hipac_family_put(f.fam);
	hipac_flat_free(&f);
	return ret;
}

/**
 * hipac_chains_build() - build the tree walking chains for packets
 * @tree: set to the new tree
 * @dims: the dimensions
 * @chains: the chains; the tree keeps no reference to them
 * @n_chains: number of @chains
 * @root: index of the chain walks start in
 * @limits: depth, size after flattening and memory bounds; a zero
 *	@max_flat_rules or @max_bytes means no bound
 * @err: filled in on failure: the chain and rule at fault and why
 *
 * Only the chains reachable from @root are looked at.  A goto nests like
 * a jump, as in hipac_chains_walk().  Chains called from several places
 * are flattened once per place.
 *
 * Return: 0; -EINVAL for a bad dimension, root, match, target or action,
 * or a run of one origin with differing targets; -ELOOP for a chain loop
 * or nesting beyond @limits->max_depth; -ENOSPC when the flat rules or
 * the tree exceed @limits; -ENOMEM.
 */
int hipac_chains_build(struct hipac_tree **tree, const struct hipac_dims *dims,
		       const struct hipac_chain *chains, u32 n_chains,
		       u32 root, const struct hipac_limits *limits,
		       struct hipac_error *err)
{
	return hipac_chains_update(tree, NULL, dims, chains, n_chains, root,
				   limits, err);
}

/**
 * hipac_chains_update() - build the tree for changed chains from the
 *	tree of the chains before the change
 * @tree: set to the new tree
 * @old: a tree from hipac_chains_build() or hipac_chains_update()
 * @dims: as for hipac_chains_build()
 * @chains: the chains after the change, all of them
 * @n_chains: number of @chains
 * @root: index of the chain walks start in
 * @limits: as for hipac_chains_build(); @max_bytes bounds the new tree,
 *	shared nodes included
 * @err: as for hipac_chains_build()
 *
 * The result is the tree hipac_chains_build() would build, but for the
 * level order, which stays @old's: the new tree shares with @old every
 * subtree whose rules did not change, and only the regions the changed
 * rules reach are built anew.  An origin identifies a rule: keep it
 * while the rule stays, give a new rule a new one.  A change of the
 * dimensions or of the root's policy builds afresh.  A root chain of
 * verdict rules only is partitioned (hipac_part.c): then only the parts
 * whose rules changed are updated, the others shared with @old.
 *
 * @old is left as it was, for lookups to go on in and to keep if the
 * new tree is not wanted.  The trees of one family (a tree and those
 * updated from it) share nodes without locks: hipac_chains_update() and
 * hipac_free() on them must not run at once, while hipac_classify() may
 * run at any time.
 *
 * Return: as for hipac_chains_build(); on error @old is unchanged.
 */
int hipac_chains_update(struct hipac_tree **tree, const struct hipac_tree *old,
			const struct hipac_dims *dims,
			const struct hipac_chain *chains, u32 n_chains,
			u32 root, const struct hipac_limits *limits,
			struct hipac_error *err)
{
	int ret = hipac_part_make(tree, old, dims, chains, n_chains, root,
				  limits, err);

	if (ret != -EOPNOTSUPP)
		return ret;
	return hipac_chains_tree(tree, old, NULL, false, dims, chains, n_chains,
				 root, limits, err);
}
