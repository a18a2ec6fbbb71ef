// SPDX-License-Identifier: GPL-2.0
/*
 * nf_hipac: a rule's NF_HIPAC_A_RULE nest, checked as iptables would and
 * parsed into struct nfh_spec.  Every message names the chain, the rule's
 * position and the option at fault.
 */
#include <linux/idr.h>
#include <linux/in.h>
#include <linux/kmod.h>
#include <linux/slab.h>
#include <net/netfilter/nf_log.h>

#include "nf_hipac.h"

const struct nla_policy nfh_rule_policy[NF_HIPAC_R_MAX + 1] = {
	[NF_HIPAC_R_SRC] = { .type = NLA_BINARY, .len = 16 },
	[NF_HIPAC_R_SRC_PLEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[NF_HIPAC_R_SRC_INV] = { .type = NLA_FLAG },
	[NF_HIPAC_R_DST] = { .type = NLA_BINARY, .len = 16 },
	[NF_HIPAC_R_DST_PLEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[NF_HIPAC_R_DST_INV] = { .type = NLA_FLAG },
	[NF_HIPAC_R_SRC_RANGE_LO] = { .type = NLA_BINARY, .len = 16 },
	[NF_HIPAC_R_SRC_RANGE_HI] = { .type = NLA_BINARY, .len = 16 },
	[NF_HIPAC_R_SRC_RANGE_INV] = { .type = NLA_FLAG },
	[NF_HIPAC_R_DST_RANGE_LO] = { .type = NLA_BINARY, .len = 16 },
	[NF_HIPAC_R_DST_RANGE_HI] = { .type = NLA_BINARY, .len = 16 },
	[NF_HIPAC_R_DST_RANGE_INV] = { .type = NLA_FLAG },
	[NF_HIPAC_R_PROTO] = { .type = NLA_U8 },
	[NF_HIPAC_R_PROTO_INV] = { .type = NLA_FLAG },
	[NF_HIPAC_R_SPORT_LO] = { .type = NLA_U16 },
	[NF_HIPAC_R_SPORT_HI] = { .type = NLA_U16 },
	[NF_HIPAC_R_SPORT_INV] = { .type = NLA_FLAG },
	[NF_HIPAC_R_DPORT_LO] = { .type = NLA_U16 },
	[NF_HIPAC_R_DPORT_HI] = { .type = NLA_U16 },
	[NF_HIPAC_R_DPORT_INV] = { .type = NLA_FLAG },
	[NF_HIPAC_R_MULTIPORT_DIR] = NLA_POLICY_RANGE(NLA_U8, NF_HIPAC_MP_SRC,
						      NF_HIPAC_MP_ANY),
	[NF_HIPAC_R_MULTIPORT] = {
		.type = NLA_BINARY,
		.len = NF_HIPAC_MULTIPORT_MAX *
		       sizeof(struct nf_hipac_port_range),
	},
	[NF_HIPAC_R_MULTIPORT_INV] = { .type = NLA_FLAG },
	[NF_HIPAC_R_IIF] = { .type = NLA_NUL_STRING,
			     .len = NF_HIPAC_IFNAME_MAXLEN - 1 },
	[NF_HIPAC_R_IIF_INV] = { .type = NLA_FLAG },
	[NF_HIPAC_R_OIF] = { .type = NLA_NUL_STRING,
			     .len = NF_HIPAC_IFNAME_MAXLEN - 1 },
	[NF_HIPAC_R_OIF_INV] = { .type = NLA_FLAG },
	[NF_HIPAC_R_TCP_FLAGS_MASK] = { .type = NLA_U8 },
	[NF_HIPAC_R_TCP_FLAGS_CMP] = { .type = NLA_U8 },
	[NF_HIPAC_R_TCP_FLAGS_INV] = { .type = NLA_FLAG },
	[NF_HIPAC_R_ICMP_TYPE] = { .type = NLA_U8 },
	[NF_HIPAC_R_ICMP_CODE_LO] = { .type = NLA_U8 },
	[NF_HIPAC_R_ICMP_CODE_HI] = { .type = NLA_U8 },
	[NF_HIPAC_R_ICMP_INV] = { .type = NLA_FLAG },
	[NF_HIPAC_R_TTL_OP] = NLA_POLICY_MAX(NLA_U8, __NF_HIPAC_TTL_MAX - 1),
	[NF_HIPAC_R_TTL] = { .type = NLA_U8 },
	[NF_HIPAC_R_TTL_INV] = { .type = NLA_FLAG },
	[NF_HIPAC_R_FRAG] = { .type = NLA_FLAG },
	[NF_HIPAC_R_FRAG_INV] = { .type = NLA_FLAG },
	[NF_HIPAC_R_MARK] = { .type = NLA_U32 },
	[NF_HIPAC_R_MARK_MASK] = { .type = NLA_U32 },
	[NF_HIPAC_R_MARK_INV] = { .type = NLA_FLAG },
	[NF_HIPAC_R_CTSTATE] = NLA_POLICY_MASK(NLA_U32, NFH_CT_ALL),
	[NF_HIPAC_R_CTSTATE_INV] = { .type = NLA_FLAG },
	[NF_HIPAC_R_VERDICT] = NLA_POLICY_MAX(NLA_U32, __NF_HIPAC_V_MAX - 1),
	[NF_HIPAC_R_TARGET] = { .type = NLA_NUL_STRING,
				.len = NF_HIPAC_CHAIN_MAXLEN },
	[NF_HIPAC_R_REJECT_WITH] = NLA_POLICY_MAX(NLA_U8,
						  __NF_HIPAC_REJECT_MAX - 1),
	[NF_HIPAC_R_LOG_PREFIX] = { .type = NLA_NUL_STRING,
				    .len = NF_HIPAC_LOG_PREFIX_MAXLEN },
	[NF_HIPAC_R_LOG_LEVEL] = NLA_POLICY_MAX(NLA_U8, 7),
	[NF_HIPAC_R_PACKETS] = { .type = NLA_U64 },
	[NF_HIPAC_R_BYTES] = { .type = NLA_U64 },
	[NF_HIPAC_R_MATCH_ORDER] = { .type = NLA_BINARY,
				     .len = NF_HIPAC_M_MAX },
	[NF_HIPAC_R_STATE] = NLA_POLICY_MASK(NLA_U32, NFH_STATE_ALL),
	[NF_HIPAC_R_STATE_INV] = { .type = NLA_FLAG },
	[NF_HIPAC_R_CTSTATUS] = NLA_POLICY_MASK(NLA_U32, NFH_CTS_ALL),
	[NF_HIPAC_R_CTSTATUS_INV] = { .type = NLA_FLAG },
	[NF_HIPAC_R_CTDIR] = NLA_POLICY_MAX(NLA_U8, __NF_HIPAC_CTDIR_MAX - 1),
	[NF_HIPAC_R_NAT_ADDR_LO] = { .type = NLA_BINARY, .len = 16 },
	[NF_HIPAC_R_NAT_ADDR_HI] = { .type = NLA_BINARY, .len = 16 },
	[NF_HIPAC_R_NAT_PORT_LO] = { .type = NLA_U16 },
	[NF_HIPAC_R_NAT_PORT_HI] = { .type = NLA_U16 },
	[NF_HIPAC_R_NAT_FLAGS] = NLA_POLICY_MASK(NLA_U32, NFH_NAT_FLAGS_ALL),
	[NF_HIPAC_R_XT_MATCHES] = NLA_POLICY_NESTED_ARRAY(nfh_xt_policy),
	[NF_HIPAC_R_XT_TARGET] = NLA_POLICY_NESTED(nfh_xt_policy),
	[NF_HIPAC_R_SRC_MASK] = { .type = NLA_BINARY, .len = 16 },
	[NF_HIPAC_R_DST_MASK] = { .type = NLA_BINARY, .len = 16 },
};

/**
 * nfh_bad - fail with "CHAIN rule POS: what"
 * @p: the rule and where it goes
 * @err: the error to return
 * @type: the NF_HIPAC_R_* attribute at fault, for extack, or 0
 * @fmt: what is wrong
 *
 * Return: @err.
 */
int nfh_bad(const struct nfh_parse *p, int err, int type, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = scnprintf(p->msg, NFH_MSG_LEN, "%s rule %u: ", p->chain, p->pos);
	va_start(ap, fmt);
	vscnprintf(p->msg + n, NFH_MSG_LEN - n, fmt, ap);
	va_end(ap);
	if (p->extack) {
		p->extack->_msg = p->msg;
		if (type && p->tb[type])
			NL_SET_BAD_ATTR(p->extack, p->tb[type]);
	}
	return err;
}

static u32 nfh_addr_len(u8 family)
{
	return family == AF_INET ? 4 : 16;
}

/* An address attribute into host-order words; the caller checked it */
static int nfh_get_addr(const struct nfh_parse *p, int type, const char *opt,
			u32 *words)
{
	const struct nlattr *a = p->tb[type];
	__be32 be[4] = {};
	u32 i, len = nfh_addr_len(p->family);

	if (nla_len(a) != len)
		return nfh_bad(p, -EINVAL, type, "%s: address must be %u bytes for %s",
			       opt, len, p->family == AF_INET ? "IPv4" : "IPv6");
	memcpy(be, nla_data(a), len);
	for (i = 0; i < 4; i++)
		words[i] = ntohl(be[i]);
	return 0;
}

/* A "!" without its match */
static int nfh_lone_inv(const struct nfh_parse *p, int inv, int match,
			const char *opt)
{
	if (p->tb[inv] && !p->tb[match])
		return nfh_bad(p, -EINVAL, inv, "\"!\" without %s", opt);
	return 0;
}

/*
 * A mask of -s or -d whose ones are not contiguous: the address is masked
 * with it, and the tree classifies on its leading ones (a superset; the
 * rule's extension step compares exactly, xt.c).  A contiguous one is a
 * prefix length.
 */
static int nfh_parse_mask(const struct nfh_parse *p, int type, const char *opt,
			  u32 *words, u8 *bits, u32 *mask, bool *has)
{
	u32 i, ones = 0;
	int err;

	err = nfh_get_addr(p, type, opt, mask);
	if (err)
		return err;
	for (i = 0; i < 4; i++)
		words[i] &= mask[i];
	for (i = 0; i < 4 && mask[i] == U32_MAX; i++)
		ones += 32;
	if (i < 4)
		ones += __builtin_clz(~mask[i]);
	*bits = ones;
	for (i = 0; i < 4; i++) {
		u8 b = clamp_t(int, ones - 32 * i, 0, 32);

		if (mask[i] != (b ? ~0U << (32 - b) : 0))
			*has = true;
	}
	return 0;
}

static int nfh_parse_prefix(const struct nfh_parse *p, int addr, int plen,
			    int mask_attr, const char *opt, u32 *words,
			    u8 *bits, u32 *mask, bool *has_mask)
{
	u32 max = nfh_addr_len(p->family) * 8;
	int err;

	if (!p->tb[addr]) {
		if (p->tb[plen] || p->tb[mask_attr])
			return nfh_bad(p, -EINVAL, p->tb[plen] ? plen : mask_attr,
				       "%s: mask without an address", opt);
		return 0;
	}
	err = nfh_get_addr(p, addr, opt, words);
	if (err)
		return err;
	if (p->tb[mask_attr]) {
		if (p->tb[plen])
			return nfh_bad(p, -EINVAL, plen,
				       "%s: a prefix length and a mask", opt);
		return nfh_parse_mask(p, mask_attr, opt, words, bits, mask,
				      has_mask);
	}
	*bits = p->tb[plen] ? nla_get_u8(p->tb[plen]) : max;
	if (*bits > max)
		return nfh_bad(p, -EINVAL, plen,
			       "%s: prefix length %u is over %u", opt, *bits,
			       max);
	return 0;
}

static int nfh_parse_range(const struct nfh_parse *p, int lo, const char *opt,
			   u32 range[2][4], bool *has)
{
	int err;

	if (!p->tb[lo] && !p->tb[lo + 1])
		return 0;
	if (!p->tb[lo] || !p->tb[lo + 1])
		return nfh_bad(p, -EINVAL, p->tb[lo] ? lo : lo + 1,
			       "%s needs both ends of the range", opt);
	err = nfh_get_addr(p, lo, opt, range[0]);
	if (!err)
		err = nfh_get_addr(p, lo + 1, opt, range[1]);
	if (err)
		return err;
	if (nfh_addr_cmp(range[0], range[1]) > 0)
		return nfh_bad(p, -EINVAL, lo, "%s: range start after its end",
			       opt);
	*has = true;
	return 0;
}

static bool nfh_port_proto(u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_UDPLITE || proto == IPPROTO_SCTP ||
	       proto == IPPROTO_DCCP;
}

static int nfh_parse_port(const struct nfh_parse *p, struct nfh_spec *s,
			  int lo, const char *opt, u16 *range, bool *has)
{
	if (!p->tb[lo]) {
		if (p->tb[lo + 1])
			return nfh_bad(p, -EINVAL, lo + 1,
				       "%s: range end without a start", opt);
		return 0;
	}
	if (!s->has_proto || s->proto_inv || !nfh_port_proto(s->proto))
		return nfh_bad(p, -EINVAL, lo,
			       "%s requires -p tcp, udp, udplite, sctp or dccp",
			       opt);
	range[0] = nla_get_u16(p->tb[lo]);
	range[1] = p->tb[lo + 1] ? nla_get_u16(p->tb[lo + 1]) : range[0];
	if (range[0] > range[1])
		return nfh_bad(p, -EINVAL, lo + 1,
			       "%s: invalid port range %u:%u (min > max)",
			       opt, range[0], range[1]);
	*has = true;
	return 0;
}

static int nfh_parse_multiport(const struct nfh_parse *p, struct nfh_spec *s)
{
	const struct nlattr *a = p->tb[NF_HIPAC_R_MULTIPORT];
	u32 i, len;

	if (!a) {
		if (p->tb[NF_HIPAC_R_MULTIPORT_DIR])
			return nfh_bad(p, -EINVAL, NF_HIPAC_R_MULTIPORT_DIR,
				       "-m multiport: no ports given");
		return 0;
	}
	if (!p->tb[NF_HIPAC_R_MULTIPORT_DIR])
		return nfh_bad(p, -EINVAL, NF_HIPAC_R_MULTIPORT,
			       "-m multiport: --sports, --dports or --ports missing");
	if (!s->has_proto || s->proto_inv || !nfh_port_proto(s->proto))
		return nfh_bad(p, -EINVAL, NF_HIPAC_R_MULTIPORT,
			       "-m multiport requires -p tcp, udp, udplite, sctp or dccp");
	len = nla_len(a);
	if (!len || len % sizeof(s->mp[0]))
		return nfh_bad(p, -EINVAL, NF_HIPAC_R_MULTIPORT,
			       "-m multiport: malformed port list");
	s->n_mp = len / sizeof(s->mp[0]);
	memcpy(s->mp, nla_data(a), len);
	for (i = 0; i < s->n_mp; i++)
		if (s->mp[i].lo > s->mp[i].hi)
			return nfh_bad(p, -EINVAL, NF_HIPAC_R_MULTIPORT,
				       "-m multiport: invalid port range %u:%u",
				       s->mp[i].lo, s->mp[i].hi);
	s->mp_dir = nla_get_u8(p->tb[NF_HIPAC_R_MULTIPORT_DIR]);
	s->has_mp = true;
	return 0;
}

/* The NF_INET_* hook of base chain @chain of @table, or -1 */
static int nfh_base_hook(u8 table, const char *chain)
{
	const struct nfh_table_type *type = &nfh_table_types[table];
	u32 h;

	for (h = 0; h < type->n_base; h++)
		if (!strcmp(type->base[h], chain))
			return type->hooknum[h];
	return -1;
}

/* Whether packets at @hook have an input (@in) or output device */
static bool nfh_hook_has_dev(int hook, bool in)
{
	switch (hook) {
	case NF_INET_PRE_ROUTING:
	case NF_INET_LOCAL_IN:
		return in;
	case NF_INET_LOCAL_OUT:
	case NF_INET_POST_ROUTING:
		return !in;
	}
	return true;
}

/* -i or -o: not in a base chain whose packets have no such device */
static int nfh_parse_iface(const struct nfh_parse *p, int type,
			   const char *opt, bool in, char *name, bool *has)
{
	if (!p->tb[type])
		return 0;
	if (!nfh_hook_has_dev(nfh_base_hook(p->table, p->chain), in))
		return nfh_bad(p, -EINVAL, type, "%s is not valid in %s", opt,
			       p->chain);
	nla_strscpy(name, p->tb[type], IFNAMSIZ);
	if (!name[0])
		return nfh_bad(p, -EINVAL, type, "%s: empty interface name",
			       opt);
	*has = true;
	return 0;
}

static int nfh_parse_ifaces(const struct nfh_parse *p, struct nfh_spec *s)
{
	return nfh_parse_iface(p, NF_HIPAC_R_IIF, "-i", true, s->iif,
			       &s->has_iif) ?:
	       nfh_parse_iface(p, NF_HIPAC_R_OIF, "-o", false, s->oif,
			       &s->has_oif);
}

static int nfh_parse_tcp_icmp(const struct nfh_parse *p, struct nfh_spec *s)
{
	struct nlattr **tb = p->tb;
	u8 icmp = p->family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;

	if (tb[NF_HIPAC_R_TCP_FLAGS_MASK] || tb[NF_HIPAC_R_TCP_FLAGS_CMP]) {
		if (!tb[NF_HIPAC_R_TCP_FLAGS_MASK] ||
		    !tb[NF_HIPAC_R_TCP_FLAGS_CMP])
			return nfh_bad(p, -EINVAL, NF_HIPAC_R_TCP_FLAGS_MASK,
				       "--tcp-flags needs a mask and the set flags");
		if (!s->has_proto || s->proto_inv || s->proto != IPPROTO_TCP)
			return nfh_bad(p, -EINVAL, NF_HIPAC_R_TCP_FLAGS_MASK,
				       "--tcp-flags requires -p tcp");
		s->tcp_mask = nla_get_u8(tb[NF_HIPAC_R_TCP_FLAGS_MASK]);
		s->tcp_cmp = nla_get_u8(tb[NF_HIPAC_R_TCP_FLAGS_CMP]);
		s->has_tcp = true;
	}
	if (tb[NF_HIPAC_R_ICMP_TYPE]) {
		if (!s->has_proto || s->proto_inv || s->proto != icmp)
			return nfh_bad(p, -EINVAL, NF_HIPAC_R_ICMP_TYPE,
				       p->family == AF_INET ?
				       "--icmp-type requires -p icmp" :
				       "--icmpv6-type requires -p icmpv6");
		s->icmp_type = nla_get_u8(tb[NF_HIPAC_R_ICMP_TYPE]);
		s->icmp_code[0] = tb[NF_HIPAC_R_ICMP_CODE_LO] ?
				  nla_get_u8(tb[NF_HIPAC_R_ICMP_CODE_LO]) : 0;
		s->icmp_code[1] = tb[NF_HIPAC_R_ICMP_CODE_HI] ?
				  nla_get_u8(tb[NF_HIPAC_R_ICMP_CODE_HI]) : 255;
		if (s->icmp_code[0] > s->icmp_code[1])
			return nfh_bad(p, -EINVAL, NF_HIPAC_R_ICMP_CODE_LO,
				       "--icmp-type: code range start after its end");
		s->has_icmp = true;
	} else if (tb[NF_HIPAC_R_ICMP_CODE_LO] || tb[NF_HIPAC_R_ICMP_CODE_HI]) {
		return nfh_bad(p, -EINVAL, NF_HIPAC_R_ICMP_CODE_LO,
			       "--icmp-type: code without a type");
	}
	return 0;
}

static int nfh_parse_misc(const struct nfh_parse *p, struct nfh_spec *s)
{
	struct nlattr **tb = p->tb;

	if (tb[NF_HIPAC_R_TTL_OP] || tb[NF_HIPAC_R_TTL]) {
		if (!tb[NF_HIPAC_R_TTL_OP] || !tb[NF_HIPAC_R_TTL])
			return nfh_bad(p, -EINVAL, NF_HIPAC_R_TTL,
				       "-m ttl needs an operator and a value");
		s->ttl_op = nla_get_u8(tb[NF_HIPAC_R_TTL_OP]);
		s->ttl = nla_get_u8(tb[NF_HIPAC_R_TTL]);
		s->has_ttl = true;
	}
	if (tb[NF_HIPAC_R_FRAG] || tb[NF_HIPAC_R_FRAG_INV]) {
		if (p->family != AF_INET)
			return nfh_bad(p, -EINVAL, NF_HIPAC_R_FRAG,
				       "-f is only valid for IPv4");
		if (tb[NF_HIPAC_R_FRAG] && tb[NF_HIPAC_R_FRAG_INV])
			return nfh_bad(p, -EINVAL, NF_HIPAC_R_FRAG_INV,
				       "-f given twice");
		s->has_frag = true;
		s->frag_inv = tb[NF_HIPAC_R_FRAG_INV];
	}
	if (tb[NF_HIPAC_R_MARK_MASK] && !tb[NF_HIPAC_R_MARK])
		return nfh_bad(p, -EINVAL, NF_HIPAC_R_MARK_MASK,
			       "--mark: mask without a value");
	if (tb[NF_HIPAC_R_MARK]) {
		s->mark = nla_get_u32(tb[NF_HIPAC_R_MARK]);
		s->mark_mask = tb[NF_HIPAC_R_MARK_MASK] ?
			       nla_get_u32(tb[NF_HIPAC_R_MARK_MASK]) : ~0U;
		s->has_mark = true;
	}
	return 0;
}

/* -m state and -m conntrack: the connection of the packet */
static void nfh_parse_ct(const struct nfh_parse *p, struct nfh_spec *s)
{
	struct nlattr **tb = p->tb;

	if (tb[NF_HIPAC_R_STATE]) {
		s->state = nla_get_u32(tb[NF_HIPAC_R_STATE]);
		s->has_state = true;
	}
	if (tb[NF_HIPAC_R_CTSTATE]) {
		s->ctstate = nla_get_u32(tb[NF_HIPAC_R_CTSTATE]);
		s->has_ctstate = true;
	}
	if (tb[NF_HIPAC_R_CTSTATUS]) {
		s->ctstatus = nla_get_u32(tb[NF_HIPAC_R_CTSTATUS]);
		s->has_ctstatus = true;
	}
	if (tb[NF_HIPAC_R_CTDIR]) {
		s->ctdir = nla_get_u8(tb[NF_HIPAC_R_CTDIR]);
		s->has_ctdir = true;
	}
}

static int nfh_parse_inverts(const struct nfh_parse *p, struct nfh_spec *s)
{
	static const struct {
		u8 inv, match;
		const char *opt;
	} pairs[] = {
		{ NF_HIPAC_R_SRC_INV, NF_HIPAC_R_SRC, "-s" },
		{ NF_HIPAC_R_DST_INV, NF_HIPAC_R_DST, "-d" },
		{ NF_HIPAC_R_SRC_RANGE_INV, NF_HIPAC_R_SRC_RANGE_LO, "--src-range" },
		{ NF_HIPAC_R_DST_RANGE_INV, NF_HIPAC_R_DST_RANGE_LO, "--dst-range" },
		{ NF_HIPAC_R_PROTO_INV, NF_HIPAC_R_PROTO, "-p" },
		{ NF_HIPAC_R_SPORT_INV, NF_HIPAC_R_SPORT_LO, "--sport" },
		{ NF_HIPAC_R_DPORT_INV, NF_HIPAC_R_DPORT_LO, "--dport" },
		{ NF_HIPAC_R_MULTIPORT_INV, NF_HIPAC_R_MULTIPORT, "-m multiport" },
		{ NF_HIPAC_R_IIF_INV, NF_HIPAC_R_IIF, "-i" },
		{ NF_HIPAC_R_OIF_INV, NF_HIPAC_R_OIF, "-o" },
		{ NF_HIPAC_R_TCP_FLAGS_INV, NF_HIPAC_R_TCP_FLAGS_MASK, "--tcp-flags" },
		{ NF_HIPAC_R_ICMP_INV, NF_HIPAC_R_ICMP_TYPE, "--icmp-type" },
		{ NF_HIPAC_R_TTL_INV, NF_HIPAC_R_TTL, "-m ttl" },
		{ NF_HIPAC_R_MARK_INV, NF_HIPAC_R_MARK, "--mark" },
		{ NF_HIPAC_R_STATE_INV, NF_HIPAC_R_STATE, "--state" },
		{ NF_HIPAC_R_CTSTATE_INV, NF_HIPAC_R_CTSTATE, "--ctstate" },
		{ NF_HIPAC_R_CTSTATUS_INV, NF_HIPAC_R_CTSTATUS, "--ctstatus" },
	};
	u32 i;
	int err;

	for (i = 0; i < ARRAY_SIZE(pairs); i++) {
		err = nfh_lone_inv(p, pairs[i].inv, pairs[i].match,
				   pairs[i].opt);
		if (err)
			return err;
	}
	s->src_inv = p->tb[NF_HIPAC_R_SRC_INV];
	s->dst_inv = p->tb[NF_HIPAC_R_DST_INV];
	s->srange_inv = p->tb[NF_HIPAC_R_SRC_RANGE_INV];
	s->drange_inv = p->tb[NF_HIPAC_R_DST_RANGE_INV];
	s->proto_inv = p->tb[NF_HIPAC_R_PROTO_INV];
	s->sport_inv = p->tb[NF_HIPAC_R_SPORT_INV];
	s->dport_inv = p->tb[NF_HIPAC_R_DPORT_INV];
	s->mp_inv = p->tb[NF_HIPAC_R_MULTIPORT_INV];
	s->iif_inv = p->tb[NF_HIPAC_R_IIF_INV];
	s->oif_inv = p->tb[NF_HIPAC_R_OIF_INV];
	s->tcp_inv = p->tb[NF_HIPAC_R_TCP_FLAGS_INV];
	s->icmp_inv = p->tb[NF_HIPAC_R_ICMP_INV];
	s->ttl_inv = p->tb[NF_HIPAC_R_TTL_INV];
	s->mark_inv = p->tb[NF_HIPAC_R_MARK_INV];
	s->state_inv = p->tb[NF_HIPAC_R_STATE_INV];
	s->ctstate_inv = p->tb[NF_HIPAC_R_CTSTATE_INV];
	s->ctstatus_inv = p->tb[NF_HIPAC_R_CTSTATUS_INV];
	return 0;
}

/* Whether the matches of @s use module @m */
static bool nfh_uses_module(const struct nfh_spec *s, u8 m)
{
	switch (m) {
	case NF_HIPAC_M_IPRANGE:
		return s->has_srange || s->has_drange;
	case NF_HIPAC_M_TCP_UDP:
		return s->has_sport || s->has_dport || s->has_tcp;
	case NF_HIPAC_M_ICMP:
		return s->has_icmp;
	case NF_HIPAC_M_MULTIPORT:
		return s->has_mp;
	case NF_HIPAC_M_TTL:
		return s->has_ttl;
	case NF_HIPAC_M_MARK:
		return s->has_mark;
	case NF_HIPAC_M_STATE:
		return s->has_state;
	case NF_HIPAC_M_CONNTRACK:
		return s->has_ctstate || s->has_ctstatus || s->has_ctdir;
	}
	return false;
}

/*
 * A module listed in the order without options: only the port match of
 * -p, as -p tcp -m tcp, which matches no non-first fragment and drops a
 * cut header.  The other modules' options are mandatory in iptables.
 */
static bool nfh_bare_module_ok(const struct nfh_spec *s, u8 m)
{
	return m == NF_HIPAC_M_TCP_UDP && s->has_proto && !s->proto_inv &&
	       nfh_port_proto(s->proto) && s->proto != IPPROTO_UDPLITE;
}

static const char *const nfh_module_names[NF_HIPAC_M_MAX + 1] = {
	[NF_HIPAC_M_IPRANGE] = "-m iprange",
	[NF_HIPAC_M_TCP_UDP] = "-m tcp/udp",
	[NF_HIPAC_M_ICMP] = "-m icmp",
	[NF_HIPAC_M_MULTIPORT] = "-m multiport",
	[NF_HIPAC_M_TTL] = "-m ttl",
	[NF_HIPAC_M_MARK] = "-m mark",
	[NF_HIPAC_M_STATE] = "-m state",
	[NF_HIPAC_M_CONNTRACK] = "-m conntrack",
};

/*
 * The order of the match modules: as sent, which must name each module
 * the matches use once and nothing else, or else ascending.
 */
static int nfh_parse_order(const struct nfh_parse *p, struct nfh_spec *s)
{
	const struct nlattr *a = p->tb[NF_HIPAC_R_MATCH_ORDER];
	u32 seen = 0, i, len;
	const u8 *ids;
	u8 m;

	if (!a) {
		for (m = 1; m <= NF_HIPAC_M_MAX; m++)
			if (nfh_uses_module(s, m))
				s->order[s->n_order++] = m;
		return 0;
	}
	ids = nla_data(a);
	len = nla_len(a);
	for (i = 0; i < len; i++) {
		m = ids[i];
		if (!m || m > NF_HIPAC_M_MAX)
			return nfh_bad(p, -EINVAL, NF_HIPAC_R_MATCH_ORDER,
				       "match order: unknown module %u", m);
		if (seen & BIT(m))
			return nfh_bad(p, -EINVAL, NF_HIPAC_R_MATCH_ORDER,
				       "match order: %s given twice",
				       nfh_module_names[m]);
		if (!nfh_uses_module(s, m) && !nfh_bare_module_ok(s, m))
			return nfh_bad(p, -EINVAL, NF_HIPAC_R_MATCH_ORDER,
				       "match order: %s without its options",
				       nfh_module_names[m]);
		seen |= BIT(m);
		s->order[s->n_order++] = m;
	}
	for (m = 1; m <= NF_HIPAC_M_MAX; m++)
		if (nfh_uses_module(s, m) && !(seen & BIT(m)))
			return nfh_bad(p, -EINVAL, NF_HIPAC_R_MATCH_ORDER,
				       "match order: %s missing",
				       nfh_module_names[m]);
	return 0;
}

static int nfh_parse_spec(const struct nfh_parse *p, struct nfh_spec *s)
{
	struct nlattr **tb = p->tb;
	int err;

	err = nfh_parse_inverts(p, s);
	if (err)
		return err;
	err = nfh_parse_prefix(p, NF_HIPAC_R_SRC, NF_HIPAC_R_SRC_PLEN,
			       NF_HIPAC_R_SRC_MASK, "-s", s->src, &s->src_plen,
			       s->src_mask, &s->has_src_mask);
	if (err)
		return err;
	s->has_src = tb[NF_HIPAC_R_SRC];
	err = nfh_parse_prefix(p, NF_HIPAC_R_DST, NF_HIPAC_R_DST_PLEN,
			       NF_HIPAC_R_DST_MASK, "-d", s->dst, &s->dst_plen,
			       s->dst_mask, &s->has_dst_mask);
	if (err)
		return err;
	s->has_dst = tb[NF_HIPAC_R_DST];
	err = nfh_parse_range(p, NF_HIPAC_R_SRC_RANGE_LO, "--src-range",
			      s->srange, &s->has_srange);
	if (err)
		return err;
	err = nfh_parse_range(p, NF_HIPAC_R_DST_RANGE_LO, "--dst-range",
			      s->drange, &s->has_drange);
	if (err)
		return err;
	/* -p 0 is iptables' "-p all" */
	if (tb[NF_HIPAC_R_PROTO] && nla_get_u8(tb[NF_HIPAC_R_PROTO])) {
		s->proto = nla_get_u8(tb[NF_HIPAC_R_PROTO]);
		s->has_proto = true;
	} else if (s->proto_inv) {
		return nfh_bad(p, -EINVAL, NF_HIPAC_R_PROTO_INV,
			       "rule would never match protocol (! -p all)");
	}
	err = nfh_parse_port(p, s, NF_HIPAC_R_SPORT_LO, "--sport", s->sport,
			     &s->has_sport);
	if (err)
		return err;
	err = nfh_parse_port(p, s, NF_HIPAC_R_DPORT_LO, "--dport", s->dport,
			     &s->has_dport);
	if (err)
		return err;
	err = nfh_parse_multiport(p, s);
	if (err)
		return err;
	err = nfh_parse_ifaces(p, s);
	if (err)
		return err;
	err = nfh_parse_tcp_icmp(p, s);
	if (err)
		return err;
	err = nfh_parse_misc(p, s);
	if (err)
		return err;
	nfh_parse_ct(p, s);
	return nfh_parse_order(p, s);
}

static const char *const nfh_verdict_names[__NF_HIPAC_V_MAX] = {
	[NF_HIPAC_V_DROP] = "DROP",
	[NF_HIPAC_V_REJECT] = "REJECT",
	[NF_HIPAC_V_SNAT] = "SNAT",
	[NF_HIPAC_V_DNAT] = "DNAT",
	[NF_HIPAC_V_MASQUERADE] = "MASQUERADE",
	[NF_HIPAC_V_REDIRECT] = "REDIRECT",
};

static bool nfh_nat_verdict(u32 verdict)
{
	return verdict >= NF_HIPAC_V_SNAT && verdict <= NF_HIPAC_V_REDIRECT;
}

/*
 * The nat table's base chains (enum nfh_nat_hook, as bits) a NAT target
 * may be used from, as xt_nat, xt_MASQUERADE and xt_REDIRECT allow
 */
static u32 nfh_nat_hooks_allowed(u32 verdict)
{
	switch (verdict) {
	case NF_HIPAC_V_SNAT:
		return BIT(NFH_NAT_INPUT) | BIT(NFH_NAT_POSTROUTING);
	case NF_HIPAC_V_MASQUERADE:
		return BIT(NFH_NAT_POSTROUTING);
	default:
		return BIT(NFH_NAT_PREROUTING) | BIT(NFH_NAT_OUTPUT);
	}
}

/* "INPUT and POSTROUTING": the chains of @hooks, for messages */
static void nfh_hook_list(u32 hooks, char *buf, size_t len)
{
	const struct nfh_table_type *type = &nfh_table_types[NFH_NAT];
	size_t n = 0;
	u32 h, left = hweight32(hooks);

	buf[0] = '\0';
	for (h = 0; h < type->n_base; h++) {
		if (!(hooks & BIT(h)))
			continue;
		left--;
		n += scnprintf(buf + n, len - n, "%s%s", type->base[h],
			       !left ? "" : left == 1 ? " and " : ", ");
	}
}

/* An address of a NAT range into @addr; the length was checked */
static void nfh_nat_addr(const struct nlattr *a, union nf_inet_addr *addr)
{
	memset(addr, 0, sizeof(*addr));
	memcpy(addr, nla_data(a), nla_len(a));
}

/*
 * The range of a NAT target, as the kernel's NAT takes it: addresses
 * (SNAT and DNAT, optional if ports are given), ports (any NAT target,
 * for a protocol with ports) and flags.
 */
static int nfh_parse_nat_range(const struct nfh_parse *p,
			       struct nfh_rule *rule)
{
	struct nf_nat_range2 *r = &rule->nat;
	const struct nfh_spec *s = &rule->spec;
	struct nlattr **tb = p->tb;
	bool addrs = rule->verdict == NF_HIPAC_V_SNAT ||
		     rule->verdict == NF_HIPAC_V_DNAT;
	u32 flags, len = p->family == AF_INET ? 4 : 16;
	u16 lo, hi;
	int a;

	memset(r, 0, sizeof(*r));
	for (a = NF_HIPAC_R_NAT_ADDR_LO; a <= NF_HIPAC_R_NAT_ADDR_HI; a++) {
		if (!tb[a])
			continue;
		if (!addrs)
			return nfh_bad(p, -EINVAL, a,
				       "-j %s takes no address",
				       nfh_verdict_names[rule->verdict]);
		if (nla_len(tb[a]) != len)
			return nfh_bad(p, -EINVAL, a,
				       "NAT address must be %u bytes", len);
	}
	if (tb[NF_HIPAC_R_NAT_ADDR_HI] && !tb[NF_HIPAC_R_NAT_ADDR_LO])
		return nfh_bad(p, -EINVAL, NF_HIPAC_R_NAT_ADDR_HI,
			       "NAT address range without its start");
	if (tb[NF_HIPAC_R_NAT_ADDR_LO]) {
		r->flags |= NF_NAT_RANGE_MAP_IPS;
		nfh_nat_addr(tb[NF_HIPAC_R_NAT_ADDR_LO], &r->min_addr);
		nfh_nat_addr(tb[NF_HIPAC_R_NAT_ADDR_HI] ?:
			     tb[NF_HIPAC_R_NAT_ADDR_LO], &r->max_addr);
	}

	if (tb[NF_HIPAC_R_NAT_PORT_HI] && !tb[NF_HIPAC_R_NAT_PORT_LO])
		return nfh_bad(p, -EINVAL, NF_HIPAC_R_NAT_PORT_HI,
			       "NAT port range without its start");
	if (tb[NF_HIPAC_R_NAT_PORT_LO]) {
		if (!s->has_proto || s->proto_inv ||
		    !nfh_port_proto(s->proto))
			return nfh_bad(p, -EINVAL, NF_HIPAC_R_NAT_PORT_LO,
				       "Need TCP, UDP, SCTP or DCCP with port specification");
		lo = nla_get_u16(tb[NF_HIPAC_R_NAT_PORT_LO]);
		hi = tb[NF_HIPAC_R_NAT_PORT_HI] ?
		     nla_get_u16(tb[NF_HIPAC_R_NAT_PORT_HI]) : lo;
		if (lo > hi)
			return nfh_bad(p, -EINVAL, NF_HIPAC_R_NAT_PORT_HI,
				       "NAT port range %u-%u: start after its end",
				       lo, hi);
		r->flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
		r->min_proto.all = htons(lo);
		r->max_proto.all = htons(hi);
	}
	if (addrs && !r->flags)
		return nfh_bad(p, -EINVAL, NF_HIPAC_R_VERDICT,
			       "-j %s needs an address or ports",
			       nfh_verdict_names[rule->verdict]);

	flags = tb[NF_HIPAC_R_NAT_FLAGS] ?
		nla_get_u32(tb[NF_HIPAC_R_NAT_FLAGS]) : 0;
	if ((flags & NF_HIPAC_NAT_PERSISTENT) && !addrs)
		return nfh_bad(p, -EINVAL, NF_HIPAC_R_NAT_FLAGS,
			       "-j %s has no --persistent",
			       nfh_verdict_names[rule->verdict]);
	if ((flags & NF_HIPAC_NAT_RANDOM_FULLY) &&
	    rule->verdict == NF_HIPAC_V_REDIRECT)
		return nfh_bad(p, -EINVAL, NF_HIPAC_R_NAT_FLAGS,
			       "-j REDIRECT has no --random-fully");
	if (flags & NF_HIPAC_NAT_RANDOM)
		r->flags |= NF_NAT_RANGE_PROTO_RANDOM;
	if (flags & NF_HIPAC_NAT_PERSISTENT)
		r->flags |= NF_NAT_RANGE_PERSISTENT;
	if (flags & NF_HIPAC_NAT_RANDOM_FULLY)
		r->flags |= NF_NAT_RANGE_PROTO_RANDOM_FULLY;
	return 0;
}

/*
 * What the table allows: NAT targets only in the nat table, and there
 * only from their hooks (a user chain's are checked at commit, see
 * nfh_check_nat_hooks()); nothing that filters in the nat table.
 */
static int nfh_parse_nat(const struct nfh_parse *p, struct nfh_rule *rule)
{
	static const int attrs[] = {
		NF_HIPAC_R_NAT_ADDR_LO, NF_HIPAC_R_NAT_ADDR_HI,
		NF_HIPAC_R_NAT_PORT_LO, NF_HIPAC_R_NAT_PORT_HI,
		NF_HIPAC_R_NAT_FLAGS,
	};
	u32 v = rule->verdict, allowed, i;
	int hook = -1;
	char where[64];

	if (!nfh_nat_verdict(v)) {
		for (i = 0; i < ARRAY_SIZE(attrs); i++)
			if (p->tb[attrs[i]])
				return nfh_bad(p, -EINVAL, attrs[i],
					       "NAT range without a NAT target");
		if (p->table == NFH_NAT &&
		    (v == NF_HIPAC_V_DROP || v == NF_HIPAC_V_REJECT))
			return nfh_bad(p, -EINVAL, NF_HIPAC_R_VERDICT,
				       "-j %s: the nat table is not for filtering",
				       nfh_verdict_names[v]);
		return 0;
	}
	if (p->table != NFH_NAT)
		return nfh_bad(p, -EINVAL, NF_HIPAC_R_VERDICT,
			       "-j %s is only valid in the nat table",
			       nfh_verdict_names[v]);
	allowed = nfh_nat_hooks_allowed(v);
	for (i = 0; i < nfh_table_types[NFH_NAT].n_base; i++)
		if (!strcmp(p->chain, nfh_table_types[NFH_NAT].base[i]))
			hook = i;
	if (hook >= 0 && !(allowed & BIT(hook))) {
		nfh_hook_list(allowed, where, sizeof(where));
		return nfh_bad(p, -EINVAL, NF_HIPAC_R_VERDICT,
			       "-j %s is only valid in %s",
			       nfh_verdict_names[v], where);
	}
	return nfh_parse_nat_range(p, rule);
}

/**
 * nfh_check_nat_hooks - NAT targets in user chains only where allowed
 * @rs: a rule set about to be committed
 * @msg: NFH_MSG_LEN bytes for the message
 *
 * A user chain of the nat table runs from every base chain that reaches
 * it by jumps and gotos; a NAT target in it must be valid from each, as
 * ip_tables checks when a table is replaced.
 *
 * Return: 0, -EINVAL naming the rule, or -ENOMEM.
 */
int nfh_check_nat_hooks(const struct nfh_ruleset *rs, char *msg)
{
	u32 n_base = nfh_n_base(rs), c, i, idx, bad;
	const struct nfh_rule *rule;
	bool changed = true;
	char where[64];
	u8 *hooks;

	if (rs->table != NFH_NAT)
		return 0;
	hooks = kcalloc(rs->n_chains, sizeof(*hooks), GFP_KERNEL);
	if (!hooks)
		return -ENOMEM;
	for (c = 0; c < n_base; c++)
		hooks[c] = BIT(c);
	/* reach the user chains: a fixed point, loops included */
	while (changed) {
		changed = false;
		for (c = 0; c < rs->n_chains; c++) {
			for (i = 0; hooks[c] && i < rs->chains[c]->n_rules; i++) {
				rule = rs->chains[c]->rules[i];
				if ((rule->verdict != NF_HIPAC_V_JUMP &&
				     rule->verdict != NF_HIPAC_V_GOTO) ||
				    !nfh_chain_find(rs, rule->target, &idx) ||
				    (hooks[idx] | hooks[c]) == hooks[idx])
					continue;
				hooks[idx] |= hooks[c];
				changed = true;
			}
		}
	}
	for (c = n_base; c < rs->n_chains; c++) {
		for (i = 0; i < rs->chains[c]->n_rules; i++) {
			rule = rs->chains[c]->rules[i];
			if (!nfh_nat_verdict(rule->verdict))
				continue;
			bad = hooks[c] & ~nfh_nat_hooks_allowed(rule->verdict);
			if (!bad)
				continue;
			nfh_hook_list(nfh_nat_hooks_allowed(rule->verdict),
				      where, sizeof(where));
			scnprintf(msg, NFH_MSG_LEN,
				  "%s rule %u: -j %s used from %s, only valid in %s",
				  rs->chains[c]->name, i + 1,
				  nfh_verdict_names[rule->verdict],
				  nfh_table_types[NFH_NAT].base[__ffs(bad)],
				  where);
			kfree(hooks);
			return -EINVAL;
		}
	}
	kfree(hooks);
	return 0;
}

static int nfh_parse_target(const struct nfh_parse *p,
			    const struct nfh_ruleset *rs, struct nfh_rule *rule)
{
	struct nlattr **tb = p->tb;
	const struct nfh_spec *s = &rule->spec;
	u32 idx;

	rule->verdict = tb[NF_HIPAC_R_VERDICT] ?
			nla_get_u32(tb[NF_HIPAC_R_VERDICT]) : NF_HIPAC_V_NONE;
	if (rule->verdict == NF_HIPAC_V_JUMP ||
	    rule->verdict == NF_HIPAC_V_GOTO) {
		if (!tb[NF_HIPAC_R_TARGET])
			return nfh_bad(p, -EINVAL, NF_HIPAC_R_VERDICT,
				       "-j/-g: target chain missing");
		nla_strscpy(rule->target, tb[NF_HIPAC_R_TARGET],
			    sizeof(rule->target));
		if (!nfh_chain_find(rs, rule->target, &idx))
			return nfh_bad(p, -ENOENT, NF_HIPAC_R_TARGET,
				       "-j %s: no such chain", rule->target);
		if (idx < nfh_n_base(rs))
			return nfh_bad(p, -EINVAL, NF_HIPAC_R_TARGET,
				       "-j %s: cannot jump to a base chain",
				       rule->target);
	} else if (tb[NF_HIPAC_R_TARGET]) {
		return nfh_bad(p, -EINVAL, NF_HIPAC_R_TARGET,
			       "a target chain without -j or -g");
	}

	if (tb[NF_HIPAC_R_REJECT_WITH] && rule->verdict != NF_HIPAC_V_REJECT)
		return nfh_bad(p, -EINVAL, NF_HIPAC_R_REJECT_WITH,
			       "--reject-with without -j REJECT");
	rule->reject_with = tb[NF_HIPAC_R_REJECT_WITH] ?
			    nla_get_u8(tb[NF_HIPAC_R_REJECT_WITH]) :
			    NF_HIPAC_REJECT_PORT_UNREACH;
	if (rule->reject_with == NF_HIPAC_REJECT_TCP_RESET &&
	    (!s->has_proto || s->proto_inv || s->proto != IPPROTO_TCP))
		return nfh_bad(p, -EINVAL, NF_HIPAC_R_REJECT_WITH,
			       "--reject-with tcp-reset requires -p tcp");
	if (rule->reject_with == NF_HIPAC_REJECT_PROTO_UNREACH &&
	    p->family != AF_INET)
		return nfh_bad(p, -EINVAL, NF_HIPAC_R_REJECT_WITH,
			       "--reject-with icmp-proto-unreachable is IPv4 only");

	if ((tb[NF_HIPAC_R_LOG_PREFIX] || tb[NF_HIPAC_R_LOG_LEVEL]) &&
	    rule->verdict != NF_HIPAC_V_LOG)
		return nfh_bad(p, -EINVAL, tb[NF_HIPAC_R_LOG_PREFIX] ?
			       NF_HIPAC_R_LOG_PREFIX : NF_HIPAC_R_LOG_LEVEL,
			       "--log-prefix/--log-level without -j LOG");
	if (tb[NF_HIPAC_R_LOG_PREFIX])
		nla_strscpy(rule->log_prefix, tb[NF_HIPAC_R_LOG_PREFIX],
			    sizeof(rule->log_prefix));
	rule->log_level = tb[NF_HIPAC_R_LOG_LEVEL] ?
			  nla_get_u8(tb[NF_HIPAC_R_LOG_LEVEL]) : 4;
	return nfh_parse_nat(p, rule);
}

static bool nfh_attr_stored(const struct nlattr *a)
{
	switch (nla_type(a)) {
	case NF_HIPAC_R_PACKETS:
	case NF_HIPAC_R_BYTES:
	case NF_HIPAC_R_PAD:
		return false;
	}
	return true;
}

/* Rule ids: the smallest free, so the counter arrays stay short */
static DEFINE_IDA(nfh_rule_ida);

/* A rule object with room for the stored attributes of @nest */
static struct nfh_rule *nfh_rule_alloc(const struct nlattr *nest,
				       int skip_type, u32 extra)
{
	const struct nlattr *a;
	struct nfh_rule *rule;
	u32 len = 0;
	int rem, id;

	nla_for_each_nested(a, nest, rem)
		if (nfh_attr_stored(a) && nla_type(a) != skip_type)
			len += nla_total_size(nla_len(a));
	rule = kvzalloc(struct_size(rule, nest, len + extra), GFP_KERNEL);
	if (!rule)
		return NULL;
	id = ida_alloc_min(&nfh_rule_ida, NFH_ORIGIN_RULES, GFP_KERNEL);
	if (id < 0) {
		kvfree(rule);
		return NULL;
	}
	rule->id = id;
	refcount_set(&rule->ref, 1);
	nla_for_each_nested(a, nest, rem) {
		if (!nfh_attr_stored(a) || nla_type(a) == skip_type)
			continue;
		memcpy(rule->nest + rule->nest_len, a,
		       NLA_HDRLEN + nla_len(a));
		rule->nest_len += nla_total_size(nla_len(a));
	}
	/* Up to 5 LOG lines per rule every 5 s */
	ratelimit_state_init(&rule->log_rs, 5 * HZ, 5);
	ratelimit_set_flags(&rule->log_rs, RATELIMIT_MSG_ON_RELEASE);
	return rule;
}

/*
 * The hooks a chain runs at, for xtables' checks: its hook for a base
 * chain; none for a user chain, as ip_tables has it for a chain no base
 * chain jumps to (not recomputed when a jump makes it reachable).
 */
static unsigned int nfh_chain_hook_mask(const struct nfh_ruleset *rs,
					const char *chain)
{
	u32 idx;

	if (!nfh_chain_find(rs, chain, &idx) || idx >= nfh_n_base(rs))
		return 0;
	return BIT(nfh_table_types[rs->table].hooknum[idx]);
}

/**
 * nfh_rule_parse - check a rule and make a rule object of it
 * @nest: the NF_HIPAC_A_RULE nest, valid for nfh_rule_policy
 * @net: the namespace of @rs, where extensions are checked
 * @rs: the rule set it goes into (its family and table, jump targets)
 * @chain: the chain it goes into, for checks and messages
 * @pos: its 1-based position there, for messages
 * @msg: NFH_MSG_LEN bytes for the message, outliving the request
 * @extack: the request's extack
 * @err: set to the error when NULL is returned
 *
 * Return: the rule holding one reference, or NULL.
 */
struct nfh_rule *nfh_rule_parse(const struct nlattr *nest, struct net *net,
				const struct nfh_ruleset *rs,
				const char *chain, u32 pos,
				char *msg, struct netlink_ext_ack *extack,
				int *err)
{
	struct nlattr *tb[NF_HIPAC_R_MAX + 1];
	struct nfh_parse p = {
		.tb = tb, .family = rs->family, .table = rs->table,
		.chain = chain, .pos = pos, .msg = msg, .extack = extack,
	};
	u8 family = rs->family;
	struct nfh_rule *rule;
	u64 packets, bytes;
	u8 pf;

	*err = nla_parse_nested(tb, NF_HIPAC_R_MAX, nest, nfh_rule_policy,
				extack);
	if (*err)
		return NULL;
	rule = nfh_rule_alloc(nest, 0, 0);
	if (!rule) {
		*err = -ENOMEM;
		return NULL;
	}
	*err = nfh_parse_spec(&p, &rule->spec);
	if (!*err)
		*err = nfh_parse_target(&p, rs, rule);
	if (!*err)
		*err = nfh_xt_parse(&p, net, nfh_chain_hook_mask(rs, chain),
				    rule);
	if (*err)
		goto err_free;
	if (rule->verdict == NF_HIPAC_V_LOG) {
		/* the logger of iptables -j LOG, loaded if need be */
		pf = family == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6;
		*err = nf_logger_find_get(pf, NF_LOG_TYPE_LOG);
		if (*err == -ENOENT && !request_module("nf_log_syslog"))
			*err = nf_logger_find_get(pf, NF_LOG_TYPE_LOG);
		if (*err) {
			*err = nfh_bad(&p, *err, NF_HIPAC_R_VERDICT,
				       "-j LOG: no packet logger (nf_log_syslog)");
			goto err_free;
		}
		rule->log_pf = pf;
	}

	packets = tb[NF_HIPAC_R_PACKETS] ?
		  nla_get_u64(tb[NF_HIPAC_R_PACKETS]) : 0;
	bytes = tb[NF_HIPAC_R_BYTES] ? nla_get_u64(tb[NF_HIPAC_R_BYTES]) : 0;
	rule->cnt = nfh_counter_new(packets, bytes);
	if (!rule->cnt) {
		*err = -ENOMEM;
		goto err_free;
	}
	return rule;

err_free:
	nfh_rule_free(rule);
	return NULL;
}

/**
 * nfh_rule_twin_id - give @rule the origin of its hotdrop twins
 * @rule: a rule whose extension step compares its -s/-d masks
 *
 * A second id from the rule ids, so that it stays while the rule does and
 * the twins of an unchanged rule can be copied from one commit to the next.
 *
 * Return: 0 or -ENOMEM.
 */
int nfh_rule_twin_id(struct nfh_rule *rule)
{
	int id = ida_alloc_min(&nfh_rule_ida, NFH_ORIGIN_RULES, GFP_KERNEL);

	if (id < 0)
		return id;
	rule->twin_id = id;
	return 0;
}

/**
 * nfh_rule_free - free @rule, its ids and its reference to its counter
 * @rule: the rule; nothing refers to it any more
 */
void nfh_rule_free(struct nfh_rule *rule)
{
	nfh_xt_free(rule->xt);
	if (rule->log_pf)
		nf_logger_put(rule->log_pf, NF_LOG_TYPE_LOG);
	if (rule->twin_id)
		ida_free(&nfh_rule_ida, rule->twin_id);
	ida_free(&nfh_rule_ida, rule->id);
	nfh_counter_put(rule->cnt);
	kvfree(rule);
}

/**
 * nfh_rule_retarget - a copy of a jump rule going to @target instead
 * @rule: the rule
 * @target: the new name of its target chain
 *
 * The copy shares the counter of @rule.
 *
 * Return: the copy, holding one reference, or NULL.
 */
struct nfh_rule *nfh_rule_retarget(const struct nfh_rule *rule,
				   const char *target)
{
	u32 tlen = strlen(target) + 1;
	struct nlattr *nest, *a;
	struct nfh_rule *copy;

	/* The stored attributes of @rule, seen as a nest */
	nest = kmalloc(NLA_HDRLEN + rule->nest_len, GFP_KERNEL);
	if (!nest)
		return NULL;
	nest->nla_type = NF_HIPAC_A_RULE;
	nest->nla_len = NLA_HDRLEN + rule->nest_len;
	memcpy(nla_data(nest), rule->nest, rule->nest_len);

	copy = nfh_rule_alloc(nest, NF_HIPAC_R_TARGET, nla_total_size(tlen));
	kfree(nest);
	if (!copy)
		return NULL;
	a = (struct nlattr *)(copy->nest + copy->nest_len);
	a->nla_type = NF_HIPAC_R_TARGET;
	a->nla_len = NLA_HDRLEN + tlen;
	memset(nla_data(a), 0, nla_total_size(tlen) - NLA_HDRLEN);
	memcpy(nla_data(a), target, tlen);
	copy->nest_len += nla_total_size(tlen);

	copy->spec = rule->spec;
	copy->verdict = rule->verdict;
	strscpy(copy->target, target, sizeof(copy->target));
	copy->reject_with = rule->reject_with;
	copy->log_level = rule->log_level;
	strscpy(copy->log_prefix, rule->log_prefix, sizeof(copy->log_prefix));
	copy->cnt = nfh_counter_get(rule->cnt);
	return copy;
}
