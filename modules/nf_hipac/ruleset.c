// SPDX-License-Identifier: GPL-2.0
/*
 * nf_hipac: rule sets and their chains.  A transaction works on a copy of
 * the committed rule set that shares the (immutable) rule objects, so a
 * copy costs one pointer per rule and unchanged rules keep their counters.
 */
#include <linux/slab.h>
#include <linux/string.h>

#include "nf_hipac.h"

const struct nfh_table_type nfh_table_types[NFH_N_TABLES] = {
	[NFH_FILTER] = {
		.name = "filter",
		.n_base = 3,
		.base = {
			[NFH_INPUT] = "INPUT",
			[NFH_FORWARD] = "FORWARD",
			[NFH_OUTPUT] = "OUTPUT",
		},
		.hooknum = {
			[NFH_INPUT] = NF_INET_LOCAL_IN,
			[NFH_FORWARD] = NF_INET_FORWARD,
			[NFH_OUTPUT] = NF_INET_LOCAL_OUT,
		},
	},
	[NFH_NAT] = {
		.name = "nat",
		.n_base = 4,
		.base = {
			[NFH_NAT_PREROUTING] = "PREROUTING",
			[NFH_NAT_INPUT] = "INPUT",
			[NFH_NAT_OUTPUT] = "OUTPUT",
			[NFH_NAT_POSTROUTING] = "POSTROUTING",
		},
		.hooknum = {
			[NFH_NAT_PREROUTING] = NF_INET_PRE_ROUTING,
			[NFH_NAT_INPUT] = NF_INET_LOCAL_IN,
			[NFH_NAT_OUTPUT] = NF_INET_LOCAL_OUT,
			[NFH_NAT_POSTROUTING] = NF_INET_POST_ROUTING,
		},
	},
};

/**
 * nfh_n_base - the number of base chains of @rs
 * @rs: the rule set
 *
 * Return: the number, 3 for filter, 4 for nat.
 */
u32 nfh_n_base(const struct nfh_ruleset *rs)
{
	return nfh_table_types[rs->table].n_base;
}

/**
 * nfh_ruleset_needs_ct - whether @rs needs the namespace's conntrack
 * @rs: the rule set
 *
 * A rule matching the connection's state needs it, and so does any rule
 * of the nat table, whose hooks see nothing without it.
 *
 * Return: true if so.
 */
bool nfh_ruleset_needs_ct(const struct nfh_ruleset *rs)
{
	const struct nfh_spec *s;
	u32 c, i;

	for (c = 0; c < rs->n_chains; c++) {
		if (rs->table == NFH_NAT && rs->chains[c]->n_rules)
			return true;
		for (i = 0; i < rs->chains[c]->n_rules; i++) {
			s = &rs->chains[c]->rules[i]->spec;
			if (s->has_state || s->has_ctstate || s->has_ctstatus ||
			    s->has_ctdir)
				return true;
		}
	}
	return false;
}

/**
 * nfh_rule_put - drop a reference, freeing @rule with the last
 * @rule: the rule, or NULL
 */
void nfh_rule_put(struct nfh_rule *rule)
{
	if (rule && refcount_dec_and_test(&rule->ref))
		nfh_rule_free(rule);
}

static void nfh_chain_free(struct nfh_chain *chain)
{
	u32 i;

	for (i = 0; i < chain->n_rules; i++)
		nfh_rule_put(chain->rules[i]);
	kvfree(chain->rules);
	kfree(chain);
}

static struct nfh_chain *nfh_chain_new(const char *name, u32 cap)
{
	struct nfh_chain *chain;

	chain = kzalloc(sizeof(*chain), GFP_KERNEL);
	if (!chain)
		return NULL;
	strscpy(chain->name, name, sizeof(chain->name));
	chain->policy = NF_HIPAC_V_ACCEPT;
	if (cap) {
		chain->rules = kvmalloc_array(cap, sizeof(*chain->rules),
					      GFP_KERNEL);
		if (!chain->rules) {
			kfree(chain);
			return NULL;
		}
		chain->cap = cap;
	}
	return chain;
}

static int nfh_ruleset_reserve(struct nfh_ruleset *rs, u32 n)
{
	struct nfh_chain **chains;
	u32 cap;

	if (n <= rs->cap)
		return 0;
	cap = max(n, rs->cap * 2);
	chains = krealloc_array(rs->chains, cap, sizeof(*chains), GFP_KERNEL);
	if (!chains)
		return -ENOMEM;
	rs->chains = chains;
	rs->cap = cap;
	return 0;
}

/**
 * nfh_ruleset_new - an empty rule set: the base chains, policy ACCEPT
 * @family: AF_INET or AF_INET6
 * @table: enum nfh_table_id
 *
 * Return: the rule set, holding one reference, or NULL.
 */
struct nfh_ruleset *nfh_ruleset_new(u8 family, u8 table)
{
	const struct nfh_table_type *type = &nfh_table_types[table];
	struct nfh_ruleset *rs;
	u32 h;

	rs = kzalloc(sizeof(*rs), GFP_KERNEL);
	if (!rs)
		return NULL;
	refcount_set(&rs->ref, 1);
	rs->family = family;
	rs->table = table;
	if (nfh_ruleset_reserve(rs, type->n_base))
		goto err_put;
	for (h = 0; h < type->n_base; h++) {
		rs->chains[h] = nfh_chain_new(type->base[h], 0);
		if (!rs->chains[h])
			goto err_put;
		rs->n_chains++;
	}
	return rs;

err_put:
	nfh_ruleset_put(rs);
	return NULL;
}

/**
 * nfh_ruleset_copy - a copy of @rs for a transaction to edit
 * @rs: the rule set
 *
 * Return: the copy, sharing the rules of @rs, or NULL.
 */
struct nfh_ruleset *nfh_ruleset_copy(const struct nfh_ruleset *rs)
{
	const struct nfh_chain *from;
	struct nfh_ruleset *copy;
	struct nfh_chain *chain;
	u32 c, i;

	copy = kzalloc(sizeof(*copy), GFP_KERNEL);
	if (!copy)
		return NULL;
	refcount_set(&copy->ref, 1);
	copy->family = rs->family;
	copy->table = rs->table;
	if (nfh_ruleset_reserve(copy, rs->n_chains))
		goto err_put;
	for (c = 0; c < rs->n_chains; c++) {
		from = rs->chains[c];
		chain = nfh_chain_new(from->name, from->n_rules);
		if (!chain)
			goto err_put;
		chain->policy = from->policy;
		for (i = 0; i < from->n_rules; i++) {
			refcount_inc(&from->rules[i]->ref);
			chain->rules[i] = from->rules[i];
		}
		chain->n_rules = from->n_rules;
		copy->chains[copy->n_chains++] = chain;
	}
	return copy;

err_put:
	nfh_ruleset_put(copy);
	return NULL;
}

/**
 * nfh_ruleset_put - drop a reference, freeing @rs with the last
 * @rs: the rule set, or NULL
 */
void nfh_ruleset_put(struct nfh_ruleset *rs)
{
	u32 c;

	if (!rs || !refcount_dec_and_test(&rs->ref))
		return;
	for (c = 0; c < rs->n_chains; c++)
		nfh_chain_free(rs->chains[c]);
	kfree(rs->chains);
	kfree(rs);
}

/**
 * nfh_chain_find - look a chain up by name
 * @rs: the rule set
 * @name: the chain's name
 * @idx: if not NULL, set to the chain's index
 *
 * Return: the chain, or NULL.
 */
struct nfh_chain *nfh_chain_find(const struct nfh_ruleset *rs,
				 const char *name, u32 *idx)
{
	u32 c;

	for (c = 0; c < rs->n_chains; c++) {
		if (!strcmp(rs->chains[c]->name, name)) {
			if (idx)
				*idx = c;
			return rs->chains[c];
		}
	}
	return NULL;
}

/* Whether @rule jumps or goes to chain @name */
static bool nfh_rule_calls(const struct nfh_rule *rule, const char *name)
{
	return (rule->verdict == NF_HIPAC_V_JUMP ||
		rule->verdict == NF_HIPAC_V_GOTO) &&
	       !strcmp(rule->target, name);
}

/**
 * nfh_chain_refs - rules of @rs jumping or going to chain @name
 * @rs: the rule set
 * @name: the chain
 *
 * Return: the number of such rules.
 */
u32 nfh_chain_refs(const struct nfh_ruleset *rs, const char *name)
{
	const struct nfh_rule *rule;
	u32 c, i, refs = 0;

	for (c = 0; c < rs->n_chains; c++) {
		for (i = 0; i < rs->chains[c]->n_rules; i++) {
			rule = rs->chains[c]->rules[i];
			refs += nfh_rule_calls(rule, name);
		}
	}
	return refs;
}

/**
 * nfh_ruleset_rules - rules in all chains of @rs
 * @rs: the rule set
 *
 * Return: the number of rules.
 */
u32 nfh_ruleset_rules(const struct nfh_ruleset *rs)
{
	u32 c, n = 0;

	for (c = 0; c < rs->n_chains; c++)
		n += rs->chains[c]->n_rules;
	return n;
}

/**
 * nfh_ruleset_max_id - the highest origin the trees of @rs use
 * @rs: the rule set
 *
 * Return: the highest rule id (a rule's own or its twins'), at least
 * NFH_ORIGIN_HOTDROP.
 */
u32 nfh_ruleset_max_id(const struct nfh_ruleset *rs)
{
	u32 c, i, max = NFH_ORIGIN_HOTDROP;

	for (c = 0; c < rs->n_chains; c++)
		for (i = 0; i < rs->chains[c]->n_rules; i++)
			max = max3(max, rs->chains[c]->rules[i]->id,
				   rs->chains[c]->rules[i]->twin_id);
	return max;
}

/**
 * nfh_rule_insert - put @rule at index @pos of @chain
 * @chain: the chain
 * @pos: 0-based index, at most the number of rules
 * @rule: the rule; the chain takes over the caller's reference
 *
 * Return: 0 or -ENOMEM (the caller keeps its reference).
 */
int nfh_rule_insert(struct nfh_chain *chain, u32 pos, struct nfh_rule *rule)
{
	struct nfh_rule **rules;
	u32 cap;

	if (chain->n_rules == chain->cap) {
		cap = max(16U, chain->cap * 2);
		rules = kvmalloc_array(cap, sizeof(*rules), GFP_KERNEL);
		if (!rules)
			return -ENOMEM;
		if (chain->n_rules)
			memcpy(rules, chain->rules,
			       chain->n_rules * sizeof(*rules));
		kvfree(chain->rules);
		chain->rules = rules;
		chain->cap = cap;
	}
	memmove(&chain->rules[pos + 1], &chain->rules[pos],
		(chain->n_rules - pos) * sizeof(*chain->rules));
	chain->rules[pos] = rule;
	chain->n_rules++;
	return 0;
}

/**
 * nfh_rule_remove - drop the rule at index @pos of @chain
 * @chain: the chain
 * @pos: 0-based index of an existing rule
 */
void nfh_rule_remove(struct nfh_chain *chain, u32 pos)
{
	nfh_rule_put(chain->rules[pos]);
	memmove(&chain->rules[pos], &chain->rules[pos + 1],
		(chain->n_rules - pos - 1) * sizeof(*chain->rules));
	chain->n_rules--;
}

/**
 * nfh_chain_flush - drop every rule of @chain
 * @chain: the chain
 */
void nfh_chain_flush(struct nfh_chain *chain)
{
	while (chain->n_rules)
		nfh_rule_put(chain->rules[--chain->n_rules]);
}

/* User chains stay sorted by name, as iptables lists them */
static u32 nfh_chain_slot(const struct nfh_ruleset *rs, const char *name)
{
	u32 c;

	for (c = nfh_n_base(rs); c < rs->n_chains; c++)
		if (strcmp(rs->chains[c]->name, name) > 0)
			break;
	return c;
}

static void nfh_chain_place(struct nfh_ruleset *rs, struct nfh_chain *chain)
{
	u32 c = nfh_chain_slot(rs, chain->name);

	memmove(&rs->chains[c + 1], &rs->chains[c],
		(rs->n_chains - c) * sizeof(*rs->chains));
	rs->chains[c] = chain;
	rs->n_chains++;
}

/**
 * nfh_chain_add - add empty user chain @name
 * @rs: the rule set, without a chain @name
 * @name: the chain's name
 *
 * Return: 0 or -ENOMEM.
 */
int nfh_chain_add(struct nfh_ruleset *rs, const char *name)
{
	struct nfh_chain *chain;
	int err;

	err = nfh_ruleset_reserve(rs, rs->n_chains + 1);
	if (err)
		return err;
	chain = nfh_chain_new(name, 0);
	if (!chain)
		return -ENOMEM;
	nfh_chain_place(rs, chain);
	return 0;
}

static struct nfh_chain *nfh_chain_unlink(struct nfh_ruleset *rs, u32 idx)
{
	struct nfh_chain *chain = rs->chains[idx];

	memmove(&rs->chains[idx], &rs->chains[idx + 1],
		(rs->n_chains - idx - 1) * sizeof(*rs->chains));
	rs->n_chains--;
	return chain;
}

/**
 * nfh_chain_remove - drop chain @idx and its rules
 * @rs: the rule set
 * @idx: index of the chain
 */
void nfh_chain_remove(struct nfh_ruleset *rs, u32 idx)
{
	nfh_chain_free(nfh_chain_unlink(rs, idx));
}

/**
 * nfh_chain_rename - rename user chain @idx, keeping the jumps to it
 * @rs: the rule set
 * @idx: index of the chain
 * @name: its new name, not taken
 *
 * The rules jumping to the chain are replaced by copies naming @name
 * (rules are immutable), which keep the counters.  All copies are made
 * before anything changes, so a failure leaves @rs as it was.
 *
 * Return: 0 or -ENOMEM.
 */
int nfh_chain_rename(struct nfh_ruleset *rs, u32 idx, const char *name)
{
	const char *old = rs->chains[idx]->name;
	u32 refs = nfh_chain_refs(rs, old);
	struct nfh_rule **fresh = NULL;
	struct nfh_rule *rule;
	struct nfh_chain *chain;
	u32 c, i, n = 0;

	if (refs) {
		fresh = kvmalloc_array(refs, sizeof(*fresh), GFP_KERNEL);
		if (!fresh)
			return -ENOMEM;
	}
	for (c = 0; c < rs->n_chains && n < refs; c++) {
		for (i = 0; i < rs->chains[c]->n_rules; i++) {
			rule = rs->chains[c]->rules[i];
			if (!nfh_rule_calls(rule, old))
				continue;
			fresh[n] = nfh_rule_retarget(rule, name);
			if (!fresh[n])
				goto err_put_fresh;
			n++;
		}
	}

	n = 0;
	for (c = 0; c < rs->n_chains && n < refs; c++) {
		for (i = 0; i < rs->chains[c]->n_rules; i++) {
			rule = rs->chains[c]->rules[i];
			if (!nfh_rule_calls(rule, old))
				continue;
			rs->chains[c]->rules[i] = fresh[n++];
			nfh_rule_put(rule);
		}
	}
	kvfree(fresh);

	chain = nfh_chain_unlink(rs, idx);
	strscpy(chain->name, name, sizeof(chain->name));
	nfh_chain_place(rs, chain);
	return 0;

err_put_fresh:
	while (n--)
		nfh_rule_put(fresh[n]);
	kvfree(fresh);
	return -ENOMEM;
}

/**
 * nfh_rule_same - whether @rule was made from a nest equal to @nest
 * @rule: the rule
 * @nest: an NF_HIPAC_A_RULE nest
 *
 * Return: true when the attributes are equal, counters aside.
 */
bool nfh_rule_same(const struct nfh_rule *rule, const struct nlattr *nest)
{
	const struct nlattr *a;
	u32 off = 0;
	int rem;

	nla_for_each_nested(a, nest, rem) {
		switch (nla_type(a)) {
		case NF_HIPAC_R_PACKETS:
		case NF_HIPAC_R_BYTES:
		case NF_HIPAC_R_PAD:
			continue;
		}
		if (off + nla_total_size(nla_len(a)) > rule->nest_len ||
		    memcmp(rule->nest + off, a, nla_len(a) + NLA_HDRLEN))
			return false;
		off += nla_total_size(nla_len(a));
	}
	return off == rule->nest_len;
}
