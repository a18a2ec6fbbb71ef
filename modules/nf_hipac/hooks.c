// SPDX-License-Identifier: GPL-2.0
/*
 * nf_hipac: the netfilter hooks.  A packet becomes a vector of dimension
 * values, one tree lookup gives the verdict and every rule matched on the
 * way, whose counters count it.  Lookups run under RCU and never block.
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

#include "nf_hipac.h"

static u32 nfh_hook_index(unsigned int hook)
{
	switch (hook) {
	case NF_INET_LOCAL_IN:
		return NFH_INPUT;
	case NF_INET_FORWARD:
		return NFH_FORWARD;
	default:
		return NFH_OUTPUT;
	}
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

	vec[NFH_DIM_SRC0] = ntohl(iph->saddr);
	vec[NFH_DIM_DST0] = ntohl(iph->daddr);
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
	vec[NFH_DIM_SRC0] = nfh_addr_rank(&comp->pts[0], src);
	vec[NFH_DIM_DST0] = nfh_addr_rank(&comp->pts[1], dst);
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

static void nfh_vec(const struct nfh_compiled *comp, struct sk_buff *skb,
		    const struct nf_hook_state *state, u32 *vec)
{
	u32 i;

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
	for (i = 0; i < comp->n_masks; i++)
		vec[NFH_DIM_MARK0 + i] = skb->mark & comp->masks[i];
}

static unsigned int nfh_hook(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state)
{
	struct nfh_table *table = priv ?
		&nfh_net(state->net)->tables[1] : &nfh_net(state->net)->tables[0];
	u32 hook = nfh_hook_index(state->hook), vec[HIPAC_MAX_DIMS], i;
	const struct nfh_compiled *comp = rcu_dereference(table->comp);
	const struct hipac_result *res;
	struct nfh_rule *rule;

	if (!comp) {
		/* Nothing committed yet: the default policy, ACCEPT */
		nfh_counter_add(table->policy_cnt[hook], skb->len);
		return NF_ACCEPT;
	}
	nfh_vec(comp, skb, state, vec);
	res = hipac_classify(comp->trees[hook], vec);
	if (WARN_ON_ONCE(!res))
		return NF_ACCEPT;
	for (i = 0; i < res->n_origins; i++) {
		if (WARN_ON_ONCE(res->origins[i] >= comp->n_origins))
			continue;
		nfh_counter_add(comp->origin_cnt[res->origins[i]], skb->len);
		rule = comp->origin_rule[res->origins[i]];
		if (rule && rule->verdict == NF_HIPAC_V_LOG)
			nfh_log(skb, state, rule);
	}
	switch (res->verdict) {
	case NF_HIPAC_V_DROP:
		return NF_DROP;
	case NF_HIPAC_V_REJECT:
		rule = comp->origin_rule[res->origins[res->n_origins - 1]];
		return nfh_reject(skb, state, rule);
	default:
		return NF_ACCEPT;
	}
}

/* priv tells the family apart: NULL for IPv4, non-NULL for IPv6 */
#define NFH_HOOK(_pf, _hook, _prio, _priv) {				\
	.hook = nfh_hook, .pf = (_pf), .hooknum = (_hook),		\
	.priority = (_prio), .priv = (void *)(_priv),			\
}

/* Just before iptables' filter table, where nf-HiPAC hooked */
static const struct nf_hook_ops nfh_hook_ops[] = {
	NFH_HOOK(NFPROTO_IPV4, NF_INET_LOCAL_IN, NF_IP_PRI_FILTER - 1, 0),
	NFH_HOOK(NFPROTO_IPV4, NF_INET_FORWARD, NF_IP_PRI_FILTER - 1, 0),
	NFH_HOOK(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_IP_PRI_FILTER - 1, 0),
	NFH_HOOK(NFPROTO_IPV6, NF_INET_LOCAL_IN, NF_IP6_PRI_FILTER - 1, 1),
	NFH_HOOK(NFPROTO_IPV6, NF_INET_FORWARD, NF_IP6_PRI_FILTER - 1, 1),
	NFH_HOOK(NFPROTO_IPV6, NF_INET_LOCAL_OUT, NF_IP6_PRI_FILTER - 1, 1),
};

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
