// SPDX-License-Identifier: GPL-2.0
/*
 * nf_hipac: the REJECT and LOG targets.  REJECT answers as iptables'
 * does, through nf_reject_ipv4/6; LOG hands the packet to the same
 * packet logger as iptables' LOG (nf_log_syslog), so the lines are
 * alike, with a rate limit per rule so that a flood cannot flood the log
 * too.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/netfilter/ipv4/nf_reject.h>
#include <net/netfilter/ipv6/nf_reject.h>
#include <net/netfilter/nf_log.h>

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

/**
 * nfh_log - log @skb for a LOG rule, rate-limited per rule
 * @skb: the packet
 * @state: where it is
 * @rule: the LOG rule
 */
void nfh_log(const struct sk_buff *skb, const struct nf_hook_state *state,
	     struct nfh_rule *rule)
{
	struct nf_loginfo li = {
		.type = NF_LOG_TYPE_LOG,
		.u.log.level = rule->log_level,
	};

	if (!__ratelimit(&rule->log_rs))
		return;
	nf_log_packet(state->net, state->pf, state->hook, skb, state->in,
		      state->out, &li, "%s", rule->log_prefix);
}
