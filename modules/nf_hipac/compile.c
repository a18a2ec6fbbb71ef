// SPDX-License-Identifier: GPL-2.0
/*
 * nf_hipac: a rule set into HiPAC trees.  Its dimensions are collected
 * (dims.c, addr.c), its rules flattened (flat.c), then every base chain
 * gets its tree, with the user chains it reaches flattened in, updated
 * from the tree of the rule set it replaces where there is one.
 */
#include <linux/ktime.h>
#include <linux/slab.h>

#include "nf_hipac.h"

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
