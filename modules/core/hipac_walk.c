// SPDX-License-Identifier: GPL-2.0
/*
 * The reference for chains: a walk of the chains rule by rule, as iptables
 * does.  hipac_classify() must agree with it on every packet.
 */
#include "hipac_internal.h"

/* Frames the walk keeps on the stack before it allocates */
#define HIPAC_WALK_FRAMES	16

struct hipac_walk_frame {
	u32 chain;
	u32 pos;		/* the next rule */
	bool by_goto;		/* entered by a goto: leaving it leaves its caller */
};

static bool hipac_chain_rule_matches(const struct hipac_chain_rule *r,
				     const u32 *packet)
{
	u32 i;

	for (i = 0; i < r->n_matches; i++)
		if (!hipac_match_holds(&r->matches[i],
				       packet[r->matches[i].dimid]))
			return false;
	return true;
}

/* Whether any rule of the run [@i, @j) of @c matches */
static bool hipac_run_matches(const struct hipac_chain *c, u32 i, u32 j,
			      const u32 *packet)
{
	for (; i < j; i++)
		if (hipac_chain_rule_matches(&c->rules[i], packet))
			return true;
	return false;
}

static int hipac_report(struct hipac_result *res, u32 max_origins, u32 origin)
{
	if (res->n_origins == max_origins)
		return -E2BIG;
	res->origins[res->n_origins++] = origin;
	return 0;
}

/*
 * Walk until a verdict or until the root chain is left; @frames holds
 * @n_frames frames.
 */
static int hipac_walk(const struct hipac_chain *chains, u32 n_chains,
		      u32 root, u32 max_depth, const u32 *packet,
		      struct hipac_result *res, u32 max_origins,
		      struct hipac_walk_frame *frames, u32 n_frames)
{
	u32 d = 0;
	int err;

	frames[0].chain = root;
	frames[0].pos = 0;
	frames[0].by_goto = false;
	for (;;) {
		struct hipac_walk_frame *f = &frames[d];
		const struct hipac_chain *c = &chains[f->chain];
		const struct hipac_chain_rule *r;
		u32 i = f->pos;

		if (i < c->n_rules) {
			f->pos = hipac_run_end(c, i);
			if (!hipac_run_matches(c, i, f->pos, packet))
				continue;
			r = &c->rules[i];
			err = hipac_report(res, max_origins, r->origin);
			if (err)
				return err;
			switch (r->action) {
			case HIPAC_ACT_CONTINUE:
				continue;
			case HIPAC_ACT_VERDICT:
				res->verdict = r->arg;
				return 0;
			case HIPAC_ACT_JUMP:
			case HIPAC_ACT_GOTO:
				if (r->arg >= n_chains)
					return -EINVAL;
				if (d + 1 > max_depth || d + 1 >= n_frames)
					return -ELOOP;
				f = &frames[++d];
				f->chain = r->arg;
				f->pos = 0;
				f->by_goto = r->action == HIPAC_ACT_GOTO;
				continue;
			case HIPAC_ACT_RETURN:
				break;
			default:
				return -EINVAL;
			}
		}
		/* leave the chain, and the chains that went to it by goto */
		while (frames[d].by_goto)
			d--;
		if (d == 0)
			break;
		d--;
	}
	res->verdict = chains[root].policy;
	return hipac_report(res, max_origins, chains[root].policy_origin);
}

/**
 * hipac_chains_walk() - the outcome of walking chains for a packet
 * @chains: the chains
 * @n_chains: number of @chains
 * @root: index of the chain the walk starts in
 * @max_depth: deepest nesting of jumps and gotos allowed (root: 0)
 * @packet: one value per dimension
 * @res: filled in: the verdict and the origins of the rules matched
 * @max_origins: room in @res->origins
 *
 * Walks rule by rule, in time proportional to the rules walked: the
 * reference hipac_classify() is checked against.  A run of consecutive
 * rules of one origin matches when any of its rules does, and then acts
 * once.  A goto counts as one level of nesting, as a jump does.
 *
 * Return: 0; -ELOOP when the walk nests deeper than @max_depth (a chain
 * loop does); -E2BIG when more than @max_origins origins are reported;
 * -EINVAL for a bad @root, target or action met on the way; -ENOMEM.
 */
int hipac_chains_walk(const struct hipac_chain *chains, u32 n_chains, u32 root,
		      u32 max_depth, const u32 *packet,
		      struct hipac_result *res, u32 max_origins)
{
	struct hipac_walk_frame stack[HIPAC_WALK_FRAMES], *frames = stack;
	/* deeper than n_chains means a chain twice on the path: a loop */
	u32 n_frames = (max_depth < n_chains ? max_depth : n_chains) + 1;
	int err;

	res->n_origins = 0;
	if (root >= n_chains)
		return -EINVAL;
	if (n_frames > HIPAC_WALK_FRAMES) {
		frames = (struct hipac_walk_frame *)
			klab_bigalloc(n_frames * sizeof(*frames));
		if (!frames)
			return -ENOMEM;
	}
	err = hipac_walk(chains, n_chains, root, max_depth, packet, res,
			 max_origins, frames, n_frames);
	if (frames != stack)
		klab_bigfree(frames);
	return err;
}
