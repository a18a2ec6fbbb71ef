// SPDX-License-Identifier: GPL-2.0
/*
 * nf_hipac: the REJECT and LOG targets.  REJECT answers as iptables'
 * does, through nf_reject_ipv4/6; LOG prints one line per packet, with
 * a rate limit per rule so that a flood cannot flood the log too.
 */
/* LOG lines start with the rule's prefix only, as iptables' do */
#define pr_fmt(fmt) fmt

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/netfilter/ipv4/nf_reject.h>
#include <net/netfilter/ipv6/nf_reject.h>

#include "nf_hipac.h"

static const u8 nfh_icmp_codes[__NF_HIPAC_REJECT_MAX] = {
	[NF_HIPAC_REJECT_PORT_UNREACH] = ICMP_PORT_UNREACH,
	[NF_HIPAC_REJECT_NET_UNREACH] = ICMP_NET_UNREACH,
	[NF_HIPAC_REJECT_HOST_UNREACH] = ICMP_HOST_UNREACH,
	[NF_HIPAC_REJECT_PROTO_UNREACH] = ICMP_PROT_UNREACH,
	[NF_HIPAC_REJECT_ADMIN_PROHIB] = ICMP_PKT_FILTERED,
};

static const u8 nfh_icmpv6_codes[__NF_HIPAC_REJECT_MAX] = {
	[NF_HIPAC_REJECT_PORT_UNREACH] = ICMPV6_PORT_UNREACH,
	[NF_HIPAC_REJECT_NET_UNREACH] = ICMPV6_NOROUTE,
	[NF_HIPAC_REJECT_HOST_UNREACH] = ICMPV6_ADDR_UNREACH,
	[NF_HIPAC_REJECT_ADMIN_PROHIB] = ICMPV6_ADM_PROHIBITED,
};

/**
 * nfh_reject - answer @skb as -j REJECT and drop it
 * @skb: the packet
 * @state: where it is
 * @rule: the REJECT rule
 *
 * Return: NF_DROP.
 */
unsigned int nfh_reject(struct sk_buff *skb,
			const struct nf_hook_state *state,
			const struct nfh_rule *rule)
{
	bool reset = rule->reject_with == NF_HIPAC_REJECT_TCP_RESET;

	if (state->pf == NFPROTO_IPV4) {
		if (reset)
			nf_send_reset(state->net, state->sk, skb, state->hook);
		else
			nf_send_unreach(skb, nfh_icmp_codes[rule->reject_with],
					state->hook);
	} else {
		if (reset)
			nf_send_reset6(state->net, state->sk, skb,
				       state->hook);
		else
			nf_send_unreach6(state->net, skb,
					 nfh_icmpv6_codes[rule->reject_with],
					 state->hook);
	}
	return NF_DROP;
}

/* Print @line at printk level @level (debug goes to dynamic debug) */
static void nfh_log_line(u8 level, const char *line)
{
	switch (level) {
	case 0:
		pr_emerg("%s\n", line);
		break;
	case 1:
		pr_alert("%s\n", line);
		break;
	case 2:
		pr_crit("%s\n", line);
		break;
	case 3:
		pr_err("%s\n", line);
		break;
	case 4:
		pr_warn("%s\n", line);
		break;
	case 5:
		pr_notice("%s\n", line);
		break;
	case 6:
		pr_info("%s\n", line);
		break;
	default:
		pr_debug("%s\n", line);
		break;
	}
}

/**
 * nfh_log - log @skb for a LOG rule, rate-limited per rule
 * @skb: the packet
 * @state: where it is
 * @rule: the LOG rule
 */
void nfh_log(const struct sk_buff *skb, const struct nf_hook_state *state,
	     struct nfh_rule *rule)
{
	const char *in = state->in ? state->in->name : "";
	const char *out = state->out ? state->out->name : "";
	const struct ipv6hdr *ip6h;
	const struct iphdr *iph;
	char line[224];

	if (!__ratelimit(&rule->log_rs))
		return;
	if (state->pf == NFPROTO_IPV4) {
		iph = ip_hdr(skb);
		scnprintf(line, sizeof(line),
			  "%sIN=%s OUT=%s SRC=%pI4 DST=%pI4 LEN=%u TTL=%u PROTO=%u MARK=0x%x",
			  rule->log_prefix, in, out, &iph->saddr, &iph->daddr,
			  ntohs(iph->tot_len), iph->ttl, iph->protocol,
			  skb->mark);
	} else {
		ip6h = ipv6_hdr(skb);
		scnprintf(line, sizeof(line),
			  "%sIN=%s OUT=%s SRC=%pI6c DST=%pI6c LEN=%zu HOPLIMIT=%u NEXTHDR=%u MARK=0x%x",
			  rule->log_prefix, in, out, &ip6h->saddr,
			  &ip6h->daddr,
			  ntohs(ip6h->payload_len) + sizeof(*ip6h),
			  ip6h->hop_limit, ip6h->nexthdr, skb->mark);
	}
	nfh_log_line(rule->log_level, line);
}
