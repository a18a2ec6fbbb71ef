/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nf_hipac: the HiPAC packet classifier on netfilter.
 *
 * Each network namespace holds one table per address family.  A table's
 * committed rule set (struct nfh_ruleset) is immutable: a transaction
 * edits a copy that shares the rule objects, and a commit compiles the
 * copy into one HiPAC tree per hook (struct nfh_compiled), published
 * under RCU; each tree is updated from the one it replaces and shares
 * with it what the transaction left alone.  Rule objects own their
 * counters, so a rule that a commit leaves alone keeps counting where it
 * was.
 */
#ifndef _NF_HIPAC_H
#define _NF_HIPAC_H

#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter.h>
#include <linux/percpu.h>
#include <linux/ratelimit.h>
#include <linux/refcount.h>
#include <linux/workqueue.h>
#include <net/netfilter/nf_nat.h>
#include <net/netlink.h>

#include <klab/hipac.h>

#include "../common/klab_nl.h"
#include "../core/hipac.h"

/*
 * The dimensions of the packet vector.  SRC and DST hold the IPv4
 * address, or the rank of the IPv6 address among the bounds of the rule
 * set's matches (addr.c).  IIF and OIF hold the rank of the device name
 * among the names of the rule set (see nfh_ifname_rank()).  From
 * MASKED0 on, each dimension is a value of the packet ANDed with a mask
 * of the rule set (struct nfh_masked): skb->mark & a --mark mask, so any
 * mask is one interval; the connection's state bit & a --state or
 * --ctstate set, and its status & a --ctstatus set, so that "one of
 * these" is the interval [1, mask] and its "!" the value 0; a word of
 * the source or destination address & the word of a non-contiguous -s
 * or -d mask, so that such a mask is one value per word it looks at.
 */
enum nfh_dim {
	NFH_DIM_SRC,
	NFH_DIM_DST,
	NFH_DIM_PROTO,
	NFH_DIM_SPORT,
	NFH_DIM_DPORT,
	NFH_DIM_IIF,
	NFH_DIM_OIF,
	NFH_DIM_TCPFLAG0,	/* one 0/1 dimension per flag bit */
	NFH_DIM_ICMP = NFH_DIM_TCPFLAG0 + 8, /* type << 8 | code */
	NFH_DIM_TTL,
	NFH_DIM_FRAG,		/* enum nfh_frag */
	NFH_DIM_L4LEN,		/* transport header bytes, at most 20 */
	NFH_DIM_CTDIR,		/* enum nfh_ctdir */
	NFH_DIM_MASKED0,
	NFH_DIM_FIXED = NFH_DIM_MASKED0,
};

#define NFH_MAX_MASKED		(HIPAC_MAX_DIMS - NFH_DIM_MASKED0)

/* The direction of a packet in its connection, or none (no conntrack) */
enum nfh_ctdir {
	NFH_CTDIR_ORIGINAL = NF_HIPAC_CTDIR_ORIGINAL,
	NFH_CTDIR_REPLY = NF_HIPAC_CTDIR_REPLY,
	NFH_CTDIR_NONE,
};

/* What a masked dimension takes the mask of */
enum nfh_masked_src {
	NFH_MASKED_MARK,	/* skb->mark */
	NFH_MASKED_CTSTATE,	/* NF_HIPAC_CT_* bits of the packet */
	NFH_MASKED_CTSTATUS,	/* NF_HIPAC_CTS_* bits of its connection */
	/* a word of the source address (IPv4: the first), host order */
	NFH_MASKED_SRC0,
	NFH_MASKED_DST0 = NFH_MASKED_SRC0 + 4,	/* and of the destination */
	NFH_MASKED_N = NFH_MASKED_DST0 + 4,
};

/**
 * struct nfh_masked - a masked dimension
 * @src: enum nfh_masked_src
 * @mask: what of it the rules look at
 */
struct nfh_masked {
	u8 src;
	u32 mask;
};

/*
 * Fragments as xtables' tcp match tells them apart: it drops an IPv4
 * fragment at offset 1 (8 bytes, which could overwrite the TCP flags)
 * instead of only not matching it.  ip6_tables passes the offset in
 * bytes, so IPv6 fragments are never NFH_FRAG_OFFSET1.
 */
enum nfh_frag {
	NFH_FRAG_NONE,		/* not a fragment, or the first one */
	NFH_FRAG_OFFSET1,
	NFH_FRAG_LATER,
};

/* The bytes of a transport header xtables' matches read */
#define NFH_L4LEN_TCP		20
#define NFH_L4LEN_UDP		8
#define NFH_L4LEN_DCCP		12	/* struct dccp_hdr */
#define NFH_L4LEN_SCTP		12	/* struct sctphdr */
#define NFH_L4LEN_ICMP		8
#define NFH_L4LEN_PORTS		4
#define NFH_L4LEN_MAX		NFH_L4LEN_TCP

/* The tables of a family (enum nf_hipac_table) */
enum nfh_table_id {
	NFH_FILTER = NF_HIPAC_TABLE_FILTER,
	NFH_NAT = NF_HIPAC_TABLE_NAT,
	NFH_N_TABLES,
};

#define NFH_MAX_HOOKS		4	/* base chains of a table */

/* The filter table's base chains, in this order at the start of its rule sets */
enum nfh_filter_hook {
	NFH_INPUT,
	NFH_FORWARD,
	NFH_OUTPUT,
};

/* The nat table's */
enum nfh_nat_hook {
	NFH_NAT_PREROUTING,
	NFH_NAT_INPUT,
	NFH_NAT_OUTPUT,
	NFH_NAT_POSTROUTING,
};

/**
 * struct nfh_table_type - what a table is
 * @name: "filter" or "nat"
 * @n_base: its base chains
 * @base: their names, in iptables' order
 * @hooknum: the NF_INET_* hook of each
 */
struct nfh_table_type {
	const char *name;
	u32 n_base;
	const char *base[NFH_MAX_HOOKS];
	u8 hooknum[NFH_MAX_HOOKS];
};

extern const struct nfh_table_type nfh_table_types[NFH_N_TABLES];

/*
 * Origins in the trees: a policy has its base chain's index, the packets
 * a transport match cannot read (xtables' "hotdrop") NFH_ORIGIN_HOTDROP,
 * a rule its id, from NFH_ORIGIN_RULES up.
 */
#define NFH_ORIGIN_HOTDROP	NFH_MAX_HOOKS
#define NFH_ORIGIN_RULES	(NFH_ORIGIN_HOTDROP + 1)

/* The bits the policy lets through, by attribute */
#define NFH_STATE_ALL		(NF_HIPAC_CT_INVALID | NF_HIPAC_CT_ESTABLISHED | \
				 NF_HIPAC_CT_RELATED | NF_HIPAC_CT_NEW | \
				 NF_HIPAC_CT_UNTRACKED)
#define NFH_CT_ALL		(NFH_STATE_ALL | NF_HIPAC_CT_SNAT | \
				 NF_HIPAC_CT_DNAT)
#define NFH_CTS_ALL		(NF_HIPAC_CTS_EXPECTED | \
				 NF_HIPAC_CTS_SEEN_REPLY | \
				 NF_HIPAC_CTS_ASSURED | NF_HIPAC_CTS_CONFIRMED)
#define NFH_NAT_FLAGS_ALL	(NF_HIPAC_NAT_RANDOM | NF_HIPAC_NAT_PERSISTENT | \
				 NF_HIPAC_NAT_RANDOM_FULLY)

#define NFH_MAX_DEPTH		64	/* nested jumps, as a sane bound */
#define NFH_MAX_EXPANSION	1024	/* flat rules of one rule */
#define NFH_MSG_LEN		128

/* One CPU's share of a counter */
struct nfh_pcpu_cnt {
	u64 packets;
	u64 bytes;
};

/* Count @packets packets of @bytes bytes on this CPU's half of a counter */
static inline void nfh_pcpu_add(struct nfh_pcpu_cnt __percpu *pcpu,
				u64 packets, u64 bytes)
{
	this_cpu_add(pcpu->packets, packets);
	this_cpu_add(pcpu->bytes, bytes);
}

/**
 * struct nfh_counter - a packet and byte counter, per CPU
 * @ref: rule objects sharing it (a renamed jump keeps its counter)
 * @pcpu: the per-CPU halves, summed on read
 */
struct nfh_counter {
	refcount_t ref;
	struct nfh_pcpu_cnt __percpu *pcpu;
};

/*
 * struct nfh_spec - a rule's matches, parsed from its nest, one field per
 * NF_HIPAC_R_* value.  Each has_* says the match is present, each *_inv
 * is its "!".  order[] holds the match modules the rule uses (enum
 * nf_hipac_match), in the order iptables evaluates them.
 */
struct nfh_spec {
	u32 src[4], dst[4];	/* host order, word by word; IPv4 in [0] */
	u8 src_plen, dst_plen;	/* with a mask: its leading ones */
	u32 src_mask[4], dst_mask[4];	/* non-contiguous masks, as src */
	u32 srange[2][4], drange[2][4];	/* [0] lowest, [1] highest */
	u16 sport[2], dport[2];	/* lowest, highest */
	struct nf_hipac_port_range mp[NF_HIPAC_MULTIPORT_MAX];
	u8 n_mp, mp_dir;
	u8 proto;		/* 0: any, as -p all */
	char iif[IFNAMSIZ], oif[IFNAMSIZ]; /* a trailing '+' is a wildcard */
	u8 tcp_mask, tcp_cmp;
	u8 icmp_type, icmp_code[2];
	u8 ttl_op, ttl;
	u32 mark, mark_mask;
	u32 state, ctstate, ctstatus;
	u8 ctdir;
	u8 order[NF_HIPAC_M_MAX], n_order;
	bool has_src_mask, has_dst_mask;
	bool masks_xt;			/* compared by the extension step */
	bool has_src, has_dst, has_srange, has_drange, has_proto;
	bool has_sport, has_dport, has_mp, has_iif, has_oif, has_tcp;
	bool has_icmp, has_ttl, has_frag, has_mark;
	bool has_state, has_ctstate, has_ctstatus, has_ctdir;
	bool src_inv, dst_inv, srange_inv, drange_inv, proto_inv;
	bool sport_inv, dport_inv, mp_inv, iif_inv, oif_inv, tcp_inv;
	bool icmp_inv, ttl_inv, frag_inv, mark_inv;
	bool state_inv, ctstate_inv, ctstatus_inv;
};

/**
 * struct nfh_xt_ext - one xtables match or target of a rule
 * @match: the match (a module reference held)
 * @target: the target (a module reference held)
 * @name: its name, for messages
 * @checked: its checkentry succeeded, so its destroy is due
 * @size: bytes of @data
 * @data: the extension's info struct, its state with it
 */
struct nfh_xt_ext {
	union {
		struct xt_match *match;
		struct xt_target *target;
	};
	char name[NF_HIPAC_XT_NAME_MAXLEN + 1];
	bool checked;
	u32 size;
	void *data;
};

/**
 * struct nfh_xt - the xtables extensions of a rule (xt.c)
 * @net: the namespace they were checked in
 * @nfproto: NFPROTO_IPV4 or NFPROTO_IPV6
 * @has_target: @target is there
 * @target: the xtables target
 * @n_matches: entries in @matches
 * @matches: the xtables matches, in evaluation order
 */
struct nfh_xt {
	struct net *net;
	u8 nfproto;
	bool has_target;
	struct nfh_xt_ext target;
	u32 n_matches;
	struct nfh_xt_ext matches[];
};

/* What a rule's xtables matches made of a packet (nfh_xt_run()) */
enum nfh_xt_outcome {
	NFH_XT_MISS,
	NFH_XT_HOTDROP,
	NFH_XT_HIT,
};

/**
 * struct nfh_rule - one rule, immutable once made
 * @ref: rule sets holding it (the committed one, open transactions)
 * @id: its origin in the trees, from NFH_ORIGIN_RULES up: unique among
 *	live rules and kept while the rule lives,
 *	so that an update can tell the rules it leaves alone
 * @cnt: its counters
 * @spec: the parsed matches
 * @verdict: enum nf_hipac_verdict
 * @target: chain of a JUMP or GOTO
 * @reject_with: enum nf_hipac_reject
 * @log_level: LOG's printk level
 * @log_prefix: LOG's prefix
 * @log_rs: LOG's rate limit
 * @log_pf: NFPROTO_* of the packet logger a LOG rule holds, 0 for none
 * @nat: the range of SNAT, DNAT, MASQUERADE and REDIRECT, as the kernel's
 *	NAT takes it
 * @xt: its xtables matches and target, NULL for none
 * @nest_len: bytes of @nest
 * @nest: the rule's attributes as sent, without counters, for dumps
 */
struct nfh_rule {
	refcount_t ref;
	u32 id;
	u32 twin_id;	/* origin of its hotdrop twins if its extension step
			 * compares its -s/-d masks (0: none), see flat.c
			 */
	struct nfh_counter *cnt;
	struct nfh_spec spec;
	u32 verdict;
	char target[NF_HIPAC_CHAIN_MAXLEN + 1];
	u8 reject_with;
	u8 log_level;
	char log_prefix[NF_HIPAC_LOG_PREFIX_MAXLEN + 1];
	struct ratelimit_state log_rs;
	u8 log_pf;
	struct nf_nat_range2 nat;
	struct nfh_xt *xt;
	u32 nest_len;
	u8 nest[];
};

/**
 * struct nfh_chain - a chain of a rule set
 * @name: its name
 * @policy: NF_HIPAC_V_ACCEPT or NF_HIPAC_V_DROP (base chains)
 * @n_rules: rules in @rules
 * @cap: room in @rules
 * @rules: the rules in order
 */
struct nfh_chain {
	char name[NF_HIPAC_CHAIN_MAXLEN + 1];
	u32 policy;
	u32 n_rules;
	u32 cap;
	struct nfh_rule **rules;
};

/**
 * struct nfh_ruleset - the chains of one table
 * @ref: holders (the table, transactions, running dumps)
 * @family: AF_INET or AF_INET6
 * @table: enum nfh_table_id
 * @n_chains: chains in @chains; the first are the base chains of
 *	@table, the user chains follow sorted by name
 * @cap: room in @chains
 * @chains: the chains
 */
struct nfh_ruleset {
	refcount_t ref;
	u8 family;
	u8 table;
	u32 n_chains;
	u32 cap;
	struct nfh_chain **chains;
};

/**
 * struct nfh_stats - what the last commit built
 * @rules: rules in all chains
 * @flat_rules: rules after flattening and expansion, all hooks
 * @nodes: tree nodes, all hooks
 * @intervals: elementary intervals, all hooks
 * @bytes: memory of the trees
 * @new_bytes: memory the commit allocated for them; the rest they share
 *	with the trees they replaced
 * @build_ns: time the build took
 */
struct nfh_stats {
	u32 rules;
	u32 flat_rules;
	u32 nodes;
	u64 intervals;
	u64 bytes;
	u64 new_bytes;
	u64 build_ns;
};

/**
 * struct nfh_points - starts of the elementary intervals of IPv6 addresses
 * @n: entries in @p
 * @p: the starts, sorted, host-order words; the first one is ::
 */
struct nfh_points {
	u32 n;
	u32 (*p)[4];
};

/* What the hook does with an origin of an outcome (nfh_origin.kind) */
enum nfh_origin_kind {
	NFH_ORG_COUNT,		/* count it (a policy, a native rule) */
	NFH_ORG_LOG,		/* count it and log the packet */
	NFH_ORG_XT,		/* run its xtables extensions first */
	NFH_ORG_MASKED_HOTDROP,	/* compare its rule's -s/-d masks; if they
				 * hold, drop and count it as a hotdrop
				 */
};

/**
 * struct nfh_origin - one origin as the hook walks it, resolved at commit
 *	time: a rule of an outcome costs one entry of one array (and, with
 *	xtables matches, its first match's data), not the rule object, its
 *	counter object and its extensions one after the other
 * @pcpu: the per-CPU halves of its counter
 * @match: the rule's first xtables match, NULL for none
 * @matchinfo: that match's data
 * @kind: enum nfh_origin_kind
 */
struct nfh_origin {
	struct nfh_pcpu_cnt __percpu *pcpu;
	const struct xt_match *match;
	const void *matchinfo;
	u32 kind;
};

/**
 * struct nfh_seg - the flat rules of one rule: its hotdrop twins, then
 *	its own, @n from @start
 * @start: index of the first
 * @n: how many; 0 also for a rule not flattened (or never matching)
 */
struct nfh_seg {
	u32 start;
	u32 n;
};

/**
 * struct nfh_compiled - what packets are classified with, under RCU
 * @rwork: frees it after a grace period
 * @rs: the rule set it was built from (holds the rules of @origin_rule)
 * @trees: one tree per base chain
 * @fixed: per base chain, its outcome when that is the same for every
 *	packet (a chain without rules: its policy), else NULL
 * @dims: the dimensions of the trees
 * @uses_ct: some rule looks at the packet's connection
 * @addr_masks: some masked dimension is an address word's
 * @n_masks: masked dimensions, from NFH_DIM_MASKED0
 * @masks: what each of them is
 * @pts: IPv6 source and destination address interval starts
 * @n_ifnames: names in @ifnames
 * @ifnames: sorted device names and wildcard bounds of the rule set
 * @n_origins: entries of @origins and @origin_rule
 * @origins: each origin's counter and what the hook does with it: base
 *	policies by hook, rules by id (unused ids count nowhere: the trees
 *	never report them)
 * @origin_rule: the rule of each origin, NULL for policies and unused
 *	ids
 * @flat: the flat rules the trees were built from, kept so that the next
 *	commit copies those of the rules it leaves alone (flat.c)
 * @pool: the matches of @flat
 * @n_flat: entries in @flat
 * @n_pool: entries in @pool
 * @seg: per origin, where a rule's flat rules are in @flat
 */
struct nfh_compiled {
	struct rcu_work rwork;
	struct nfh_ruleset *rs;
	struct hipac_tree *trees[NFH_MAX_HOOKS];
	const struct hipac_result *fixed[NFH_MAX_HOOKS];
	struct hipac_dims dims;
	bool uses_ct;
	bool addr_masks;
	u32 n_masks;
	struct nfh_masked masks[NFH_MAX_MASKED];
	struct nfh_points pts[2];
	u32 n_ifnames;
	char (*ifnames)[IFNAMSIZ];
	u32 n_origins;
	struct nfh_origin *origins;
	struct nfh_rule **origin_rule;
	struct hipac_chain_rule *flat;
	struct hipac_match *pool;
	u32 n_flat;
	u32 n_pool;
	struct nfh_seg *seg;
};

/**
 * struct nfh_table - the rule set of one table of one family in one
 *	namespace
 * @rs: the committed rule set (under nfh_net.lock)
 * @comp: what the hooks use, NULL until the first commit
 * @policy_cnt: policy counters of the base chains
 * @hotdrop_cnt: packets a transport match could not read
 * @xt_runs: rules whose xtables matches ran, in its packet count: one
 *	per rule and packet (NF_HIPAC_A_STAT_XT_RUNS)
 * @generation: commits so far
 * @stats: of the last commit
 */
struct nfh_table {
	struct nfh_ruleset *rs;
	struct nfh_compiled __rcu *comp;
	struct nfh_counter *policy_cnt[NFH_MAX_HOOKS];
	struct nfh_counter *hotdrop_cnt;
	struct nfh_counter *xt_runs;
	u64 generation;
	struct nfh_stats stats;
};

/**
 * struct nfh_session - what the module keeps for one netlink socket
 * @list: in nfh_net.sessions
 * @portid: the socket
 * @txn: its open transaction's rule set, or NULL
 * @txn_table: index of the transaction's table in nfh_net.tables
 * @txn_generation: the table's generation when it began
 * @txn_err: the error that poisoned the transaction, or 0
 * @txn_msg: its message
 * @msg: the extack message of the socket's last request; it must
 *	outlive the request, as 6.1's extack only points to its text
 */
struct nfh_session {
	struct list_head list;
	u32 portid;
	struct nfh_ruleset *txn;
	u32 txn_table;
	u64 txn_generation;
	int txn_err;
	char txn_msg[NFH_MSG_LEN];
	char msg[NFH_MSG_LEN];
};

/* The tables of a namespace: filter IPv4, filter IPv6, nat IPv4, nat IPv6 */
#define NFH_N_TABLE_SLOTS	(2 * NFH_N_TABLES)

static inline u32 nfh_table_slot(u32 table, u32 family_idx)
{
	return 2 * table + family_idx;
}

/**
 * struct nfh_net - the module's state in one network namespace
 * @net: the namespace
 * @lock: serialises changes, commits, the session list and the
 *	conntrack and NAT registrations
 * @tables: by nfh_table_slot()
 * @sessions: struct nfh_session by socket
 * @ct_held: per family (0 IPv4, 1 IPv6): a conntrack reference is held,
 *	as some committed rule needs it (nf_ct_netns_get())
 * @nat_hooked: per family: the nat table's hooks are registered with
 *	the kernel's NAT, as the table has rules
 * @nat_bound: per family: a nat rule set up a translation
 * @xt_rules: rules of the namespace with xtables extensions, alive
 */
struct nfh_net {
	possible_net_t net;
	/* serialises changes, commits and the session list */
	struct mutex lock;
	struct nfh_table tables[NFH_N_TABLE_SLOTS];
	struct list_head sessions;
	bool ct_held[2];
	bool nat_hooked[2];
	bool nat_bound[2];
	atomic_t xt_rules;
};

/* main.c */
extern unsigned long nfh_mem_limit;
extern unsigned int nfh_max_rules;
extern unsigned int nfh_max_chains;
struct nfh_net *nfh_net(const struct net *net);
void nfh_compiled_put_rcu(struct nfh_compiled *comp);

/* addr.c */
int nfh_addr_cmp(const u32 *a, const u32 *b);
void nfh_prefix_bounds(const u32 *addr, u32 plen, u32 *lo, u32 *hi);
u32 nfh_addr_rank(const struct nfh_points *pts, const u32 *a);
int nfh_collect_points(const struct nfh_ruleset *rs,
		       struct nfh_compiled *comp);

/* counters.c */
struct nfh_counter *nfh_counter_new(u64 packets, u64 bytes);
struct nfh_counter *nfh_counter_get(struct nfh_counter *cnt);
void nfh_counter_put(struct nfh_counter *cnt);
void nfh_counter_add(struct nfh_counter *cnt, u32 len);
void nfh_counter_add_n(struct nfh_counter *cnt, u64 packets, u64 bytes);
void nfh_counter_read(const struct nfh_counter *cnt, u64 *packets, u64 *bytes);
void nfh_counter_zero(struct nfh_counter *cnt);

/* ruleset.c */
struct nfh_ruleset *nfh_ruleset_new(u8 family, u8 table);
u32 nfh_n_base(const struct nfh_ruleset *rs);
bool nfh_ruleset_needs_ct(const struct nfh_ruleset *rs);
struct nfh_ruleset *nfh_ruleset_copy(const struct nfh_ruleset *rs);
void nfh_ruleset_put(struct nfh_ruleset *rs);
struct nfh_chain *nfh_chain_find(const struct nfh_ruleset *rs,
				 const char *name, u32 *idx);
u32 nfh_chain_refs(const struct nfh_ruleset *rs, const char *name);
u32 nfh_ruleset_rules(const struct nfh_ruleset *rs);
u32 nfh_ruleset_max_id(const struct nfh_ruleset *rs);
void nfh_rule_put(struct nfh_rule *rule);
int nfh_rule_insert(struct nfh_chain *chain, u32 pos, struct nfh_rule *rule);
void nfh_rule_remove(struct nfh_chain *chain, u32 pos);
int nfh_chain_add(struct nfh_ruleset *rs, const char *name);
void nfh_chain_remove(struct nfh_ruleset *rs, u32 idx);
void nfh_chain_flush(struct nfh_chain *chain);
int nfh_chain_rename(struct nfh_ruleset *rs, u32 idx, const char *name);
bool nfh_rule_same(const struct nfh_rule *a, const struct nlattr *nest);

/* Where a rule is checked, for the messages */
struct nfh_parse {
	struct nlattr **tb;
	u8 family;
	u8 table;
	const char *chain;
	u32 pos;
	char *msg;
	struct netlink_ext_ack *extack;
};

/* rule.c */
extern const struct nla_policy nfh_rule_policy[NF_HIPAC_R_MAX + 1];
int __printf(4, 5) nfh_bad(const struct nfh_parse *p, int err, int type,
			   const char *fmt, ...);
struct nfh_rule *nfh_rule_parse(const struct nlattr *nest, struct net *net,
				const struct nfh_ruleset *rs,
				const char *chain, u32 pos,
				char *msg, struct netlink_ext_ack *extack,
				int *err);
struct nfh_rule *nfh_rule_retarget(const struct nfh_rule *rule,
				   const char *target);
int nfh_rule_twin_id(struct nfh_rule *rule);
void nfh_rule_free(struct nfh_rule *rule);
int nfh_check_nat_hooks(const struct nfh_ruleset *rs, char *msg);

/* A rule's matches being expanded into flat rules (expand.c, flat.c) */
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

/* expand.c */
void nfh_base(struct nfh_expand *e, u32 dim, u32 l, u32 r, bool inv);
void nfh_first_frag(struct nfh_expand *e);
void nfh_expand_module(struct nfh_expand *e, const struct nfh_compiled *comp,
		       const struct nfh_spec *s, u8 family, u8 m);
void nfh_expand_ip(struct nfh_expand *e, const struct nfh_compiled *comp,
		   const struct nfh_spec *s, u8 family);
void nfh_expand(struct nfh_expand *e, const struct nfh_compiled *comp,
		const struct nfh_spec *s, u8 family);

/* dims.c */
u32 nfh_mask_dim(const struct nfh_compiled *comp, u8 src, u32 mask);
bool nfh_masked_word(const struct nfh_spec *s, bool dst, u32 i);
u32 nfh_ifname_rank(const struct nfh_compiled *comp, const char *name);
void nfh_ifname_wildcard(const struct nfh_compiled *comp, const char *prefix,
			 u32 *lo, u32 *hi);
int nfh_collect_ifnames(const struct nfh_ruleset *rs,
			struct nfh_compiled *comp);
int nfh_collect_masks(const struct nfh_ruleset *rs, struct nfh_compiled *comp,
		      char *msg);
void nfh_set_dims(struct nfh_compiled *comp);

/* flat.c */
void nfh_origin_set(struct nfh_compiled *comp, u32 o, struct nfh_counter *cnt,
		    struct nfh_rule *rule);
bool nfh_same_expansion(const struct nfh_compiled *comp,
			const struct nfh_compiled *old);
int nfh_flatten(const struct nfh_ruleset *rs, struct nfh_compiled *comp,
		const struct nfh_compiled *old, struct nfh_flat *f,
		struct hipac_chain *chains, char *msg);

/* compile.c */
int nfh_compile(struct nfh_ruleset *rs, struct nfh_table *table,
		const struct nfh_compiled *old, struct nfh_compiled **out,
		struct nfh_stats *stats, char *msg);
void nfh_compiled_free(struct nfh_compiled *comp);

/* hooks.c */
int nfh_hooks_register(struct net *net);
void nfh_hooks_unregister(struct net *net);
int nfh_nat_hooks_register(struct net *net, u32 family_idx);
void nfh_nat_hooks_unregister(struct net *net, u32 family_idx);

/* target.c */
unsigned int nfh_reject(struct sk_buff *skb,
			const struct nf_hook_state *state,
			const struct nfh_rule *rule);
void nfh_log(const struct sk_buff *skb, const struct nf_hook_state *state,
	     struct nfh_rule *rule);

/* xt.c */
extern const struct nla_policy nfh_xt_policy[NF_HIPAC_XT_MAX + 1];
int nfh_xt_parse(const struct nfh_parse *p, struct net *net,
		 unsigned int hook_mask, struct nfh_rule *rule);
void nfh_xt_free(struct nfh_xt *xt);
bool nfh_xt_pkt_init(struct xt_action_param *par, struct sk_buff *skb,
		     const struct nf_hook_state *state);
enum nfh_xt_outcome nfh_xt_run(const struct nfh_xt *xt, u32 first,
			       struct sk_buff *skb,
			       struct xt_action_param *par);
unsigned int nfh_xt_target(const struct nfh_rule *rule, struct sk_buff *skb,
			   struct xt_action_param *par);

/* txn.c */
struct nfh_session *nfh_session_get(struct nfh_net *hn, u32 portid);
int nfh_commit(struct nfh_net *hn, u32 slot, struct nfh_ruleset *rs,
	       char *msg);
void nfh_ct_release(struct nfh_net *hn);
int nfh_txn_init(void);
void nfh_txn_exit(void);
void nfh_sessions_free(struct nfh_net *hn);

/* netlink.c */
int nfh_nl_init(void);
void nfh_nl_exit(void);

#endif /* _NF_HIPAC_H */
