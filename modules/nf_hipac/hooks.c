// SPDX-License-Identifier: GPL-2.0
/*
 * nf_hipac: the netfilter hooks.  A packet becomes a vector of dimension
 * values, one tree lookup gives the verdict and every rule matched on the
 * way, whose counters count it.  Lookups run under RCU and never block.
 *
 * The filter table hooks LOCAL_IN, FORWARD and LOCAL_OUT just before
 * iptables' filter table.  The nat table's hooks are not netfilter hooks
 * of their own: they are registered with the kernel's NAT
 * (nf_nat_ipv4_register_fn()), which calls them for the first packet of a
 * connection at each of its hooks, in priority order among the NAT
 * tables, until one of them binds the connection.
 */
#include <linux/icmp.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_nat_masquerade.h>
#include <net/netfilter/nf_nat_redirect.h>

#include "nf_hipac.h"

/* The base chain of @table that hook @hooknum runs */
static u32 nfh_base_index(u32 table, unsigned int hooknum)
{
	const struct nfh_table_type *type = &nfh_table_types[table];
	u32 h;

	for (h = 0; h < type->n_base - 1; h++)
		if (type->hooknum[h] == hooknum)
			break;
	return h;
}

static bool nfh_has_ports(u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_UDPLITE || proto == IPPROTO_SCTP ||
	       proto == IPPROTO_DCCP;
}

/*
 * The transport dimensions: ports, TCP flags, ICMP type and code, and how
 * much of the header there is, since xtables drops a packet whose header
 * one of its matches cannot read (the rules do this with L4LEN).
 */
static void nfh_vec_l4(const struct sk_buff *skb, u32 thoff, u8 proto,
		       u32 *vec)
{
	u8 buf[14];
	const u8 *h;
	u32 b;

	vec[NFH_DIM_L4LEN] = skb->len > thoff ?
			     min_t(u32, skb->len - thoff, NFH_L4LEN_MAX) : 0;
	if (nfh_has_ports(proto)) {
		h = skb_header_pointer(skb, thoff, 4, buf);
		if (!h)
			return;
		vec[NFH_DIM_SPORT] = h[0] << 8 | h[1];
		vec[NFH_DIM_DPORT] = h[2] << 8 | h[3];
		if (proto != IPPROTO_TCP)
			return;
		h = skb_header_pointer(skb, thoff, 14, buf);
		if (!h)
			return;
		for (b = 0; b < 8; b++)
			vec[NFH_DIM_TCPFLAG0 + b] = !!(h[13] & BIT(b));
	} else if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) {
		h = skb_header_pointer(skb, thoff, 2, buf);
		if (h)
			vec[NFH_DIM_ICMP] = h[0] << 8 | h[1];
	}
}

static void nfh_vec_ipv4(const struct sk_buff *skb, u32 *vec)
{
	const struct iphdr *iph = ip_hdr(skb);
	u16 fragoff = ntohs(iph->frag_off) & IP_OFFSET;

	vec[NFH_DIM_SRC] = ntohl(iph->saddr);
	vec[NFH_DIM_DST] = ntohl(iph->daddr);
	vec[NFH_DIM_PROTO] = iph->protocol;
	vec[NFH_DIM_TTL] = iph->ttl;
	vec[NFH_DIM_FRAG] = !fragoff ? NFH_FRAG_NONE :
			    fragoff == 1 ? NFH_FRAG_OFFSET1 : NFH_FRAG_LATER;
	if (!fragoff)
		nfh_vec_l4(skb, skb_network_offset(skb) + ip_hdrlen(skb),
			   iph->protocol, vec);
}

static void nfh_vec_ipv6(const struct nfh_compiled *comp, struct sk_buff *skb,
			 u32 *vec)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	unsigned short fragoff = 0;
	unsigned int thoff = 0;
	u32 i, src[4], dst[4];
	int proto;

	for (i = 0; i < 4; i++) {
		src[i] = ntohl(ip6h->saddr.s6_addr32[i]);
		dst[i] = ntohl(ip6h->daddr.s6_addr32[i]);
	}
	vec[NFH_DIM_SRC] = nfh_addr_rank(&comp->pts[0], src);
	vec[NFH_DIM_DST] = nfh_addr_rank(&comp->pts[1], dst);
	vec[NFH_DIM_TTL] = ip6h->hop_limit;
	/* The upper-layer protocol, as ip6_tables finds it */
	proto = ipv6_find_hdr(skb, &thoff, -1, &fragoff, NULL);
	if (proto < 0)
		return;
	vec[NFH_DIM_PROTO] = proto;
	vec[NFH_DIM_FRAG] = fragoff ? NFH_FRAG_LATER : NFH_FRAG_NONE;
	if (!fragoff)
		nfh_vec_l4(skb, thoff, proto, vec);
}

/*
 * The connection of the packet, as xt_conntrack sees it: its state bit
 * (NF_HIPAC_CT_*: ESTABLISHED, RELATED or NEW in either direction, and
 * SNAT, DNAT when translated; INVALID without a connection, UNTRACKED
 * for one NOTRACK'ed), its status bits and the packet's direction.
 */
static void nfh_vec_ct(const struct sk_buff *skb, u32 *state, u32 *status,
		       u32 *vec)
{
	enum ip_conntrack_info ctinfo;
	const struct nf_conn *ct = nf_ct_get(skb, &ctinfo);

	*status = 0;
	vec[NFH_DIM_CTDIR] = NFH_CTDIR_NONE;
	if (!ct) {
		*state = ctinfo == IP_CT_UNTRACKED ? NF_HIPAC_CT_UNTRACKED :
						     NF_HIPAC_CT_INVALID;
		return;
	}
	*state = BIT(ctinfo % IP_CT_IS_REPLY + 1);
	if (test_bit(IPS_SRC_NAT_BIT, &ct->status))
		*state |= NF_HIPAC_CT_SNAT;
	if (test_bit(IPS_DST_NAT_BIT, &ct->status))
		*state |= NF_HIPAC_CT_DNAT;
	/* NF_HIPAC_CTS_* are the IPS_* bits of the same names */
	*status = ct->status & NFH_CTS_ALL;
	vec[NFH_DIM_CTDIR] = CTINFO2DIR(ctinfo);
}

/* The address words non-contiguous -s/-d masks look at, host order */
static void nfh_vec_addr_words(const struct sk_buff *skb, u8 pf, u32 *src)
{
	const struct ipv6hdr *ip6h;
	u32 i;

	if (pf == NFPROTO_IPV4) {
		src[NFH_MASKED_SRC0] = ntohl(ip_hdr(skb)->saddr);
		src[NFH_MASKED_DST0] = ntohl(ip_hdr(skb)->daddr);
		return;
	}
	ip6h = ipv6_hdr(skb);
	for (i = 0; i < 4; i++) {
		src[NFH_MASKED_SRC0 + i] = ntohl(ip6h->saddr.s6_addr32[i]);
		src[NFH_MASKED_DST0 + i] = ntohl(ip6h->daddr.s6_addr32[i]);
	}
}

static void nfh_vec(const struct nfh_compiled *comp, struct sk_buff *skb,
		    const struct nf_hook_state *state, u32 *vec)
{
	u32 i, src[NFH_MASKED_N] = { skb->mark };

	memset(vec, 0, comp->dims.n * sizeof(*vec));
	if (state->pf == NFPROTO_IPV4)
		nfh_vec_ipv4(skb, vec);
	else
		nfh_vec_ipv6(comp, skb, vec);
	if (comp->n_ifnames) {
		vec[NFH_DIM_IIF] = nfh_ifname_rank(comp, state->in ?
						   state->in->name : "");
		vec[NFH_DIM_OIF] = nfh_ifname_rank(comp, state->out ?
						   state->out->name : "");
	}
	if (comp->uses_ct)
		nfh_vec_ct(skb, &src[NFH_MASKED_CTSTATE],
			   &src[NFH_MASKED_CTSTATUS], vec);
	if (comp->addr_masks)
		nfh_vec_addr_words(skb, state->pf, src);
	for (i = 0; i < comp->n_masks; i++)
		vec[NFH_DIM_MASKED0 + i] = src[comp->masks[i].src] &
					   comp->masks[i].mask;
}

/*
 * Act on origin @o, a rule with xtables extensions that the lookup
 * reached: run its matches (@par: the packet's, from nfh_xt_pkt_init()),
 * the first from its struct nfh_origin, so that a rule whose first match
 * misses reads nothing else; when they all match count it and run its
 * target, or take its native verdict.
 * Return: XT_CONTINUE to go on with the next rule, else the netfilter
 * verdict.
 */
static unsigned int nfh_xt_rule(const struct nfh_compiled *comp, u32 o,
				struct sk_buff *skb,
				const struct nf_hook_state *state,
				struct xt_action_param *par)
{
	const struct nfh_origin *org = &comp->origins[o];
	struct nfh_rule *rule;

	if (org->match) {
		par->match = org->match;
		par->matchinfo = org->matchinfo;
		if (!org->match->match(skb, par))
			return par->hotdrop ? NF_DROP : XT_CONTINUE;
		if (par->hotdrop)
			return NF_DROP;
	}
	rule = comp->origin_rule[o];
	switch (nfh_xt_run(rule->xt, 1, skb, par)) {
	case NFH_XT_MISS:
		return XT_CONTINUE;
	case NFH_XT_HOTDROP:
		return NF_DROP;
	case NFH_XT_HIT:
		break;
	}
	nfh_pcpu_add(org->pcpu, 1, skb->len);
	if (rule->xt->has_target)
		return nfh_xt_target(rule, skb, par);
	switch (rule->verdict) {
	case NF_HIPAC_V_ACCEPT:
		return NF_ACCEPT;
	case NF_HIPAC_V_DROP:
		return NF_DROP;
	case NF_HIPAC_V_REJECT:
		return nfh_reject(skb, state, rule);
	case NF_HIPAC_V_LOG:
		nfh_log(skb, state, rule);
		return XT_CONTINUE;
	default:
		return XT_CONTINUE;
	}
}

/*
 * Origin @org, the hotdrop twin of a rule whose extension step compares
 * its -s/-d masks: the tree reached it on the masks' leading ones; the
 * packet is dropped (and counted as a hotdrop) only if the masks hold,
 * as ip_tables compares addresses before a transport match runs.
 */
static bool nfh_twin_drops(const struct nfh_origin *org, struct sk_buff *skb,
			   struct xt_action_param *par)
{
	par->match = org->match;
	par->matchinfo = org->matchinfo;
	if (!org->match->match(skb, par))
		return false;
	nfh_pcpu_add(org->pcpu, 1, skb->len);
	return true;
}

static bool nfh_uses_mark(const struct nfh_compiled *comp)
{
	u32 i;

	for (i = 0; i < comp->n_masks; i++)
		if (comp->masks[i].src == NFH_MASKED_MARK)
			return true;
	return false;
}

/*
 * A non-terminal xtables target (MARK, CONNMARK) changed skb->mark, which
 * the rules after it match on: look the packet up again and go on after
 * the same rule (its @nth walk occurrence) in the new outcome, as
 * iptables' next rule would see the new mark.  Keeps *@resp and *@ip if
 * the rule is not in it (its own native part no longer matches).
 */
static void nfh_relookup(const struct nfh_compiled *comp, u32 base,
			 struct sk_buff *skb,
			 const struct nf_hook_state *state,
			 const struct hipac_result **resp, u32 *ip)
{
	const struct hipac_result *res = *resp, *again;
	u32 vec[HIPAC_MAX_DIMS], o = res->origins[*ip], nth = 0, i;

	for (i = 0; i <= *ip; i++)
		nth += res->origins[i] == o;
	nfh_vec(comp, skb, state, vec);
	again = hipac_classify(comp->trees[base], vec);
	if (WARN_ON_ONCE(!again))
		return;
	for (i = 0; i < again->n_origins; i++) {
		if (again->origins[i] == o && !--nth) {
			*resp = again;
			*ip = i;
			return;
		}
	}
}

/*
 * Classify @skb with base chain @base of @table: count every rule matched
 * and log for LOG rules, in the order of the walk; a rule with xtables
 * extensions counts and acts only when they match, and may decide
 * (*@xt_verdict, else XT_CONTINUE), ending the walk.  The outcome lists
 * only the rules whose native part matched, so no other rule's
 * extensions run; what they see of the packet is found once, at the
 * first of them.  NULL before the first commit (counted on the policy,
 * ACCEPT); else the outcome, whose last origin decided when no extension
 * did.
 */
static const struct hipac_result *
nfh_classify(struct nfh_table *table, u32 base, struct sk_buff *skb,
	     const struct nf_hook_state *state,
	     const struct nfh_compiled **compp, unsigned int *xt_verdict)
{
	const struct nfh_compiled *comp = rcu_dereference(table->comp);
	u32 vec[HIPAC_MAX_DIMS], i, o, mark, xt_runs = 0;
	/* -1: not yet found; 0: no upper-layer header (IPv6), no match */
	int xt_pkt = -1;
	const struct nfh_origin *org;
	const struct hipac_result *res;
	struct xt_action_param par;

	*compp = comp;
	*xt_verdict = XT_CONTINUE;
	if (!comp) {
		nfh_counter_add(table->policy_cnt[base], skb->len);
		return NULL;
	}
	/* an empty chain: no vector, no walk (nfh_set_fixed()) */
	res = comp->fixed[base];
	if (!res) {
		nfh_vec(comp, skb, state, vec);
		res = hipac_classify(comp->trees[base], vec);
	}
	if (WARN_ON_ONCE(!res))
		return NULL;
	for (i = 0; i < res->n_origins; i++) {
		o = res->origins[i];
		if (WARN_ON_ONCE(o >= comp->n_origins))
			continue;
		org = &comp->origins[o];
		if (likely(org->kind == NFH_ORG_COUNT)) {
			nfh_pcpu_add(org->pcpu, 1, skb->len);
			continue;
		}
		if (org->kind == NFH_ORG_LOG) {
			nfh_pcpu_add(org->pcpu, 1, skb->len);
			nfh_log(skb, state, comp->origin_rule[o]);
			continue;
		}
		if (xt_pkt < 0)
			xt_pkt = nfh_xt_pkt_init(&par, skb, state);
		if (org->kind == NFH_ORG_MASKED_HOTDROP) {
			xt_runs++;
			if (!nfh_twin_drops(org, skb, &par))
				continue;
			*xt_verdict = NF_DROP;
			break;
		}
		if (!xt_pkt)
			continue;
		mark = skb->mark;
		xt_runs++;
		*xt_verdict = nfh_xt_rule(comp, o, skb, state, &par);
		if (*xt_verdict != XT_CONTINUE)
			break;
		if (skb->mark != mark && nfh_uses_mark(comp))
			nfh_relookup(comp, base, skb, state, &res, &i);
	}
	if (xt_runs)
		nfh_counter_add_n(table->xt_runs, xt_runs, 0);
	return res;
}

/* The rule that decided @res */
static const struct nfh_rule *nfh_decider(const struct nfh_compiled *comp,
					  const struct hipac_result *res)
{
	return comp->origin_rule[res->origins[res->n_origins - 1]];
}

/* The filter table; priv is the family's index, 0 IPv4 or 1 IPv6 */
static unsigned int nfh_hook(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state)
{
	u32 slot = nfh_table_slot(NFH_FILTER, (uintptr_t)priv);
	struct nfh_table *table = &nfh_net(state->net)->tables[slot];
	const struct nfh_compiled *comp;
	const struct hipac_result *res;
	unsigned int xt_verdict;

	res = nfh_classify(table, nfh_base_index(NFH_FILTER, state->hook), skb,
			   state, &comp, &xt_verdict);
	if (!res)
		return NF_ACCEPT;
	if (xt_verdict != XT_CONTINUE)
		return xt_verdict;
	switch (res->verdict) {
	case NF_HIPAC_V_DROP:
		return NF_DROP;
	case NF_HIPAC_V_REJECT:
		return nfh_reject(skb, state, nfh_decider(comp, res));
	default:
		return NF_ACCEPT;
	}
}

/*
 * The nat table, called by the kernel's NAT for a connection's first
 * packet at this hook (conntrack's NEW or RELATED, not yet bound here);
 * ct is there.  A NAT target binds the connection (nf_nat_setup_info()
 * and the masquerade and redirect helpers around it); else the NAT tables
 * after this one get their turn, and if none binds, the kernel makes a
 * null binding: nothing is translated.
 */
static unsigned int nfh_nat_hook(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	u32 family = (uintptr_t)priv, slot = nfh_table_slot(NFH_NAT, family);
	struct nfh_net *hn = nfh_net(state->net);
	const struct nfh_compiled *comp;
	const struct hipac_result *res;
	enum ip_conntrack_info ctinfo;
	const struct nfh_rule *rule;
	unsigned int verdict;
	struct nf_conn *ct;

	/* the nat table has no xtables extensions: xt_verdict stays */
	res = nfh_classify(&hn->tables[slot],
			   nfh_base_index(NFH_NAT, state->hook), skb, state,
			   &comp, &verdict);
	if (!res)
		return NF_ACCEPT;
	rule = nfh_decider(comp, res);
	switch (res->verdict) {
	case NF_HIPAC_V_SNAT:
	case NF_HIPAC_V_DNAT:
		ct = nf_ct_get(skb, &ctinfo);
		verdict = nf_nat_setup_info(ct, &rule->nat,
					    HOOK2MANIP(state->hook));
		break;
	case NF_HIPAC_V_MASQUERADE:
		if (state->pf == NFPROTO_IPV4)
			verdict = nf_nat_masquerade_ipv4(skb, state->hook,
							 &rule->nat,
							 state->out);
		else
			verdict = nf_nat_masquerade_ipv6(skb, &rule->nat,
							 state->out);
		break;
	case NF_HIPAC_V_REDIRECT:
		if (state->pf == NFPROTO_IPV4)
			verdict = nf_nat_redirect_ipv4(skb, &rule->nat,
						       state->hook);
		else
			verdict = nf_nat_redirect_ipv6(skb, &rule->nat,
						       state->hook);
		break;
	default:
		return NF_ACCEPT;
	}
	if (verdict == NF_ACCEPT && !READ_ONCE(hn->nat_bound[family]))
		WRITE_ONCE(hn->nat_bound[family], true);
	return verdict;
}

/* priv tells the family apart: 0 for IPv4, 1 for IPv6 */
#define NFH_HOOK(_fn, _pf, _hook, _prio, _priv) {			\
	.hook = (_fn), .pf = (_pf), .hooknum = (_hook),			\
	.priority = (_prio), .priv = (void *)(_priv),			\
}

/* Just before iptables' filter table, where nf-HiPAC hooked */
static const struct nf_hook_ops nfh_hook_ops[] = {
	NFH_HOOK(nfh_hook, NFPROTO_IPV4, NF_INET_LOCAL_IN,
		 NF_IP_PRI_FILTER - 1, 0),
	NFH_HOOK(nfh_hook, NFPROTO_IPV4, NF_INET_FORWARD,
		 NF_IP_PRI_FILTER - 1, 0),
	NFH_HOOK(nfh_hook, NFPROTO_IPV4, NF_INET_LOCAL_OUT,
		 NF_IP_PRI_FILTER - 1, 0),
	NFH_HOOK(nfh_hook, NFPROTO_IPV6, NF_INET_LOCAL_IN,
		 NF_IP6_PRI_FILTER - 1, 1),
	NFH_HOOK(nfh_hook, NFPROTO_IPV6, NF_INET_FORWARD,
		 NF_IP6_PRI_FILTER - 1, 1),
	NFH_HOOK(nfh_hook, NFPROTO_IPV6, NF_INET_LOCAL_OUT,
		 NF_IP6_PRI_FILTER - 1, 1),
};

/*
 * The nat table's lookups, by family and base chain, in the kernel's NAT
 * hooks: DNAT at PREROUTING and OUTPUT, SNAT at INPUT and POSTROUTING,
 * each one before iptables' nat table (its priorities minus one), so
 * that nf_hipac decides first when both have rules.
 */
static const struct nf_hook_ops nfh_nat_ops[2][NFH_MAX_HOOKS] = {
	{
		NFH_HOOK(nfh_nat_hook, NFPROTO_IPV4, NF_INET_PRE_ROUTING,
			 NF_IP_PRI_NAT_DST - 1, 0),
		NFH_HOOK(nfh_nat_hook, NFPROTO_IPV4, NF_INET_LOCAL_IN,
			 NF_IP_PRI_NAT_SRC - 1, 0),
		NFH_HOOK(nfh_nat_hook, NFPROTO_IPV4, NF_INET_LOCAL_OUT,
			 NF_IP_PRI_NAT_DST - 1, 0),
		NFH_HOOK(nfh_nat_hook, NFPROTO_IPV4, NF_INET_POST_ROUTING,
			 NF_IP_PRI_NAT_SRC - 1, 0),
	}, {
		NFH_HOOK(nfh_nat_hook, NFPROTO_IPV6, NF_INET_PRE_ROUTING,
			 NF_IP6_PRI_NAT_DST - 1, 1),
		NFH_HOOK(nfh_nat_hook, NFPROTO_IPV6, NF_INET_LOCAL_IN,
			 NF_IP6_PRI_NAT_SRC - 1, 1),
		NFH_HOOK(nfh_nat_hook, NFPROTO_IPV6, NF_INET_LOCAL_OUT,
			 NF_IP6_PRI_NAT_DST - 1, 1),
		NFH_HOOK(nfh_nat_hook, NFPROTO_IPV6, NF_INET_POST_ROUTING,
			 NF_IP6_PRI_NAT_SRC - 1, 1),
	},
};

static int nfh_nat_register_one(struct net *net, u32 family,
				const struct nf_hook_ops *ops)
{
	return family ? nf_nat_ipv6_register_fn(net, ops) :
			nf_nat_ipv4_register_fn(net, ops);
}

static void nfh_nat_unregister_one(struct net *net, u32 family,
				   const struct nf_hook_ops *ops)
{
	if (family)
		nf_nat_ipv6_unregister_fn(net, ops);
	else
		nf_nat_ipv4_unregister_fn(net, ops);
}

/**
 * nfh_nat_hooks_register - have the kernel's NAT consult the nat table
 * @net: the namespace
 * @family_idx: 0 IPv4, 1 IPv6
 *
 * The first NAT table of a family in a namespace also registers the
 * kernel's NAT hooks there.
 *
 * Return: 0 or the error of nf_nat_ipv4_register_fn(), with nothing
 * registered.
 */
int nfh_nat_hooks_register(struct net *net, u32 family_idx)
{
	const struct nf_hook_ops *ops = nfh_nat_ops[family_idx];
	int err;
	u32 i;

	for (i = 0; i < NFH_MAX_HOOKS; i++) {
		err = nfh_nat_register_one(net, family_idx, &ops[i]);
		if (err)
			goto err_unregister;
	}
	return 0;

err_unregister:
	while (i--)
		nfh_nat_unregister_one(net, family_idx, &ops[i]);
	return err;
}

/**
 * nfh_nat_hooks_unregister - undo nfh_nat_hooks_register()
 * @net: the namespace
 * @family_idx: 0 IPv4, 1 IPv6
 */
void nfh_nat_hooks_unregister(struct net *net, u32 family_idx)
{
	u32 i = NFH_MAX_HOOKS;

	while (i--)
		nfh_nat_unregister_one(net, family_idx,
				       &nfh_nat_ops[family_idx][i]);
}

/**
 * nfh_hooks_register - hook IPv4 and IPv6 in @net
 * @net: the network namespace
 *
 * Return: 0 or the error of nf_register_net_hooks().
 */
int nfh_hooks_register(struct net *net)
{
	return nf_register_net_hooks(net, nfh_hook_ops,
				     ARRAY_SIZE(nfh_hook_ops));
}

/**
 * nfh_hooks_unregister - undo nfh_hooks_register()
 * @net: the network namespace
 */
void nfh_hooks_unregister(struct net *net)
{
	nf_unregister_net_hooks(net, nfh_hook_ops, ARRAY_SIZE(nfh_hook_ops));
}
