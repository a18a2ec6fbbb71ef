// SPDX-License-Identifier: GPL-2.0
/*
 * nf_hipac: the nf_hipac generic netlink family.  Every command needs
 * CAP_NET_ADMIN in the user namespace owning the socket's network
 * namespace (GENL_UNS_ADMIN_PERM): a container's root manages its own
 * rule sets and no other, as with nf_tables.  Reading needs it too, as
 * iptables -L does.
 */
#include <net/genetlink.h>
#include <net/sock.h>

#include "nf_hipac.h"

static const struct nla_policy nfh_nl_policy[NF_HIPAC_A_MAX + 1] = {
	[NF_HIPAC_A_FAMILY] = { .type = NLA_U8 },
	[NF_HIPAC_A_CHAIN] = { .type = NLA_NUL_STRING,
			       .len = NF_HIPAC_CHAIN_MAXLEN },
	[NF_HIPAC_A_NEWNAME] = { .type = NLA_NUL_STRING,
				 .len = NF_HIPAC_CHAIN_MAXLEN },
	[NF_HIPAC_A_POS] = NLA_POLICY_MIN(NLA_U32, 1),
	[NF_HIPAC_A_RULE] = NLA_POLICY_NESTED(nfh_rule_policy),
	[NF_HIPAC_A_POLICY] = NLA_POLICY_RANGE(NLA_U32, NF_HIPAC_V_ACCEPT,
					       NF_HIPAC_V_DROP),
	[NF_HIPAC_A_TABLE] = NLA_POLICY_MAX(NLA_U8, __NF_HIPAC_TABLE_MAX - 1),
};

/* What a change command works on */
struct nfh_req {
	struct genl_info *info;
	struct nfh_ruleset *rs;
	u32 slot;
	char *msg;
};

/* A message built in the session's buffer, which outlives the request */
static int __printf(4, 5) nfh_req_fail(const struct nfh_req *r, int err,
				       int attr, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vscnprintf(r->msg, NFH_MSG_LEN, fmt, ap);
	va_end(ap);
	r->info->extack->_msg = r->msg;
	if (attr && r->info->attrs[attr])
		NL_SET_BAD_ATTR(r->info->extack, r->info->attrs[attr]);
	return err;
}

/*
 * The table a request is for: A_FAMILY (required) and A_TABLE (filter if
 * absent), as an index into nfh_net.tables
 */
static int nfh_nl_slot(struct nlattr **attrs, struct netlink_ext_ack *extack,
		       u32 *slot)
{
	struct nlattr *a = attrs[NF_HIPAC_A_FAMILY];
	u32 table = attrs[NF_HIPAC_A_TABLE] ?
		    nla_get_u8(attrs[NF_HIPAC_A_TABLE]) : NFH_FILTER;

	if (!a) {
		NL_SET_ERR_MSG(extack, "family missing");
		return -EINVAL;
	}
	switch (nla_get_u8(a)) {
	case AF_INET:
		*slot = nfh_table_slot(table, 0);
		return 0;
	case AF_INET6:
		*slot = nfh_table_slot(table, 1);
		return 0;
	}
	NL_SET_ERR_MSG_ATTR(extack, a, "family must be AF_INET or AF_INET6");
	return -EAFNOSUPPORT;
}

static int nfh_nl_family(struct genl_info *info, u32 *slot)
{
	return nfh_nl_slot(info->attrs, info->extack, slot);
}

static int nfh_req_chain(const struct nfh_req *r, struct nfh_chain **chain,
			 u32 *idx)
{
	char name[NF_HIPAC_CHAIN_MAXLEN + 1];

	if (GENL_REQ_ATTR_CHECK(r->info, NF_HIPAC_A_CHAIN))
		return -EINVAL;
	nla_strscpy(name, r->info->attrs[NF_HIPAC_A_CHAIN], sizeof(name));
	*chain = nfh_chain_find(r->rs, name, idx);
	if (!*chain)
		return nfh_req_fail(r, -ENOENT, NF_HIPAC_A_CHAIN,
				    "chain %s does not exist", name);
	return 0;
}

static u32 nfh_req_pos(const struct nfh_req *r, u32 dflt)
{
	struct nlattr *a = r->info->attrs[NF_HIPAC_A_POS];

	return a ? nla_get_u32(a) : dflt;
}

/* Parse A_RULE for position @pos of @chain and put it at index @pos - 1 */
static int nfh_req_put_rule(const struct nfh_req *r, struct nfh_chain *chain,
			    u32 pos, bool replace)
{
	struct nfh_rule *rule;
	int err;

	if (GENL_REQ_ATTR_CHECK(r->info, NF_HIPAC_A_RULE))
		return -EINVAL;
	if (!replace) {
		u32 max = READ_ONCE(nfh_max_rules);

		if (nfh_ruleset_rules(r->rs) >= max)
			return nfh_req_fail(r, -ENOSPC, 0,
					    "rule set is full (max_rules=%u)",
					    max);
	}
	rule = nfh_rule_parse(r->info->attrs[NF_HIPAC_A_RULE],
			      genl_info_net(r->info), r->rs,
			      chain->name, pos, r->msg, r->info->extack, &err);
	if (!rule)
		return err;
	if (replace) {
		nfh_rule_put(chain->rules[pos - 1]);
		chain->rules[pos - 1] = rule;
		return 0;
	}
	err = nfh_rule_insert(chain, pos - 1, rule);
	if (err)
		nfh_rule_put(rule);
	return err;
}

static int nfh_do_append(const struct nfh_req *r)
{
	struct nfh_chain *chain;
	int err = nfh_req_chain(r, &chain, NULL);

	return err ?: nfh_req_put_rule(r, chain, chain->n_rules + 1, false);
}

static int nfh_do_insert(const struct nfh_req *r)
{
	struct nfh_chain *chain;
	int err = nfh_req_chain(r, &chain, NULL);
	u32 pos = nfh_req_pos(r, 1);

	if (err)
		return err;
	if (pos > chain->n_rules + 1)
		return nfh_req_fail(r, -E2BIG, NF_HIPAC_A_POS,
				    "%s: index of insertion too big (%u rules)",
				    chain->name, chain->n_rules);
	return nfh_req_put_rule(r, chain, pos, false);
}

static int nfh_do_replace(const struct nfh_req *r)
{
	struct nfh_chain *chain;
	int err = nfh_req_chain(r, &chain, NULL);
	u32 pos = nfh_req_pos(r, 0);

	if (err)
		return err;
	if (GENL_REQ_ATTR_CHECK(r->info, NF_HIPAC_A_POS))
		return -EINVAL;
	if (pos > chain->n_rules)
		return nfh_req_fail(r, -E2BIG, NF_HIPAC_A_POS,
				    "%s: index of replacement too big (%u rules)",
				    chain->name, chain->n_rules);
	return nfh_req_put_rule(r, chain, pos, true);
}

static int nfh_do_delete(const struct nfh_req *r)
{
	struct nlattr *nest = r->info->attrs[NF_HIPAC_A_RULE];
	struct nfh_chain *chain;
	int err = nfh_req_chain(r, &chain, NULL);
	u32 pos = nfh_req_pos(r, 0), i;

	if (err)
		return err;
	if (pos) {
		if (pos > chain->n_rules)
			return nfh_req_fail(r, -E2BIG, NF_HIPAC_A_POS,
					    "%s: index of deletion too big (%u rules)",
					    chain->name, chain->n_rules);
		nfh_rule_remove(chain, pos - 1);
		return 0;
	}
	if (!nest)
		return nfh_req_fail(r, -EINVAL, 0,
				    "%s: give the position or the rule to delete",
				    chain->name);
	for (i = 0; i < chain->n_rules; i++) {
		if (nfh_rule_same(chain->rules[i], nest)) {
			nfh_rule_remove(chain, i);
			return 0;
		}
	}
	return nfh_req_fail(r, -ENOENT, NF_HIPAC_A_RULE,
			    "%s: bad rule (does a matching rule exist in that chain?)",
			    chain->name);
}

/* The name in attribute @type, for a chain that must not exist yet */
static int nfh_req_newname(const struct nfh_req *r, int type, char *name)
{
	if (GENL_REQ_ATTR_CHECK(r->info, type))
		return -EINVAL;
	nla_strscpy(name, r->info->attrs[type], NF_HIPAC_CHAIN_MAXLEN + 1);
	if (!name[0] || name[0] == '-' || name[0] == '!')
		return nfh_req_fail(r, -EINVAL, type,
				    "invalid chain name \"%s\"", name);
	if (nfh_chain_find(r->rs, name, NULL))
		return nfh_req_fail(r, -EEXIST, type,
				    "chain %s already exists", name);
	return 0;
}

static int nfh_do_chain_new(const struct nfh_req *r)
{
	char name[NF_HIPAC_CHAIN_MAXLEN + 1];
	u32 max = READ_ONCE(nfh_max_chains);
	int err = nfh_req_newname(r, NF_HIPAC_A_CHAIN, name);

	if (err)
		return err;
	if (r->rs->n_chains - nfh_n_base(r->rs) >= max)
		return nfh_req_fail(r, -ENOSPC, NF_HIPAC_A_CHAIN,
				    "too many user chains (max_chains=%u)",
				    max);
	return nfh_chain_add(r->rs, name);
}

static int nfh_chain_deletable(const struct nfh_req *r, u32 idx)
{
	const struct nfh_chain *chain = r->rs->chains[idx];
	u32 refs;

	if (idx < nfh_n_base(r->rs))
		return nfh_req_fail(r, -EINVAL, NF_HIPAC_A_CHAIN,
				    "cannot delete built-in chain %s",
				    chain->name);
	refs = nfh_chain_refs(r->rs, chain->name);
	if (refs)
		return nfh_req_fail(r, -EBUSY, NF_HIPAC_A_CHAIN,
				    "chain %s is referenced by %u rules",
				    chain->name, refs);
	if (chain->n_rules)
		return nfh_req_fail(r, -EBUSY, NF_HIPAC_A_CHAIN,
				    "chain %s is not empty", chain->name);
	return 0;
}

static int nfh_do_chain_del(const struct nfh_req *r)
{
	struct nfh_chain *chain;
	u32 idx;
	int err;

	if (!r->info->attrs[NF_HIPAC_A_CHAIN]) {
		/* Empty chains hold no jumps: one pass finds them all */
		for (idx = r->rs->n_chains; idx-- > nfh_n_base(r->rs);) {
			chain = r->rs->chains[idx];
			if (!chain->n_rules &&
			    !nfh_chain_refs(r->rs, chain->name))
				nfh_chain_remove(r->rs, idx);
		}
		return 0;
	}
	err = nfh_req_chain(r, &chain, &idx);
	if (!err)
		err = nfh_chain_deletable(r, idx);
	if (!err)
		nfh_chain_remove(r->rs, idx);
	return err;
}

static int nfh_do_chain_rename(const struct nfh_req *r)
{
	char name[NF_HIPAC_CHAIN_MAXLEN + 1];
	struct nfh_chain *chain;
	u32 idx;
	int err = nfh_req_chain(r, &chain, &idx);

	if (err)
		return err;
	if (idx < nfh_n_base(r->rs))
		return nfh_req_fail(r, -EINVAL, NF_HIPAC_A_CHAIN,
				    "cannot rename built-in chain %s",
				    chain->name);
	err = nfh_req_newname(r, NF_HIPAC_A_NEWNAME, name);
	return err ?: nfh_chain_rename(r->rs, idx, name);
}

static int nfh_do_chain_policy(const struct nfh_req *r)
{
	struct nfh_chain *chain;
	u32 idx;
	int err = nfh_req_chain(r, &chain, &idx);

	if (err)
		return err;
	if (GENL_REQ_ATTR_CHECK(r->info, NF_HIPAC_A_POLICY))
		return -EINVAL;
	if (idx >= nfh_n_base(r->rs))
		return nfh_req_fail(r, -EINVAL, NF_HIPAC_A_CHAIN,
				    "%s: only built-in chains have a policy",
				    chain->name);
	if (r->rs->table == NFH_NAT &&
	    nla_get_u32(r->info->attrs[NF_HIPAC_A_POLICY]) != NF_HIPAC_V_ACCEPT)
		return nfh_req_fail(r, -EINVAL, NF_HIPAC_A_POLICY,
				    "The \"nat\" table is not intended for filtering, the use of DROP is therefore inhibited.");
	chain->policy = nla_get_u32(r->info->attrs[NF_HIPAC_A_POLICY]);
	return 0;
}

static int nfh_do_flush(const struct nfh_req *r)
{
	struct nfh_chain *chain;
	u32 c;
	int err;

	if (!r->info->attrs[NF_HIPAC_A_CHAIN]) {
		for (c = 0; c < r->rs->n_chains; c++)
			nfh_chain_flush(r->rs->chains[c]);
		return 0;
	}
	err = nfh_req_chain(r, &chain, NULL);
	if (!err)
		nfh_chain_flush(chain);
	return err;
}

static int (*const nfh_change_fns[])(const struct nfh_req *r) = {
	[NF_HIPAC_CMD_RULE_APPEND] = nfh_do_append,
	[NF_HIPAC_CMD_RULE_INSERT] = nfh_do_insert,
	[NF_HIPAC_CMD_RULE_DELETE] = nfh_do_delete,
	[NF_HIPAC_CMD_RULE_REPLACE] = nfh_do_replace,
	[NF_HIPAC_CMD_CHAIN_NEW] = nfh_do_chain_new,
	[NF_HIPAC_CMD_CHAIN_DEL] = nfh_do_chain_del,
	[NF_HIPAC_CMD_CHAIN_RENAME] = nfh_do_chain_rename,
	[NF_HIPAC_CMD_CHAIN_POLICY] = nfh_do_chain_policy,
	[NF_HIPAC_CMD_FLUSH] = nfh_do_flush,
};

/* An error of a poisoned transaction, again */
static int nfh_poisoned(struct nfh_session *sess, struct genl_info *info)
{
	info->extack->_msg = sess->txn_msg;
	return sess->txn_err;
}

/*
 * A change: to the open transaction of the socket, or else to a copy of
 * the committed rule set, committed at once.
 */
static int nfh_change_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nfh_net *hn = nfh_net(genl_info_net(info));
	struct nfh_req r = { .info = info };
	struct nfh_session *sess;
	int err;

	err = nfh_nl_family(info, &r.slot);
	if (err)
		return err;
	mutex_lock(&hn->lock);
	sess = nfh_session_get(hn, info->snd_portid);
	err = -ENOMEM;
	if (!sess)
		goto out;
	sess->msg[0] = '\0';
	r.msg = sess->msg;
	if (sess->txn) {
		err = sess->txn_err;
		if (err) {
			err = nfh_poisoned(sess, info);
			goto out;
		}
		if (sess->txn_table != r.slot) {
			err = nfh_req_fail(&r, -EINVAL, NF_HIPAC_A_FAMILY,
					   "the open transaction is for another table");
			goto out;
		}
		r.rs = sess->txn;
		err = nfh_change_fns[info->genlhdr->cmd](&r);
		if (err) {
			/* Poison: COMMIT fails with this again */
			sess->txn_err = err;
			strscpy(sess->txn_msg, info->extack->_msg ?: "",
				sizeof(sess->txn_msg));
		}
		goto out;
	}
	r.rs = nfh_ruleset_copy(hn->tables[r.slot].rs);
	if (!r.rs)
		goto out;
	err = nfh_change_fns[info->genlhdr->cmd](&r);
	if (!err) {
		err = nfh_commit(hn, r.slot, r.rs, sess->msg);
		if (err)
			info->extack->_msg = sess->msg;
	}
	nfh_ruleset_put(r.rs);
out:
	mutex_unlock(&hn->lock);
	return err;
}

static int nfh_begin_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nfh_net *hn = nfh_net(genl_info_net(info));
	struct nfh_session *sess;
	u32 slot;
	int err;

	err = nfh_nl_family(info, &slot);
	if (err)
		return err;
	mutex_lock(&hn->lock);
	sess = nfh_session_get(hn, info->snd_portid);
	err = -ENOMEM;
	if (!sess)
		goto out;
	err = -EBUSY;
	if (sess->txn) {
		GENL_SET_ERR_MSG(info, "a transaction is already open on this socket");
		goto out;
	}
	err = -ENOMEM;
	sess->txn = nfh_ruleset_copy(hn->tables[slot].rs);
	if (!sess->txn)
		goto out;
	sess->txn_table = slot;
	sess->txn_generation = hn->tables[slot].generation;
	sess->txn_err = 0;
	sess->txn_msg[0] = '\0';
	err = 0;
out:
	mutex_unlock(&hn->lock);
	return err;
}

/* End the open transaction of the socket; NULL if it has none */
static struct nfh_ruleset *nfh_txn_take(struct nfh_net *hn,
					struct genl_info *info,
					struct nfh_session **sessp)
{
	struct nfh_session *sess = nfh_session_get(hn, info->snd_portid);
	struct nfh_ruleset *rs;

	*sessp = sess;
	if (!sess || !sess->txn) {
		GENL_SET_ERR_MSG(info, "no transaction is open on this socket");
		return NULL;
	}
	rs = sess->txn;
	sess->txn = NULL;
	return rs;
}

static int nfh_commit_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nfh_net *hn = nfh_net(genl_info_net(info));
	struct nfh_session *sess;
	struct nfh_ruleset *rs;
	int err = -EINVAL;

	mutex_lock(&hn->lock);
	rs = nfh_txn_take(hn, info, &sess);
	if (!rs)
		goto out;
	if (sess->txn_err) {
		err = nfh_poisoned(sess, info);
	} else if (hn->tables[sess->txn_table].generation !=
		   sess->txn_generation) {
		GENL_SET_ERR_MSG(info, "the rule set changed since BEGIN; retry");
		err = -EAGAIN;
	} else {
		err = nfh_commit(hn, sess->txn_table, rs, sess->msg);
		if (err)
			info->extack->_msg = sess->msg;
	}
	nfh_ruleset_put(rs);
out:
	mutex_unlock(&hn->lock);
	return err;
}

static int nfh_abort_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nfh_net *hn = nfh_net(genl_info_net(info));
	struct nfh_session *sess;
	struct nfh_ruleset *rs;

	mutex_lock(&hn->lock);
	rs = nfh_txn_take(hn, info, &sess);
	nfh_ruleset_put(rs);
	mutex_unlock(&hn->lock);
	return rs ? 0 : -EINVAL;
}

static void nfh_zero_chain(struct nfh_table *table, u32 c)
{
	const struct nfh_chain *chain = table->rs->chains[c];
	u32 i;

	for (i = 0; i < chain->n_rules; i++)
		nfh_counter_zero(chain->rules[i]->cnt);
	if (c < nfh_n_base(table->rs))
		nfh_counter_zero(table->policy_cnt[c]);
}

/* Counters belong to the committed rules: zeroing is never deferred */
static int nfh_zero_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nfh_net *hn = nfh_net(genl_info_net(info));
	struct nlattr *pos = info->attrs[NF_HIPAC_A_POS];
	struct nfh_table *table;
	struct nfh_chain *chain;
	u32 slot, c;
	int err;

	err = nfh_nl_family(info, &slot);
	if (err)
		return err;
	mutex_lock(&hn->lock);
	table = &hn->tables[slot];
	if (!info->attrs[NF_HIPAC_A_CHAIN]) {
		for (c = 0; c < table->rs->n_chains; c++)
			nfh_zero_chain(table, c);
		goto out;
	}
	chain = nfh_chain_find(table->rs,
			       nla_data(info->attrs[NF_HIPAC_A_CHAIN]), &c);
	err = -ENOENT;
	if (!chain) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[NF_HIPAC_A_CHAIN],
				    "no such chain");
		goto out;
	}
	err = 0;
	if (!pos) {
		nfh_zero_chain(table, c);
		goto out;
	}
	if (nla_get_u32(pos) > chain->n_rules) {
		NL_SET_ERR_MSG_ATTR(info->extack, pos, "no rule at that position");
		err = -E2BIG;
		goto out;
	}
	nfh_counter_zero(chain->rules[nla_get_u32(pos) - 1]->cnt);
out:
	mutex_unlock(&hn->lock);
	return err;
}

static int nfh_put_counter(struct sk_buff *msg, const struct nfh_counter *cnt,
			   int packets, int pad)
{
	u64 p, b;

	nfh_counter_read(cnt, &p, &b);
	if (nla_put_u64_64bit(msg, packets, p, pad) ||
	    nla_put_u64_64bit(msg, packets + 1, b, pad))
		return -EMSGSIZE;
	return 0;
}

static int nfh_fill_stats(struct sk_buff *msg, const struct nfh_table *table)
{
	const struct nfh_stats *st = &table->stats;
	u64 hotdrops, xt_runs, unused;

	nfh_counter_read(table->hotdrop_cnt, &hotdrops, &unused);
	nfh_counter_read(table->xt_runs, &xt_runs, &unused);
	if (nla_put_u8(msg, NF_HIPAC_A_FAMILY, table->rs->family) ||
	    nla_put_u8(msg, NF_HIPAC_A_TABLE, table->rs->table) ||
	    nla_put_u64_64bit(msg, NF_HIPAC_A_GENERATION, table->generation,
			      NF_HIPAC_A_PAD) ||
	    nla_put_u32(msg, NF_HIPAC_A_STAT_RULES,
			nfh_ruleset_rules(table->rs)) ||
	    nla_put_u32(msg, NF_HIPAC_A_STAT_CHAINS, table->rs->n_chains) ||
	    nla_put_u32(msg, NF_HIPAC_A_STAT_FLAT_RULES, st->flat_rules) ||
	    nla_put_u32(msg, NF_HIPAC_A_STAT_NODES, st->nodes) ||
	    nla_put_u64_64bit(msg, NF_HIPAC_A_STAT_INTERVALS, st->intervals,
			      NF_HIPAC_A_PAD) ||
	    nla_put_u64_64bit(msg, NF_HIPAC_A_STAT_BYTES, st->bytes,
			      NF_HIPAC_A_PAD) ||
	    nla_put_u64_64bit(msg, NF_HIPAC_A_STAT_BUILD_NS, st->build_ns,
			      NF_HIPAC_A_PAD) ||
	    nla_put_u64_64bit(msg, NF_HIPAC_A_STAT_MEM_LIMIT,
			      READ_ONCE(nfh_mem_limit), NF_HIPAC_A_PAD) ||
	    nla_put_u64_64bit(msg, NF_HIPAC_A_STAT_HOTDROPS, hotdrops,
			      NF_HIPAC_A_PAD) ||
	    nla_put_u64_64bit(msg, NF_HIPAC_A_STAT_XT_RUNS,
			      xt_runs, NF_HIPAC_A_PAD))
		return -EMSGSIZE;
	return 0;
}

static int nfh_stats_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nfh_net *hn = nfh_net(genl_info_net(info));
	struct sk_buff *msg;
	u32 slot;
	void *hdr;
	int err;

	err = nfh_nl_family(info, &slot);
	if (err)
		return err;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = klab_nl_reply_put(msg, info, NF_HIPAC_CMD_STATS);
	if (!hdr)
		goto err_free_msg;
	mutex_lock(&hn->lock);
	err = nfh_fill_stats(msg, &hn->tables[slot]);
	mutex_unlock(&hn->lock);
	if (err)
		goto err_free_msg;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free_msg:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/*
 * DUMP walks a snapshot: the committed rule set it started with, kept
 * by reference.  cb->args: [0] the rule set, [1] the table, [2] the
 * chain, [3] 0 for the chain's own message, else 1 + the next rule,
 * [4] 1 + the only chain to dump, or 0.
 */
static int nfh_dump_start(struct netlink_callback *cb)
{
	const struct genl_dumpit_info *di = genl_dumpit_info(cb);
	struct nfh_net *hn = nfh_net(sock_net(cb->skb->sk));
	struct nlattr *chain = di->attrs[NF_HIPAC_A_CHAIN];
	struct nfh_ruleset *rs;
	u32 slot, idx;
	int err;

	err = nfh_nl_slot(di->attrs, cb->extack, &slot);
	if (err)
		return err;
	mutex_lock(&hn->lock);
	rs = hn->tables[slot].rs;
	refcount_inc(&rs->ref);
	mutex_unlock(&hn->lock);
	cb->args[0] = (long)rs;
	cb->args[1] = slot;
	if (chain) {
		if (!nfh_chain_find(rs, nla_data(chain), &idx)) {
			nfh_ruleset_put(rs);
			cb->args[0] = 0;
			NL_SET_ERR_MSG_ATTR(cb->extack, chain, "no such chain");
			return -ENOENT;
		}
		cb->args[2] = idx;
		cb->args[4] = idx + 1;
	}
	return 0;
}

static int nfh_dump_done(struct netlink_callback *cb)
{
	nfh_ruleset_put((struct nfh_ruleset *)cb->args[0]);
	return 0;
}

static int nfh_dump_chain(struct sk_buff *skb, struct netlink_callback *cb,
			  const struct nfh_ruleset *rs, u32 c)
{
	struct nfh_net *hn = nfh_net(sock_net(cb->skb->sk));
	const struct nfh_chain *chain = rs->chains[c];
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  genl_dumpit_info(cb)->family, NLM_F_MULTI,
			  NF_HIPAC_CMD_DUMP);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u8(skb, NF_HIPAC_A_FAMILY, rs->family) ||
	    nla_put_string(skb, NF_HIPAC_A_CHAIN, chain->name) ||
	    nla_put_u32(skb, NF_HIPAC_A_REFS, nfh_chain_refs(rs, chain->name)))
		goto err_cancel;
	if (c < nfh_n_base(rs) &&
	    (nla_put_u32(skb, NF_HIPAC_A_POLICY, chain->policy) ||
	     nfh_put_counter(skb, hn->tables[cb->args[1]].policy_cnt[c],
			     NF_HIPAC_A_PACKETS, NF_HIPAC_A_PAD)))
		goto err_cancel;
	genlmsg_end(skb, hdr);
	return 0;

err_cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int nfh_dump_rule(struct sk_buff *skb, struct netlink_callback *cb,
			 const struct nfh_chain *chain, u32 i)
{
	const struct nfh_rule *rule = chain->rules[i];
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  genl_dumpit_info(cb)->family, NLM_F_MULTI,
			  NF_HIPAC_CMD_DUMP);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_string(skb, NF_HIPAC_A_CHAIN, chain->name) ||
	    nla_put_u32(skb, NF_HIPAC_A_POS, i + 1))
		goto err_cancel;
	nest = nla_nest_start(skb, NF_HIPAC_A_RULE);
	if (!nest || skb_tailroom(skb) < rule->nest_len)
		goto err_cancel;
	skb_put_data(skb, rule->nest, rule->nest_len);
	if (nfh_put_counter(skb, rule->cnt, NF_HIPAC_R_PACKETS,
			    NF_HIPAC_R_PAD))
		goto err_cancel;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;

err_cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int nfh_dump_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct nfh_ruleset *rs = (void *)cb->args[0];
	const struct nfh_chain *chain;
	u32 c;

	for (c = cb->args[2]; c < rs->n_chains; c++) {
		if (cb->args[4] && c != cb->args[4] - 1)
			break;
		chain = rs->chains[c];
		if (!cb->args[3]) {
			if (nfh_dump_chain(skb, cb, rs, c))
				goto full;
			cb->args[3] = 1;
		}
		for (; cb->args[3] <= chain->n_rules; cb->args[3]++)
			if (nfh_dump_rule(skb, cb, chain, cb->args[3] - 1))
				goto full;
		cb->args[3] = 0;
	}
	cb->args[2] = c;
	return skb->len;

full:
	cb->args[2] = c;
	return skb->len;
}

#define NFH_OP(_cmd, _doit) {						\
	.cmd = (_cmd), .doit = (_doit), .policy = nfh_nl_policy,	\
	.maxattr = NF_HIPAC_A_MAX, .flags = GENL_UNS_ADMIN_PERM,	\
}

static const struct genl_ops nfh_nl_ops[] = {
	NFH_OP(NF_HIPAC_CMD_BEGIN, nfh_begin_doit),
	NFH_OP(NF_HIPAC_CMD_COMMIT, nfh_commit_doit),
	NFH_OP(NF_HIPAC_CMD_ABORT, nfh_abort_doit),
	NFH_OP(NF_HIPAC_CMD_RULE_APPEND, nfh_change_doit),
	NFH_OP(NF_HIPAC_CMD_RULE_INSERT, nfh_change_doit),
	NFH_OP(NF_HIPAC_CMD_RULE_DELETE, nfh_change_doit),
	NFH_OP(NF_HIPAC_CMD_RULE_REPLACE, nfh_change_doit),
	NFH_OP(NF_HIPAC_CMD_CHAIN_NEW, nfh_change_doit),
	NFH_OP(NF_HIPAC_CMD_CHAIN_DEL, nfh_change_doit),
	NFH_OP(NF_HIPAC_CMD_CHAIN_RENAME, nfh_change_doit),
	NFH_OP(NF_HIPAC_CMD_CHAIN_POLICY, nfh_change_doit),
	NFH_OP(NF_HIPAC_CMD_FLUSH, nfh_change_doit),
	NFH_OP(NF_HIPAC_CMD_ZERO, nfh_zero_doit),
	{
		.cmd = NF_HIPAC_CMD_DUMP,
		.start = nfh_dump_start,
		.dumpit = nfh_dump_dumpit,
		.done = nfh_dump_done,
		.policy = nfh_nl_policy,
		.maxattr = NF_HIPAC_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	NFH_OP(NF_HIPAC_CMD_STATS, nfh_stats_doit),
};

static const struct klab_nl_desc nfh_nl_desc = {
	.name = NF_HIPAC_FAMILY_NAME,
	.version = NF_HIPAC_FAMILY_VERSION,
	.maxattr = NF_HIPAC_A_MAX,
	.ops = nfh_nl_ops,
	.n_ops = ARRAY_SIZE(nfh_nl_ops),
};

/**
 * nfh_nl_init - register the nf_hipac family
 *
 * Return: 0 or the error of klab_nl_register().
 */
int nfh_nl_init(void)
{
	return klab_nl_register(&nfh_nl_desc);
}

/**
 * nfh_nl_exit - unregister the nf_hipac family
 */
void nfh_nl_exit(void)
{
	klab_nl_unregister();
}
