// SPDX-License-Identifier: GPL-2.0
/*
 * nf_hipac: xtables extensions on a rule.  Besides its native matches,
 * which the tree classifies on, a rule may carry xtables matches and one
 * xtables target, found and checked through the kernel's x_tables API as
 * ip_tables does.  Such a rule is no decider in the tree: the tree reports
 * it as it reports a LOG rule, and the hook, walking the rules a packet
 * met in order, runs its matches; when they all match the rule counts
 * the packet and acts (its xtables target, or its native verdict), else
 * the walk goes on with the next rule, as iptables would.
 *
 * The extension's data, and with it the state some extensions keep there
 * (limit's and quota's), belongs to the rule object, which a commit that
 * keeps the rule keeps.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "nf_hipac.h"

/* One match or target; nfh_rule_policy takes arrays of them */
const struct nla_policy nfh_xt_policy[NF_HIPAC_XT_MAX + 1] = {
	[NF_HIPAC_XT_NAME] = { .type = NLA_NUL_STRING,
			       .len = NF_HIPAC_XT_NAME_MAXLEN },
	[NF_HIPAC_XT_REVISION] = { .type = NLA_U8 },
	[NF_HIPAC_XT_DATA] = { .type = NLA_BINARY,
			       .len = NF_HIPAC_XT_DATA_MAX },
};

/*
 * What ip_tables passes as the entry: the IP part (matches get it as
 * their entryinfo, targets the whole entry, of which it is the start).
 * The rule's xtables matches are not laid out after it.
 */
union nfh_xt_entry {
	struct ipt_entry e4;
	struct ip6t_entry e6;
};

/*
 * An interface of -i/-o as iptables passes it: the name without a
 * trailing '+', the mask covering what must be equal (the name and its
 * NUL, or only the part before the '+').
 */
static void nfh_xt_iface(char *name, unsigned char *mask, const char *spec)
{
	size_t len = strnlen(spec, IFNAMSIZ - 1);

	if (len && spec[len - 1] == '+') {
		memcpy(name, spec, len - 1);
		memset(mask, 0xff, len - 1);
	} else {
		memcpy(name, spec, len);
		memset(mask, 0xff, len + 1);
	}
}

/* The mask of -s (@dst false) or -d, host-order words */
static void nfh_xt_mask(const struct nfh_spec *s, bool dst, u32 *mask)
{
	u8 plen = dst ? s->dst_plen : s->src_plen;
	int i;

	if (dst ? s->has_dst_mask : s->has_src_mask) {
		memcpy(mask, dst ? s->dst_mask : s->src_mask, 4 * sizeof(u32));
		return;
	}
	for (i = 0; i < 4; i++) {
		u8 bits = clamp_t(int, plen - 32 * i, 0, 32);

		mask[i] = bits ? ~0U << (32 - bits) : 0;
	}
}

/* -s or -d of the rule as the entry's address and mask, network order */
static void nfh_xt_addr(const struct nfh_spec *s, bool dst,
			struct in6_addr *addr, struct in6_addr *mask)
{
	const u32 *words = dst ? s->dst : s->src;
	u32 m[4];
	int i;

	nfh_xt_mask(s, dst, m);
	for (i = 0; i < 4; i++) {
		addr->s6_addr32[i] = htonl(words[i]);
		mask->s6_addr32[i] = htonl(m[i]);
	}
}

/*
 * The IP part of the entry: the rule's -s, -d, -i, -o and -p, which some
 * extensions check (CLUSTERIP wants -d of one address and uses -i).
 */
static void nfh_xt_entry_ip4(struct ipt_ip *ip, const struct nfh_spec *s)
{
	struct in6_addr addr, mask;

	if (s->has_src) {
		nfh_xt_addr(s, false, &addr, &mask);
		ip->src.s_addr = addr.s6_addr32[0];
		ip->smsk.s_addr = mask.s6_addr32[0];
		if (s->src_inv)
			ip->invflags |= IPT_INV_SRCIP;
	}
	if (s->has_dst) {
		nfh_xt_addr(s, true, &addr, &mask);
		ip->dst.s_addr = addr.s6_addr32[0];
		ip->dmsk.s_addr = mask.s6_addr32[0];
		if (s->dst_inv)
			ip->invflags |= IPT_INV_DSTIP;
	}
	if (s->has_iif) {
		nfh_xt_iface(ip->iniface, ip->iniface_mask, s->iif);
		if (s->iif_inv)
			ip->invflags |= IPT_INV_VIA_IN;
	}
	if (s->has_oif) {
		nfh_xt_iface(ip->outiface, ip->outiface_mask, s->oif);
		if (s->oif_inv)
			ip->invflags |= IPT_INV_VIA_OUT;
	}
	ip->proto = s->has_proto ? s->proto : 0;
	if (s->proto_inv)
		ip->invflags |= IPT_INV_PROTO;
}

static void nfh_xt_entry_ip6(struct ip6t_ip6 *ip, const struct nfh_spec *s)
{
	if (s->has_src) {
		nfh_xt_addr(s, false, &ip->src, &ip->smsk);
		if (s->src_inv)
			ip->invflags |= IP6T_INV_SRCIP;
	}
	if (s->has_dst) {
		nfh_xt_addr(s, true, &ip->dst, &ip->dmsk);
		if (s->dst_inv)
			ip->invflags |= IP6T_INV_DSTIP;
	}
	if (s->has_iif) {
		nfh_xt_iface(ip->iniface, ip->iniface_mask, s->iif);
		if (s->iif_inv)
			ip->invflags |= IP6T_INV_VIA_IN;
	}
	if (s->has_oif) {
		nfh_xt_iface(ip->outiface, ip->outiface_mask, s->oif);
		if (s->oif_inv)
			ip->invflags |= IP6T_INV_VIA_OUT;
	}
	ip->proto = s->has_proto ? s->proto : 0;
	if (s->has_proto)
		ip->flags |= IP6T_F_PROTO;
	if (s->proto_inv)
		ip->invflags |= IP6T_INV_PROTO;
}

/**
 * struct nfh_xt_masked - what the tree cannot compare of a rule: its -s
 *	and -d with non-contiguous masks, network order, as ip_tables
 *	compares them (the tree classifies on a superset)
 * @src: -s, masked
 * @smsk: its mask (all zero: no such -s)
 * @dst: -d, masked
 * @dmsk: its mask
 * @invflags: IPT_INV_SRCIP, IPT_INV_DSTIP ("!")
 */
struct nfh_xt_masked {
	struct in6_addr src, smsk, dst, dmsk;
	u8 invflags;
};

/* Whether (@a & @mask) == @addr, "!" as @inv; IPv4 in the first word */
static bool nfh_xt_masked_eq(u8 nfproto, const void *a,
			     const struct in6_addr *addr,
			     const struct in6_addr *mask, bool inv)
{
	bool eq;

	if (nfproto == NFPROTO_IPV4)
		eq = ((*(const __be32 *)a ^ addr->s6_addr32[0]) &
		      mask->s6_addr32[0]) == 0;
	else
		eq = !ipv6_masked_addr_cmp(a, mask, addr);
	return eq ^ inv;
}

/* A private match, the first of the rule: the masked -s and -d */
static bool nfh_xt_masked_mt(const struct sk_buff *skb,
			     struct xt_action_param *par)
{
	const struct nfh_xt_masked *m = par->matchinfo;
	u8 pf = xt_family(par);
	const void *sa, *da;

	if (pf == NFPROTO_IPV4) {
		sa = &ip_hdr(skb)->saddr;
		da = &ip_hdr(skb)->daddr;
	} else {
		sa = &ipv6_hdr(skb)->saddr;
		da = &ipv6_hdr(skb)->daddr;
	}
	if (!ipv6_addr_any(&m->smsk) &&
	    !nfh_xt_masked_eq(pf, sa, &m->src, &m->smsk,
			      m->invflags & IPT_INV_SRCIP))
		return false;
	return ipv6_addr_any(&m->dmsk) ||
	       nfh_xt_masked_eq(pf, da, &m->dst, &m->dmsk,
				m->invflags & IPT_INV_DSTIP);
}

/* No module: nfh_xt_match_free()'s module_put() skips a NULL owner */
static struct xt_match nfh_xt_masked_match = {
	.name = "nfh_masked",
	.match = nfh_xt_masked_mt,
};

static int nfh_xt_masked_new(const struct nfh_spec *s, struct nfh_xt_ext *ext)
{
	struct nfh_xt_masked *m;

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	if (s->has_src_mask) {
		nfh_xt_addr(s, false, &m->src, &m->smsk);
		if (s->src_inv)
			m->invflags |= IPT_INV_SRCIP;
	}
	if (s->has_dst_mask) {
		nfh_xt_addr(s, true, &m->dst, &m->dmsk);
		if (s->dst_inv)
			m->invflags |= IPT_INV_DSTIP;
	}
	strscpy(ext->name, nfh_xt_masked_match.name, sizeof(ext->name));
	ext->match = &nfh_xt_masked_match;
	ext->size = sizeof(*m);
	ext->data = m;
	return 0;
}

static void nfh_xt_entry_init(union nfh_xt_entry *ent, u8 family,
			      const struct nfh_spec *s)
{
	memset(ent, 0, sizeof(*ent));
	if (family == AF_INET) {
		nfh_xt_entry_ip4(&ent->e4.ip, s);
		ent->e4.target_offset = sizeof(ent->e4);
		ent->e4.next_offset = sizeof(ent->e4);
	} else {
		nfh_xt_entry_ip6(&ent->e6.ipv6, s);
		ent->e6.target_offset = sizeof(ent->e6);
		ent->e6.next_offset = sizeof(ent->e6);
	}
}

/* Where a rule's extensions are checked */
struct nfh_xt_ctx {
	const struct nfh_parse *p;
	struct net *net;
	u8 nfproto;
	unsigned int hook_mask;
	union nfh_xt_entry ent;
};

/* The name, revision and a copy of the data of one NF_HIPAC_XT_* nest */
static int nfh_xt_get(const struct nfh_xt_ctx *c, const struct nlattr *nest,
		      int type, const char *what, struct nfh_xt_ext *ext,
		      u8 *rev)
{
	struct nlattr *tb[NF_HIPAC_XT_MAX + 1];
	const struct nlattr *data;
	int err;

	err = nla_parse_nested(tb, NF_HIPAC_XT_MAX, nest, nfh_xt_policy,
			       c->p->extack);
	if (err)
		return err;
	if (!tb[NF_HIPAC_XT_NAME])
		return nfh_bad(c->p, -EINVAL, type, "%s without a name", what);
	nla_strscpy(ext->name, tb[NF_HIPAC_XT_NAME], sizeof(ext->name));
	*rev = tb[NF_HIPAC_XT_REVISION] ?
	       nla_get_u8(tb[NF_HIPAC_XT_REVISION]) : 0;
	data = tb[NF_HIPAC_XT_DATA];
	ext->size = data ? nla_len(data) : 0;
	/* kmalloc's alignment is at least XT_ALIGN()'s */
	ext->data = kzalloc(max_t(u32, ext->size, 1), GFP_KERNEL);
	if (!ext->data)
		return -ENOMEM;
	if (data)
		memcpy(ext->data, nla_data(data), ext->size);
	return 0;
}

static void nfh_xt_match_free(struct net *net, u8 nfproto,
			      struct nfh_xt_ext *ext)
{
	struct xt_mtdtor_param par = {
		.net = net,
		.match = ext->match,
		.matchinfo = ext->data,
		.family = nfproto,
	};

	if (ext->checked && ext->match->destroy)
		ext->match->destroy(&par);
	if (ext->match)
		module_put(ext->match->me);
	kfree(ext->data);
}

static void nfh_xt_target_free(struct net *net, u8 nfproto,
			       struct nfh_xt_ext *ext)
{
	struct xt_tgdtor_param par = {
		.net = net,
		.target = ext->target,
		.targinfo = ext->data,
		.family = nfproto,
	};

	if (ext->checked && ext->target->destroy)
		ext->target->destroy(&par);
	if (ext->target)
		module_put(ext->target->me);
	kfree(ext->data);
}

static int nfh_xt_match_new(const struct nfh_xt_ctx *c,
			    const struct nlattr *nest, const struct nfh_spec *s,
			    struct nfh_xt_ext *ext)
{
	struct xt_mtchk_param par = {
		.net = c->net,
		.table = "filter",
		.entryinfo = &c->ent,
		.matchinfo = NULL,
		.hook_mask = c->hook_mask,
		.family = c->nfproto,
	};
	struct xt_match *m;
	int err;
	u8 rev;

	err = nfh_xt_get(c, nest, NF_HIPAC_R_XT_MATCHES, "a match", ext, &rev);
	if (err)
		return err;
	m = xt_request_find_match(c->nfproto, ext->name, rev);
	if (IS_ERR(m))
		return nfh_bad(c->p, PTR_ERR(m), NF_HIPAC_R_XT_MATCHES,
			       "-m %s: Couldn't load match `%s' (revision %u)",
			       ext->name, ext->name, rev);
	ext->match = m;
	par.match = m;
	par.matchinfo = ext->data;
	err = xt_check_match(&par, ext->size, s->has_proto ? s->proto : 0,
			     s->proto_inv);
	if (err)
		return nfh_bad(c->p, err, NF_HIPAC_R_XT_MATCHES,
			       "-m %s: checkentry failed (%d, see the kernel log)",
			       ext->name, err);
	ext->checked = true;
	return 0;
}

static int nfh_xt_target_new(const struct nfh_xt_ctx *c,
			     const struct nlattr *nest,
			     const struct nfh_spec *s, struct nfh_xt_ext *ext)
{
	struct xt_tgchk_param par = {
		.net = c->net,
		.table = "filter",
		.entryinfo = &c->ent,
		.hook_mask = c->hook_mask,
		.family = c->nfproto,
	};
	struct xt_target *t;
	int err;
	u8 rev;

	err = nfh_xt_get(c, nest, NF_HIPAC_R_XT_TARGET, "a target", ext,
			 &rev);
	if (err)
		return err;
	t = xt_request_find_target(c->nfproto, ext->name, rev);
	if (IS_ERR(t))
		return nfh_bad(c->p, PTR_ERR(t), NF_HIPAC_R_XT_TARGET,
			       "-j %s: Couldn't load target `%s' (revision %u)",
			       ext->name, ext->name, rev);
	ext->target = t;
	par.target = t;
	par.targinfo = ext->data;
	err = xt_check_target(&par, ext->size, s->has_proto ? s->proto : 0,
			      s->proto_inv);
	if (err)
		return nfh_bad(c->p, err, NF_HIPAC_R_XT_TARGET,
			       "-j %s: checkentry failed (%d, see the kernel log)",
			       ext->name, err);
	ext->checked = true;
	return 0;
}

/**
 * nfh_xt_free - release a rule's extensions
 * @xt: the extensions, or NULL
 *
 * Runs each extension's destroy and drops its module reference, the
 * target first, then the matches from the last.
 */
void nfh_xt_free(struct nfh_xt *xt)
{
	u32 i;

	if (!xt)
		return;
	if (xt->has_target)
		nfh_xt_target_free(xt->net, xt->nfproto, &xt->target);
	for (i = xt->n_matches; i--;)
		nfh_xt_match_free(xt->net, xt->nfproto, &xt->matches[i]);
	atomic_dec(&nfh_net(xt->net)->xt_rules);
	kfree(xt);
}

/**
 * nfh_xt_parse - the xtables matches and target of a rule
 * @p: the rule's attributes and where it goes
 * @net: the namespace of the rule set
 * @hook_mask: the hooks the rule's chain runs at (0 for user chains)
 * @rule: the rule, with its native part parsed
 *
 * Sets @rule->xt, or leaves it NULL for a rule without extensions.  Each
 * extension is found (its module loaded if need be) and checked as
 * ip_tables checks it, with the filter table, @hook_mask and the rule's
 * protocol; the rule holds the modules until it is freed.  A filter rule
 * with a non-contiguous -s or -d mask and a verdict that is no jump, goto
 * or return gets a private first match comparing them (struct
 * nfh_xt_masked), as the tree classifies on a superset; the tree compares
 * the others' (expand.c).
 *
 * Return: 0 or an error with the message naming the rule and the
 * extension.
 */
int nfh_xt_parse(const struct nfh_parse *p, struct net *net,
		 unsigned int hook_mask, struct nfh_rule *rule)
{
	const struct nlattr *matches = p->tb[NF_HIPAC_R_XT_MATCHES];
	const struct nlattr *target = p->tb[NF_HIPAC_R_XT_TARGET];
	struct nfh_xt_ctx *c;
	const struct nlattr *a;
	bool jumps = rule->verdict == NF_HIPAC_V_JUMP ||
		     rule->verdict == NF_HIPAC_V_GOTO ||
		     rule->verdict == NF_HIPAC_V_RETURN;
	/*
	 * Jumps cannot carry extensions: the tree compares their masks on
	 * its masked dimensions instead (expand.c).
	 */
	bool masked = (rule->spec.has_src_mask || rule->spec.has_dst_mask) &&
		      p->table == NFH_FILTER && !jumps;
	struct nfh_xt *xt;
	int err = 0, rem;
	u32 n = masked;

	if (!matches && !target && !masked)
		return 0;
	if (p->table != NFH_FILTER)
		return nfh_bad(p, -EOPNOTSUPP, matches ? NF_HIPAC_R_XT_MATCHES :
			       NF_HIPAC_R_XT_TARGET,
			       "xtables extensions only in the filter table");
	if (jumps)
		return nfh_bad(p, -EOPNOTSUPP, NF_HIPAC_R_VERDICT,
			       "xtables extensions with -j CHAIN, -g or RETURN are not supported");
	if (target && rule->verdict != NF_HIPAC_V_NONE)
		return nfh_bad(p, -EINVAL, NF_HIPAC_R_XT_TARGET,
			       "an xtables target and a verdict");
	if (matches)
		nla_for_each_nested(a, matches, rem)
			n++;
	if (n > NF_HIPAC_XT_MAX_MATCHES + masked)
		return nfh_bad(p, -E2BIG, NF_HIPAC_R_XT_MATCHES,
			       "more than %u xtables matches",
			       NF_HIPAC_XT_MAX_MATCHES);

	xt = kzalloc(struct_size(xt, matches, n), GFP_KERNEL);
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!xt || !c) {
		kfree(c);
		kfree(xt);
		return -ENOMEM;
	}
	xt->net = net;
	xt->nfproto = p->family == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6;
	atomic_inc(&nfh_net(net)->xt_rules);
	c->p = p;
	c->net = net;
	c->nfproto = xt->nfproto;
	c->hook_mask = hook_mask;
	nfh_xt_entry_init(&c->ent, p->family, &rule->spec);

	/* first, as ip_tables compares addresses before the matches */
	if (masked) {
		err = nfh_xt_masked_new(&rule->spec, &xt->matches[0]);
		if (err)
			goto err_free_xt;
		xt->n_matches++;
		rule->spec.masks_xt = true;
		err = nfh_rule_twin_id(rule);
		if (err)
			goto err_free_xt;
	}
	if (matches) {
		nla_for_each_nested(a, matches, rem) {
			err = nfh_xt_match_new(c, a, &rule->spec,
					       &xt->matches[xt->n_matches]);
			xt->n_matches++;
			if (err)
				goto err_free_xt;
		}
	}
	if (target) {
		xt->has_target = true;
		err = nfh_xt_target_new(c, target, &rule->spec, &xt->target);
		if (err)
			goto err_free_xt;
	}
	kfree(c);
	rule->xt = xt;
	return 0;

err_free_xt:
	nfh_xt_free(xt);
	kfree(c);
	return err;
}

/**
 * nfh_xt_pkt_init - what the extensions of every rule see of a packet
 * @par: filled in: @state, and the transport and fragment offsets of
 *	@skb as ip_tables finds them
 * @skb: the packet
 * @state: where it is
 *
 * Once per packet, for all the extension rules its lookup reached.
 *
 * Return: false when an IPv6 packet has no upper-layer header, which no
 * rule with extensions matches (ip6_packet_match()).
 */
bool nfh_xt_pkt_init(struct xt_action_param *par, struct sk_buff *skb,
		     const struct nf_hook_state *state)
{
	unsigned short fragoff = 0;
	unsigned int thoff = 0;

	memset(par, 0, sizeof(*par));
	par->state = state;
	if (state->pf == NFPROTO_IPV4) {
		par->thoff = skb_network_offset(skb) + ip_hdrlen(skb);
		par->fragoff = ntohs(ip_hdr(skb)->frag_off) & IP_OFFSET;
		return true;
	}
	/* ip6_packet_match(): no upper-layer header, no rule matches */
	if (ipv6_find_hdr(skb, &thoff, -1, &fragoff, NULL) < 0)
		return false;
	par->thoff = thoff;
	par->fragoff = fragoff;
	return true;
}

/**
 * nfh_xt_run - run the extension matches of a rule the lookup reached
 * @xt: the rule's extensions
 * @first: the first match to run (the hook runs match 0 itself)
 * @skb: the packet
 * @par: from nfh_xt_pkt_init() for @skb; its hotdrop clear
 *
 * Return: NFH_XT_MISS when a match does not match, NFH_XT_HOTDROP when
 * one dropped the packet (the rule is not counted, the packet is
 * dropped), NFH_XT_HIT when all match.
 */
enum nfh_xt_outcome nfh_xt_run(const struct nfh_xt *xt, u32 first,
			       struct sk_buff *skb,
			       struct xt_action_param *par)
{
	u32 i;

	for (i = first; i < xt->n_matches; i++) {
		par->match = xt->matches[i].match;
		par->matchinfo = xt->matches[i].data;
		if (!par->match->match(skb, par))
			return par->hotdrop ? NFH_XT_HOTDROP : NFH_XT_MISS;
		if (par->hotdrop)
			return NFH_XT_HOTDROP;
	}
	return NFH_XT_HIT;
}

/**
 * nfh_xt_target - run the xtables target of a rule whose matches matched
 * @rule: the rule, with an xtables target
 * @skb: the packet
 * @par: from nfh_xt_pkt_init() for @skb
 *
 * Return: XT_CONTINUE or the target's netfilter verdict.
 */
unsigned int nfh_xt_target(const struct nfh_rule *rule, struct sk_buff *skb,
			   struct xt_action_param *par)
{
	par->target = rule->xt->target.target;
	par->targinfo = rule->xt->target.data;
	return par->target->target(skb, par);
}
