/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * nf_hipac: the HiPAC packet classifier on netfilter (generic netlink
 * family nf_hipac).
 *
 * Each network namespace has two rule sets, one per address family
 * (NF_HIPAC_A_FAMILY: AF_INET or AF_INET6), each holding iptables-style
 * chains: the base chains INPUT, FORWARD and OUTPUT (policy ACCEPT or
 * DROP) and user chains.  A rule is a conjunction of matches and a
 * target, carried in one NF_HIPAC_A_RULE nest of NF_HIPAC_R_* attributes;
 * the module keeps every rule as it was sent, so a dump returns exactly
 * what was added.
 *
 * Changes are made in transactions.  NF_HIPAC_CMD_BEGIN opens one for the
 * sending socket on a copy of the namespace's rule set of one family;
 * every change command sent from that socket then edits the copy, and
 * NF_HIPAC_CMD_COMMIT validates it, builds the classifier and swaps it in
 * as one step (or fails and changes nothing), NF_HIPAC_CMD_ABORT drops
 * it, and so does closing the socket.  A change sent without an open
 * transaction is a transaction of its own.  The first change that fails
 * poisons the transaction: the error (with an extack message naming the
 * chain, the rule and the option, e.g. "INPUT rule 3: --tcp-flags requires
 * -p tcp") is returned at once and again by COMMIT.  Every
 * change needs CAP_NET_ADMIN in the namespace's user namespace.
 */
#ifndef _UAPI_KLAB_HIPAC_H
#define _UAPI_KLAB_HIPAC_H

#include <linux/types.h>

#include <klab/klab.h>

#define NF_HIPAC_FAMILY_NAME	"nf_hipac"
#define NF_HIPAC_FAMILY_VERSION	1

#define NF_HIPAC_CHAIN_MAXLEN	29	/* as XT_EXTENSION_MAXNAMELEN - 1 */
#define NF_HIPAC_IFNAME_MAXLEN	16	/* IFNAMSIZ, with the NUL */
#define NF_HIPAC_LOG_PREFIX_MAXLEN 29	/* as the LOG target */
#define NF_HIPAC_MULTIPORT_MAX	15	/* as -m multiport */

/* Module-specific commands, after the common ones of <klab/klab.h> */
enum nf_hipac_cmd {
	__NF_HIPAC_CMD_START = KLAB_CMD_MODULE_FIRST - 1,
	/*
	 * Open a transaction on A_FAMILY's rule set for the sending socket
	 * (EBUSY if that socket has one open).  Transactions of different
	 * sockets may overlap; the later COMMIT fails with EAGAIN.
	 */
	NF_HIPAC_CMD_BEGIN,
	/* Validate, build and swap in the open transaction's rule set */
	NF_HIPAC_CMD_COMMIT,
	/* Drop the open transaction */
	NF_HIPAC_CMD_ABORT,
	/* Append A_RULE to A_CHAIN (-A) */
	NF_HIPAC_CMD_RULE_APPEND,
	/* Insert A_RULE at A_POS (1-based, default 1) of A_CHAIN (-I) */
	NF_HIPAC_CMD_RULE_INSERT,
	/*
	 * Delete from A_CHAIN the rule at A_POS, or else the first rule equal
	 * to A_RULE (-D); ENOENT when there is none
	 */
	NF_HIPAC_CMD_RULE_DELETE,
	/* Replace the rule at A_POS of A_CHAIN by A_RULE (-R) */
	NF_HIPAC_CMD_RULE_REPLACE,
	/* Create user chain A_CHAIN (-N); EEXIST if it exists */
	NF_HIPAC_CMD_CHAIN_NEW,
	/*
	 * Delete user chain A_CHAIN, or every empty unreferenced user chain
	 * without A_CHAIN (-X); EBUSY while referenced or not empty
	 */
	NF_HIPAC_CMD_CHAIN_DEL,
	/* Rename user chain A_CHAIN to A_NEWNAME (-E) */
	NF_HIPAC_CMD_CHAIN_RENAME,
	/* Set base chain A_CHAIN's policy to A_POLICY (-P) */
	NF_HIPAC_CMD_CHAIN_POLICY,
	/* Delete the rules of A_CHAIN, or of every chain without it (-F) */
	NF_HIPAC_CMD_FLUSH,
	/*
	 * Zero the counters of A_CHAIN (or all chains; with A_POS one rule)
	 * (-Z).  Takes effect at once, also inside a transaction.
	 */
	NF_HIPAC_CMD_ZERO,
	/*
	 * Dump A_FAMILY's committed rule set (or only A_CHAIN): per chain,
	 * one message with A_CHAIN, A_POLICY (base chains), A_REFS and the
	 * policy counters, then one message per rule with A_CHAIN, A_POS
	 * and A_RULE including R_PACKETS and R_BYTES.  Multi-part.
	 */
	NF_HIPAC_CMD_DUMP,
	/* Classifier statistics of A_FAMILY's committed rule set (A_STAT_*) */
	NF_HIPAC_CMD_STATS,

	__NF_HIPAC_CMD_END,
};

/* Module-specific attributes, after the common ones of <klab/klab.h> */
enum nf_hipac_attr {
	__NF_HIPAC_A_START = KLAB_A_MODULE_FIRST - 1,
	NF_HIPAC_A_FAMILY,	/* u8: AF_INET or AF_INET6 (required) */
	NF_HIPAC_A_CHAIN,	/* string: chain name */
	NF_HIPAC_A_NEWNAME,	/* string: new chain name (CHAIN_RENAME) */
	NF_HIPAC_A_POS,		/* u32: 1-based rule position */
	NF_HIPAC_A_RULE,	/* nest: NF_HIPAC_R_* */
	NF_HIPAC_A_POLICY,	/* u32: enum nf_hipac_verdict, ACCEPT or DROP */
	NF_HIPAC_A_REFS,	/* u32: rules jumping to the chain */
	NF_HIPAC_A_PACKETS,	/* u64: policy counter of a base chain */
	NF_HIPAC_A_BYTES,	/* u64 */
	NF_HIPAC_A_GENERATION,	/* u64: commits so far in this rule set */
	NF_HIPAC_A_STAT_RULES,	/* u32: rules in all chains */
	NF_HIPAC_A_STAT_CHAINS,	/* u32 */
	NF_HIPAC_A_STAT_FLAT_RULES, /* u32: rules after chain flattening and expansion */
	NF_HIPAC_A_STAT_NODES,	/* u32: tree nodes, all hooks */
	NF_HIPAC_A_STAT_INTERVALS, /* u64: elementary intervals, all hooks */
	NF_HIPAC_A_STAT_BYTES,	/* u64: memory of the trees */
	NF_HIPAC_A_STAT_BUILD_NS, /* u64: time of the last commit's build */
	NF_HIPAC_A_STAT_MEM_LIMIT, /* u64: the mem_limit parameter, bytes */
	NF_HIPAC_A_PAD,		/* padding for 64-bit attributes */
	NF_HIPAC_A_STAT_HOTDROPS, /* u64: packets dropped because a rule's
				   * transport match could not read their
				   * header (a truncated one, or an IPv4
				   * TCP fragment at offset 1), as xtables
				   * does
				   */
	NF_HIPAC_A_TABLE,	/* u8: enum nf_hipac_table (absent: filter) */
	NF_HIPAC_A_STAT_XT_RUNS, /* u64: rules whose xtables matches ran,
				  * once per rule and packet: only rules
				  * whose native part the packet matched,
				  * up to the rule that decided
				  */

	__NF_HIPAC_A_END,
};

#define NF_HIPAC_A_MAX	(__NF_HIPAC_A_END - 1)

/*
 * The tables of a family, NF_HIPAC_A_TABLE, each a rule set of its own
 * with its own transactions.  The nat table's rules see the first packet
 * of each connection only (conntrack's NEW or RELATED, not yet bound at
 * that hook) and decide its translation once; its base chains accept by
 * policy, and nothing in it drops.
 */
enum nf_hipac_table {
	NF_HIPAC_TABLE_FILTER,	/* INPUT, FORWARD, OUTPUT */
	NF_HIPAC_TABLE_NAT,	/* PREROUTING, INPUT, OUTPUT, POSTROUTING */
	__NF_HIPAC_TABLE_MAX,
};

/*
 * What a rule does when it matches, NF_HIPAC_R_VERDICT.  ACCEPT, DROP and
 * REJECT end the walk; RETURN resumes the calling chain (in a base chain:
 * applies the policy); JUMP enters NF_HIPAC_R_TARGET and comes back, GOTO
 * enters it and returns to where the caller was called from; LOG logs
 * (rate-limited) and NONE only counts, and the walk goes on.
 */
enum nf_hipac_verdict {
	NF_HIPAC_V_NONE,
	NF_HIPAC_V_ACCEPT,
	NF_HIPAC_V_DROP,
	NF_HIPAC_V_REJECT,
	NF_HIPAC_V_RETURN,
	NF_HIPAC_V_JUMP,
	NF_HIPAC_V_GOTO,
	NF_HIPAC_V_LOG,
	/*
	 * nat table only, ending the walk: the connection's source
	 * (SNAT: POSTROUTING, INPUT) or destination (DNAT: PREROUTING,
	 * OUTPUT) becomes NF_HIPAC_R_NAT_*; MASQUERADE (POSTROUTING) takes
	 * the outgoing device's address, REDIRECT (PREROUTING, OUTPUT) the
	 * incoming device's (loopback for OUTPUT), ports as the range says
	 */
	NF_HIPAC_V_SNAT,
	NF_HIPAC_V_DNAT,
	NF_HIPAC_V_MASQUERADE,
	NF_HIPAC_V_REDIRECT,
	__NF_HIPAC_V_MAX,
};

/* NF_HIPAC_R_REJECT_WITH, as iptables' --reject-with */
enum nf_hipac_reject {
	NF_HIPAC_REJECT_PORT_UNREACH,	/* the default, ICMP(v6) port unreachable */
	NF_HIPAC_REJECT_TCP_RESET,
	NF_HIPAC_REJECT_NET_UNREACH,
	NF_HIPAC_REJECT_HOST_UNREACH,
	NF_HIPAC_REJECT_PROTO_UNREACH,
	NF_HIPAC_REJECT_ADMIN_PROHIB,
	__NF_HIPAC_REJECT_MAX,
};

/* NF_HIPAC_R_TTL_OP: --ttl-eq/--ttl-lt/--ttl-gt (--hl-* for IPv6) */
enum nf_hipac_ttl_op {
	NF_HIPAC_TTL_EQ,
	NF_HIPAC_TTL_LT,
	NF_HIPAC_TTL_GT,
	__NF_HIPAC_TTL_MAX,
};

/* NF_HIPAC_R_MULTIPORT_DIR: --sports, --dports or --ports */
enum nf_hipac_multiport_dir {
	NF_HIPAC_MP_SRC = 1,
	NF_HIPAC_MP_DST,
	NF_HIPAC_MP_ANY,
};

/* NF_HIPAC_R_TCP_FLAGS_*: the bits of the TCP header's flags byte */
#define NF_HIPAC_TCP_FIN	0x01
#define NF_HIPAC_TCP_SYN	0x02
#define NF_HIPAC_TCP_RST	0x04
#define NF_HIPAC_TCP_PSH	0x08
#define NF_HIPAC_TCP_ACK	0x10
#define NF_HIPAC_TCP_URG	0x20
#define NF_HIPAC_TCP_ECE	0x40
#define NF_HIPAC_TCP_CWR	0x80

/*
 * NF_HIPAC_R_STATE and NF_HIPAC_R_CTSTATE bits, as xt_conntrack's
 * --ctstate: a packet has one of the first five (INVALID: no connection,
 * UNTRACKED: -j NOTRACK), and with a connection SNAT and DNAT when it is
 * translated; a rule matches when one of its bits is the packet's.
 * --state takes the first five only.
 */
#define NF_HIPAC_CT_INVALID	0x01
#define NF_HIPAC_CT_ESTABLISHED	0x02
#define NF_HIPAC_CT_RELATED	0x04
#define NF_HIPAC_CT_NEW		0x08
#define NF_HIPAC_CT_UNTRACKED	0x10
#define NF_HIPAC_CT_SNAT	0x20
#define NF_HIPAC_CT_DNAT	0x40

/*
 * NF_HIPAC_R_CTSTATUS bits, the connection's status bits of the same
 * name (IPS_*): a rule matches a connection with one of them set
 */
#define NF_HIPAC_CTS_EXPECTED	0x01
#define NF_HIPAC_CTS_SEEN_REPLY	0x02
#define NF_HIPAC_CTS_ASSURED	0x04
#define NF_HIPAC_CTS_CONFIRMED	0x08

/* NF_HIPAC_R_CTDIR: the direction of the packet in its connection */
enum nf_hipac_ctdir {
	NF_HIPAC_CTDIR_ORIGINAL,
	NF_HIPAC_CTDIR_REPLY,
	__NF_HIPAC_CTDIR_MAX,
};

/* NF_HIPAC_R_NAT_FLAGS, as SNAT's --random, --persistent, --random-fully */
#define NF_HIPAC_NAT_RANDOM		0x01
#define NF_HIPAC_NAT_PERSISTENT		0x02
#define NF_HIPAC_NAT_RANDOM_FULLY	0x04

/*
 * The match modules of a rule, NF_HIPAC_R_MATCH_ORDER.  iptables evaluates
 * a rule's IP part (-s -d -i -o -p -f) and then its modules in the order
 * they were loaded: by -m NAME, or for the module of -p (tcp, udp, icmp)
 * at its first option.  The first module that does not match ends the
 * rule, so the order decides which transport matches get to drop a packet
 * whose header they cannot read.  A rule without the attribute has its
 * modules in ascending order of these values.
 */
enum nf_hipac_match {
	NF_HIPAC_M_IPRANGE = 1,	/* -m iprange: --src-range, --dst-range */
	NF_HIPAC_M_TCP_UDP,	/* the port match of -p: -m tcp, udp, dccp
				 * or sctp (--sport, --dport; tcp's
				 * --tcp-flags); also without options
				 * (-p tcp -m tcp), listed in the order
				 */
	NF_HIPAC_M_ICMP,	/* -m icmp/icmp6: --icmp-type, --icmpv6-type */
	NF_HIPAC_M_MULTIPORT,	/* -m multiport */
	NF_HIPAC_M_TTL,		/* -m ttl/hl */
	NF_HIPAC_M_MARK,	/* -m mark */
	NF_HIPAC_M_STATE,	/* -m state: --state */
	NF_HIPAC_M_CONNTRACK,	/* -m conntrack: --ctstate, --ctstatus,
				 * --ctdir
				 */
	__NF_HIPAC_M_END,
};

#define NF_HIPAC_M_MAX	(__NF_HIPAC_M_END - 1)

/* One port range of NF_HIPAC_R_MULTIPORT, host byte order */
struct nf_hipac_port_range {
	__u16 lo;
	__u16 hi;
};

/*
 * The attributes of a rule (inside NF_HIPAC_A_RULE).  Every match is
 * optional; an absent one matches anything.  Each *_INV flag is "!".
 * Addresses are 4 (AF_INET) or 16 (AF_INET6) bytes in network order;
 * numbers are in host order.
 */
enum nf_hipac_rule_attr {
	NF_HIPAC_R_UNSPEC,
	NF_HIPAC_R_SRC,		/* binary: -s address */
	NF_HIPAC_R_SRC_PLEN,	/* u8: -s prefix length (default: all bits) */
	NF_HIPAC_R_SRC_INV,	/* flag */
	NF_HIPAC_R_DST,		/* binary: -d address */
	NF_HIPAC_R_DST_PLEN,	/* u8 */
	NF_HIPAC_R_DST_INV,	/* flag */
	NF_HIPAC_R_SRC_RANGE_LO, /* binary: -m iprange --src-range lo-hi */
	NF_HIPAC_R_SRC_RANGE_HI, /* binary */
	NF_HIPAC_R_SRC_RANGE_INV, /* flag */
	NF_HIPAC_R_DST_RANGE_LO, /* binary: -m iprange --dst-range */
	NF_HIPAC_R_DST_RANGE_HI, /* binary */
	NF_HIPAC_R_DST_RANGE_INV, /* flag */
	NF_HIPAC_R_PROTO,	/* u8: -p, IPPROTO_* (absent: any) */
	NF_HIPAC_R_PROTO_INV,	/* flag */
	NF_HIPAC_R_SPORT_LO,	/* u16: --sport lo[:hi] (needs -p tcp/udp) */
	NF_HIPAC_R_SPORT_HI,	/* u16: default lo */
	NF_HIPAC_R_SPORT_INV,	/* flag */
	NF_HIPAC_R_DPORT_LO,	/* u16: --dport lo[:hi] */
	NF_HIPAC_R_DPORT_HI,	/* u16 */
	NF_HIPAC_R_DPORT_INV,	/* flag */
	NF_HIPAC_R_MULTIPORT_DIR, /* u8: enum nf_hipac_multiport_dir */
	NF_HIPAC_R_MULTIPORT,	/* binary: struct nf_hipac_port_range[1..15] */
	NF_HIPAC_R_MULTIPORT_INV, /* flag */
	NF_HIPAC_R_IIF,		/* string: -i name, a trailing '+' is a wildcard */
	NF_HIPAC_R_IIF_INV,	/* flag */
	NF_HIPAC_R_OIF,		/* string: -o name */
	NF_HIPAC_R_OIF_INV,	/* flag */
	NF_HIPAC_R_TCP_FLAGS_MASK, /* u8: --tcp-flags mask comp (--syn: */
	NF_HIPAC_R_TCP_FLAGS_CMP, /* u8:   FIN|SYN|RST|ACK SYN) */
	NF_HIPAC_R_TCP_FLAGS_INV, /* flag */
	NF_HIPAC_R_ICMP_TYPE,	/* u8: --icmp-type / --icmpv6-type (needs -p icmp/icmpv6) */
	NF_HIPAC_R_ICMP_CODE_LO, /* u8: default 0 */
	NF_HIPAC_R_ICMP_CODE_HI, /* u8: default 255 */
	NF_HIPAC_R_ICMP_INV,	/* flag */
	NF_HIPAC_R_TTL_OP,	/* u8: enum nf_hipac_ttl_op */
	NF_HIPAC_R_TTL,		/* u8: TTL (IPv4) or hop limit (IPv6) */
	NF_HIPAC_R_TTL_INV,	/* flag */
	NF_HIPAC_R_FRAG,	/* flag: -f, a non-first fragment (IPv4 only) */
	NF_HIPAC_R_FRAG_INV,	/* flag: ! -f */
	NF_HIPAC_R_MARK,	/* u32: -m mark --mark value[/mask] */
	NF_HIPAC_R_MARK_MASK,	/* u32: default 0xffffffff */
	NF_HIPAC_R_MARK_INV,	/* flag */
	NF_HIPAC_R_CTSTATE,	/* u32: -m conntrack --ctstate, NF_HIPAC_CT_* */
	NF_HIPAC_R_CTSTATE_INV,	/* flag */
	NF_HIPAC_R_VERDICT,	/* u32: enum nf_hipac_verdict (default NONE) */
	NF_HIPAC_R_TARGET,	/* string: chain of JUMP/GOTO */
	NF_HIPAC_R_REJECT_WITH,	/* u8: enum nf_hipac_reject */
	NF_HIPAC_R_LOG_PREFIX,	/* string: --log-prefix */
	NF_HIPAC_R_LOG_LEVEL,	/* u8: --log-level 0-7 (default 4) */
	NF_HIPAC_R_PACKETS,	/* u64: counter (dump; -c on add) */
	NF_HIPAC_R_BYTES,	/* u64 */
	NF_HIPAC_R_PAD,		/* padding for 64-bit attributes */
	NF_HIPAC_R_MATCH_ORDER,	/* binary: u8 enum nf_hipac_match[], each
				 * module the rule's matches use exactly
				 * once, in the order iptables evaluates
				 * them (absent: ascending); the port
				 * match of a tcp, udp, dccp or sctp rule
				 * may be listed without options
				 */
	NF_HIPAC_R_STATE,	/* u32: -m state --state, the CT bits
				 * INVALID to UNTRACKED
				 */
	NF_HIPAC_R_STATE_INV,	/* flag */
	NF_HIPAC_R_CTSTATUS,	/* u32: --ctstatus, NF_HIPAC_CTS_* */
	NF_HIPAC_R_CTSTATUS_INV, /* flag */
	NF_HIPAC_R_CTDIR,	/* u8: --ctdir, enum nf_hipac_ctdir */
	NF_HIPAC_R_NAT_ADDR_LO,	/* binary: first address of SNAT/DNAT's
				 * range (4 or 16 bytes; absent: keep it)
				 */
	NF_HIPAC_R_NAT_ADDR_HI,	/* binary: last address (default: LO) */
	NF_HIPAC_R_NAT_PORT_LO,	/* u16: first port of the range, or of
				 * MASQUERADE's and REDIRECT's --to-ports
				 * (needs -p tcp, udp, udplite, sctp or
				 * dccp; absent: keep it if free)
				 */
	NF_HIPAC_R_NAT_PORT_HI,	/* u16: last port (default: LO) */
	NF_HIPAC_R_NAT_FLAGS,	/* u32: NF_HIPAC_NAT_* */
	NF_HIPAC_R_XT_MATCHES,	/* nest: up to NF_HIPAC_XT_MAX_MATCHES
				 * nests of NF_HIPAC_XT_* (any type), the
				 * rule's xtables matches in evaluation
				 * order, after its native ones (filter
				 * table; not with -j CHAIN, -g, RETURN)
				 */
	NF_HIPAC_R_XT_TARGET,	/* nest: NF_HIPAC_XT_*, without R_VERDICT */
	NF_HIPAC_R_SRC_MASK,	/* binary: -s mask, instead of SRC_PLEN for
				 * one whose ones are not contiguous (any
				 * table and verdict)
				 */
	NF_HIPAC_R_DST_MASK,	/* binary: -d mask */

	__NF_HIPAC_R_END,
};

#define NF_HIPAC_R_MAX	(__NF_HIPAC_R_END - 1)

/*
 * An xtables match or target, as the kernel's x_tables API takes it: the
 * extension's name and revision, and its data, the struct the extension
 * declares (xt_mark_mtinfo1, ...) padded to XT_ALIGN() of its size as in
 * an ipt_entry.  The data as sent is what dumps return; what the
 * extension keeps in its own copy (limit's and quota's private state)
 * stays in the kernel.
 */
enum nf_hipac_xt_attr {
	NF_HIPAC_XT_UNSPEC,
	NF_HIPAC_XT_NAME,	/* string: e.g. "mark", "MARK" */
	NF_HIPAC_XT_REVISION,	/* u8 (default 0) */
	NF_HIPAC_XT_DATA,	/* binary: at most NF_HIPAC_XT_DATA_MAX bytes */

	__NF_HIPAC_XT_END,
};

#define NF_HIPAC_XT_MAX		(__NF_HIPAC_XT_END - 1)
#define NF_HIPAC_XT_MAX_MATCHES	16
#define NF_HIPAC_XT_NAME_MAXLEN	28	/* XT_EXTENSION_MAXNAMELEN - 1 */
#define NF_HIPAC_XT_DATA_MAX	4096

#endif /* _UAPI_KLAB_HIPAC_H */
