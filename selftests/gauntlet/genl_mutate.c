// SPDX-License-Identifier: GPL-2.0
/* Requests built from a family's policies, valid and mutated: see genl_mutate.h. */
#include <stdio.h>
#include <string.h>

#include <linux/netlink.h>

#include "genl_mutate.h"

/* nests deeper than this are left empty */
#define FUZZ_DEPTH	3
/* binary attributes without a maximum length get up to this many bytes */
#define FUZZ_BINARY_MAX	64

static const char *const kind_names[FUZZ_KINDS] = {
	[FUZZ_VALID] = "valid", [FUZZ_RANGE] = "out-of-range",
	[FUZZ_LENGTH] = "wrong-length", [FUZZ_MISSING] = "missing-attribute",
	[FUZZ_UNKNOWN] = "unknown-attribute", [FUZZ_NEST] = "nesting-error",
	[FUZZ_CUT] = "cut", [FUZZ_CORRUPT] = "corrupt-length",
	[FUZZ_FLAGS] = "random-flags", [FUZZ_CMD] = "random-command",
	[FUZZ_DUMP] = "bad-dump",
};

const char *fuzz_kind_name(enum fuzz_kind kind)
{
	return kind < FUZZ_KINDS ? kind_names[kind] : "?";
}

/* splitmix64: one 64-bit state, good enough spread, replayable */
uint64_t fuzz_rand(struct fuzz_ctx *z)
{
	uint64_t x = (z->rng += 0x9e3779b97f4a7c15ULL);

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* 0..@n-1 (0 when @n is 0) */
static uint64_t below(struct fuzz_ctx *z, uint64_t n)
{
	return n ? fuzz_rand(z) % n : 0;
}

static bool chance(struct fuzz_ctx *z, unsigned int percent)
{
	return below(z, 100) < percent;
}

void fuzz_add_string(struct fuzz_ctx *z, const char *str)
{
	unsigned int i;

	if (z->n_strings == FUZZ_STRINGS || strlen(str) >= FUZZ_STRLEN)
		return;
	for (i = 0; i < z->n_strings; i++)
		if (!strcmp(z->strings[i], str))
			return;
	snprintf(z->strings[z->n_strings++], FUZZ_STRLEN, "%s", str);
}

static void string_cb(const char *str, void *z)
{
	fuzz_add_string(z, str);
}

void fuzz_learn(struct fuzz_ctx *z, const struct genl_snap *snap)
{
	const struct genl_snap_view *v;
	unsigned int i;

	genl_snap_strings(snap, string_cb, z);
	for (i = 0; i < snap->n && z->n_learned < FUZZ_LEARNED; i++) {
		v = &snap->v[i];
		if (!v->attr)
			continue;
		z->learned[z->n_learned].type = v->attr;
		z->learned[z->n_learned++].value = v->value;
	}
}

/* A value the kernel took for attribute @type, if there is one */
static bool pick_learned(struct fuzz_ctx *z, uint16_t type, uint64_t *v)
{
	unsigned int i, n = 0;

	for (i = 0; i < z->n_learned; i++)
		if (z->learned[i].type == type && !below(z, ++n))
			*v = z->learned[i].value;
	return n;
}

void fuzz_init(struct fuzz_ctx *z, struct genl_test_sock *s,
	       struct genl_family_desc *f, uint64_t seed)
{
	memset(z, 0, sizeof(*z));
	z->s = s;
	z->f = f;
	z->rng = seed;
	/* a few names of our own, so that creating objects is bounded */
	fuzz_add_string(z, "fuzz0");
	fuzz_add_string(z, "fuzz1");
	fuzz_add_string(z, "");
}

bool fuzz_op_is_slow(const struct fuzz_ctx *z, uint8_t cmd)
{
	return z->slow[cmd / 8] & (1u << (cmd % 8));
}

void fuzz_op_set_slow(struct fuzz_ctx *z, uint8_t cmd)
{
	z->slow[cmd / 8] |= 1u << (cmd % 8);
}

static bool is_signed(uint32_t nltype)
{
	return nltype >= NL_ATTR_TYPE_S8 && nltype <= NL_ATTR_TYPE_S64;
}

static uint64_t umax_of(unsigned int size)
{
	return size == 8 ? UINT64_MAX : (1ULL << (8 * size)) - 1;
}

static int64_t smax_of(unsigned int size)
{
	return (int64_t)(umax_of(size) >> 1);
}

/* Whether the policy bounds the attribute tighter than its type does */
static bool is_bounded(const struct genl_pol_attr *pa)
{
	unsigned int size = genl_test_int_size(pa->type);

	if (!size)
		return false;
	if (is_signed(pa->type))
		return pa->max_s < smax_of(size) || pa->min_s > -smax_of(size) - 1;
	return pa->max_u < umax_of(size) || pa->min_u > 0 || pa->mask;
}

/* A value in [lo, hi]: often an edge or small, so objects stay few */
static uint64_t pick_between(struct fuzz_ctx *z, uint64_t lo, uint64_t hi,
			     bool minimal)
{
	uint64_t span = hi - lo;

	if (minimal)
		return lo;
	switch (below(z, 8)) {
	case 0:
		return lo;
	case 1:
		return hi;
	case 2:
	case 3:
	case 4:
	case 5:
		return lo + below(z, (span < 15 ? span : 15) + 1);
	}
	return span == UINT64_MAX ? fuzz_rand(z) : lo + below(z, span + 1);
}

static uint64_t pick_int(struct fuzz_ctx *z, const struct genl_pol_attr *pa,
			 bool minimal)
{
	unsigned int size = genl_test_int_size(pa->type);
	int64_t slo = pa->min_s, shi = pa->max_s;
	uint64_t lo = pa->min_u, hi = pa->max_u;

	if (is_signed(pa->type)) {
		/* an end the policy leaves open: near zero */
		if (shi == smax_of(size) &&
		    (uint64_t)shi - (uint64_t)slo > FUZZ_VALUE_CAP)
			shi = slo > 0 ? slo + FUZZ_VALUE_CAP : FUZZ_VALUE_CAP;
		if (slo == -smax_of(size) - 1 &&
		    (uint64_t)shi - (uint64_t)slo > FUZZ_VALUE_CAP)
			slo = shi < 0 ? shi - FUZZ_VALUE_CAP : -FUZZ_VALUE_CAP;
		return (uint64_t)slo +
		       pick_between(z, 0, (uint64_t)shi - (uint64_t)slo, minimal);
	}
	if (pa->mask)	/* a mask has no min and max */
		return minimal ? 0 : fuzz_rand(z) & pa->mask;
	/* no declared maximum: a huge value could start work without end */
	if (hi == umax_of(size) && hi - lo > FUZZ_VALUE_CAP)
		hi = lo + FUZZ_VALUE_CAP;
	return pick_between(z, lo, hi, minimal);
}

static void put_string(struct fuzz_ctx *z, uint16_t type,
		       const struct genl_pol_attr *pa)
{
	char s[FUZZ_STRLEN];

	snprintf(s, sizeof(s), "%s", z->strings[below(z, z->n_strings)]);
	if (pa->max_len && strlen(s) >= pa->max_len)
		s[pa->max_len - 1] = '\0';
	genl_test_put(&z->m, type, s, strlen(s) + 1);
}

static void put_binary(struct fuzz_ctx *z, uint16_t type, uint32_t len)
{
	unsigned char b[GENL_POL_ATTRS * 8];
	uint32_t i;

	if (len > sizeof(b))
		len = sizeof(b);
	for (i = 0; i < len; i++)
		b[i] = fuzz_rand(z);
	genl_test_put(&z->m, type, b, len);
}

static void put_bitfield(struct fuzz_ctx *z, uint16_t type,
			 const struct genl_pol_attr *pa)
{
	uint32_t bf[2];	/* struct nla_bitfield32: value, selector */

	bf[1] = fuzz_rand(z) & pa->mask;
	bf[0] = fuzz_rand(z) & bf[1];
	genl_test_put(&z->m, type, bf, sizeof(bf));
}

static void put_policy(struct fuzz_ctx *z, int pol, unsigned int depth,
		       bool minimal, int skip);

static void put_nest(struct fuzz_ctx *z, uint16_t type,
		     const struct genl_pol_attr *pa, unsigned int depth,
		     bool minimal)
{
	struct nlattr *outer, *inner;
	unsigned int i, n;

	outer = genl_test_nest_start(&z->m, type);
	if (depth < FUZZ_DEPTH && pa->type == NL_ATTR_TYPE_NESTED) {
		put_policy(z, pa->nested, depth + 1, minimal, -1);
	} else if (depth < FUZZ_DEPTH) {
		/* an array: entries 1..n, each a nest of the policy */
		n = 1 + below(z, 3);
		for (i = 1; i <= n; i++) {
			inner = genl_test_nest_start(&z->m, i);
			put_policy(z, pa->nested, depth + 1, minimal, -1);
			genl_test_nest_end(&z->m, inner);
		}
	}
	genl_test_nest_end(&z->m, outer);
}

static void put_valid(struct fuzz_ctx *z, uint16_t type,
		      const struct genl_pol_attr *pa, unsigned int depth,
		      bool minimal)
{
	uint32_t max;
	uint64_t v = 0;

	switch (pa->type) {
	case NL_ATTR_TYPE_FLAG:
		genl_test_put(&z->m, type, NULL, 0);
		break;
	case NL_ATTR_TYPE_STRING:
	case NL_ATTR_TYPE_NUL_STRING:
		put_string(z, type, pa);
		break;
	case NL_ATTR_TYPE_BINARY:
		max = pa->max_len ?: pa->min_len + FUZZ_BINARY_MAX;
		put_binary(z, type, pa->min_len + below(z, max - pa->min_len + 1));
		break;
	case NL_ATTR_TYPE_NESTED:
	case NL_ATTR_TYPE_NESTED_ARRAY:
		put_nest(z, type, pa, depth, minimal);
		break;
	case NL_ATTR_TYPE_BITFIELD32:
		put_bitfield(z, type, pa);
		break;
	default:
		if (!genl_test_int_size(pa->type))
			break;
		/* a learned value may be large: a slow op gets the least */
		if (minimal || !chance(z, 50) || !pick_learned(z, type, &v))
			v = pick_int(z, pa, minimal);
		genl_test_put_int(&z->m, type, pa->type, v);
	}
}

static bool is_int(const struct genl_pol_attr *pa)
{
	return genl_test_int_size(pa->type);
}

static const struct genl_pol *policy_at(const struct fuzz_ctx *z, int idx)
{
	return idx >= 0 && idx < (int)z->f->n_pols ? &z->f->pols[idx] : NULL;
}

/*
 * Some of the attributes of policy @pol, each valid; @skip left out.
 * @minimal: every integer attribute, at its least value: one left out
 * gets the op's default, which may be large work (slabcache's BENCH runs
 * 100,000 loops without KLAB_SLAB_A_BENCH_LOOPS, 2 s under TCG).
 */
static void put_policy(struct fuzz_ctx *z, int pol, unsigned int depth,
		       bool minimal, int skip)
{
	const struct genl_pol *p = policy_at(z, pol);
	unsigned int type;

	if (!p)
		return;
	for (type = 1; type <= p->maxattr; type++) {
		if (p->attr[type].type == NL_ATTR_TYPE_INVALID ||
		    (int)type == skip ||
		    (!chance(z, 60) && !(minimal && is_int(&p->attr[type]))))
			continue;
		put_valid(z, type, &p->attr[type], depth, minimal);
	}
}

/* A random attribute type of policy @p that passes @want, or 0 */
static unsigned int pick_attr(struct fuzz_ctx *z, const struct genl_pol *p,
			      bool (*want)(const struct genl_pol_attr *pa))
{
	unsigned int type, n = 0, pick;

	if (!p)
		return 0;
	for (type = 1; type <= p->maxattr; type++)
		n += p->attr[type].type != NL_ATTR_TYPE_INVALID &&
		     want(&p->attr[type]);
	if (!n)
		return 0;
	pick = below(z, n);
	for (type = 1; type <= p->maxattr; type++)
		if (p->attr[type].type != NL_ATTR_TYPE_INVALID &&
		    want(&p->attr[type]) && !pick--)
			return type;
	return 0;
}

static bool any_attr(const struct genl_pol_attr *pa)
{
	return true;
}

static bool is_nest(const struct genl_pol_attr *pa)
{
	return pa->type == NL_ATTR_TYPE_NESTED ||
	       pa->type == NL_ATTR_TYPE_NESTED_ARRAY;
}

static void start(struct fuzz_ctx *z, struct fuzz_msg *fm,
		  const struct genl_op_desc *op, uint8_t cmd, bool dump)
{
	fm->op = op;
	fm->cmd = cmd;
	genl_test_msg_init(&z->m, z->f->id, cmd, z->f->version);
	if (dump)
		((struct nlmsghdr *)z->m.buf)->nlmsg_flags |= NLM_F_DUMP;
}

void fuzz_build_valid(struct fuzz_ctx *z, const struct genl_op_desc *op,
		      bool dump, struct fuzz_msg *fm)
{
	fm->kind = FUZZ_VALID;
	start(z, fm, op, op->cmd, dump);
	put_policy(z, dump ? op->dump_pol : op->do_pol, 0,
		   fuzz_op_is_slow(z, op->cmd), -1);
}

/*
 * An integer past the bound its policy sets (max + 1 .. type max, or below
 * min); without a bound, a huge or negative one (the op's code may check)
 */
static void put_out_of_range(struct fuzz_ctx *z, uint16_t type,
			     const struct genl_pol_attr *pa)
{
	unsigned int size = genl_test_int_size(pa->type);
	uint64_t v;

	if (!is_bounded(pa)) {
		/* huge, or negative: all ones */
		v = chance(z, 50) ? umax_of(size) : umax_of(size) >> below(z, 8);
		genl_test_put_int(&z->m, type, pa->type, v);
		return;
	}
	if (is_signed(pa->type)) {
		if (pa->max_s < smax_of(size) && (pa->min_s == -smax_of(size) - 1 ||
						  chance(z, 50)))
			v = pa->max_s + 1 + below(z, smax_of(size) - pa->max_s);
		else
			v = (uint64_t)(pa->min_s - 1 -
				       (int64_t)below(z, pa->min_s + smax_of(size)));
	} else if (pa->mask) {
		v = fuzz_rand(z) | ~pa->mask;
	} else if (pa->max_u < umax_of(size) && (!pa->min_u || chance(z, 50))) {
		v = chance(z, 50) ? umax_of(size) :
		    pa->max_u + 1 + below(z, umax_of(size) - pa->max_u);
	} else {
		v = below(z, pa->min_u);
	}
	genl_test_put_int(&z->m, type, pa->type, v);
}

/* The attribute with a length its type does not allow */
static void put_wrong_length(struct fuzz_ctx *z, uint16_t type,
			     const struct genl_pol_attr *pa)
{
	static const uint32_t int_lens[] = { 0, 1, 2, 3, 4, 5, 7, 8, 12, 16 };
	unsigned int size = genl_test_int_size(pa->type);
	char s[FUZZ_STRLEN * 4];
	uint32_t len;

	if (size) {
		do
			len = int_lens[below(z, MNL_ARRAY_SIZE(int_lens))];
		while (len == size);
		put_binary(z, type, len);
	} else if (pa->type == NL_ATTR_TYPE_NUL_STRING && chance(z, 50)) {
		memset(s, 'x', 8);	/* no NUL at its end */
		genl_test_put(&z->m, type, s, 8);
	} else if (pa->max_len && pa->max_len < sizeof(s) - 1) {
		len = pa->max_len + 1 + below(z, sizeof(s) - 1 - pa->max_len);
		memset(s, 'y', len);
		s[len] = '\0';
		genl_test_put(&z->m, type, s, len + 1);
	} else if (pa->type == NL_ATTR_TYPE_BINARY && pa->min_len) {
		put_binary(z, type, below(z, pa->min_len));
	} else {
		/* a flag with a payload, a nest of 1-3 bytes, a short bitfield */
		put_binary(z, type, 1 + below(z, 3));
	}
}

static void put_nest_error(struct fuzz_ctx *z, const struct genl_pol *p)
{
	unsigned int type = pick_attr(z, p, is_nest), depth;
	struct nlattr *nest[8];
	uint32_t v = fuzz_rand(z);

	if (!type) {
		/* a plain attribute marked as a nest */
		type = pick_attr(z, p, any_attr) ?: 1;
		genl_test_put(&z->m, type | NLA_F_NESTED, &v, sizeof(v));
		return;
	}
	switch (below(z, 4)) {
	case 0:	/* a nest without NLA_F_NESTED, holding garbage */
		genl_test_put(&z->m, type, &v, sizeof(v));
		break;
	case 1:	/* a nest of attributes the nested policy has not */
		nest[0] = genl_test_nest_start(&z->m, type);
		genl_test_put(&z->m, GENL_POL_ATTRS + below(z, 64), &v,
			      sizeof(v));
		genl_test_nest_end(&z->m, nest[0]);
		break;
	case 2:	/* nests in nests, deeper than any policy */
		for (depth = 0; depth < MNL_ARRAY_SIZE(nest); depth++)
			nest[depth] = genl_test_nest_start(&z->m, type);
		while (depth--)
			genl_test_nest_end(&z->m, nest[depth]);
		break;
	default: /* a nest holding a cut attribute */
		nest[0] = genl_test_nest_start(&z->m, type);
		genl_test_put(&z->m, 1, &v, sizeof(v));
		genl_test_nest_end(&z->m, nest[0]);
		nest[0]->nla_len -= 1 + below(z, 3);
		break;
	}
}

static void put_unknown(struct fuzz_ctx *z, const struct genl_pol *p)
{
	unsigned int maxattr = p ? p->maxattr : z->f->maxattr;
	uint16_t type;

	if (chance(z, 20)) {
		type = 0;
	} else if (chance(z, 50)) {
		type = maxattr + 1 + below(z, 16);
	} else {
		/* a hole in the policy, if it has one */
		type = 1 + below(z, maxattr + 1);
		if (p && type <= p->maxattr &&
		    p->attr[type].type != NL_ATTR_TYPE_INVALID)
			type = maxattr + 1;
	}
	put_binary(z, type, below(z, 9));
}

/* Overwrite the length field of a random attribute of the message */
static void corrupt_length(struct fuzz_ctx *z)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)z->m.buf;
	struct nlattr *attr, *pick = NULL;
	unsigned int n = 0, room;

	mnl_attr_for_each(attr, nlh, GENL_HDRLEN)
		if (!below(z, ++n))
			pick = attr;
	if (!pick) {
		put_unknown(z, NULL);
		return;
	}
	room = z->m.len - ((unsigned char *)pick - z->m.buf);
	switch (below(z, 3)) {
	case 0:
		pick->nla_len = below(z, NLA_HDRLEN);
		break;
	case 1:
		pick->nla_len = room + 1 + below(z, 64);
		break;
	default:
		pick->nla_len = fuzz_rand(z);
	}
}

/* A valid message but for one attribute of the wrong length */
static void mutate_length(struct fuzz_ctx *z, int pol, bool minimal)
{
	const struct genl_pol *p = policy_at(z, pol);
	unsigned int type = pick_attr(z, p, any_attr);

	put_policy(z, pol, 0, minimal, type ?: -1);
	if (type)
		put_wrong_length(z, type, &p->attr[type]);
	else
		put_unknown(z, p);
}

static void mutate_attrs(struct fuzz_ctx *z, enum fuzz_kind kind, int pol,
			 bool minimal)
{
	const struct genl_pol *p = policy_at(z, pol);
	unsigned int type;

	switch (kind) {
	case FUZZ_RANGE:
		type = pick_attr(z, p, is_bounded);
		if (!type || chance(z, 25))
			type = pick_attr(z, p, is_int);
		if (!type) {
			mutate_length(z, pol, minimal);
			return;
		}
		put_policy(z, pol, 0, minimal, type);
		put_out_of_range(z, type, &p->attr[type]);
		return;
	case FUZZ_LENGTH:
		mutate_length(z, pol, minimal);
		return;
	case FUZZ_MISSING:
		put_policy(z, pol, 0, minimal, pick_attr(z, p, any_attr) ?: -1);
		return;
	case FUZZ_NEST:
		put_policy(z, pol, 0, minimal, -1);
		put_nest_error(z, p);
		return;
	default:
		put_policy(z, pol, 0, minimal, -1);
		put_unknown(z, p);
	}
}

/*
 * A random op.  A slow one (fuzz_note_time()) keeps a hundredth of its
 * share: one of its requests costs the time of a thousand of a fast op's
 * (slabcache's MM_BUDDY, which takes no values to lower, 2 s under a
 * loaded TCG host: with a tenth, 1,258 s of a 100,000-message run).
 */
static const struct genl_op_desc *pick_op(struct fuzz_ctx *z)
{
	const struct genl_op_desc *op;
	unsigned int tries = 8;	/* a family of slow ops only still gets some */

	if (!z->f->n_ops)
		return NULL;
	do
		op = &z->f->ops[below(z, z->f->n_ops)];
	while (fuzz_op_is_slow(z, op->cmd) && !chance(z, 1) && --tries);
	return op;
}

/* Build a message of a random op; the kind decides what is wrong with it */
void fuzz_build(struct fuzz_ctx *z, struct fuzz_msg *fm)
{
	const struct genl_op_desc *op = pick_op(z);
	struct nlmsghdr *nlh = (struct nlmsghdr *)z->m.buf;
	struct genlmsghdr *g = (struct genlmsghdr *)(nlh + 1);
	bool dump = op && (op->flags & GENL_CMD_CAP_DUMP) &&
		    (!(op->flags & GENL_CMD_CAP_DO) || chance(z, 50));
	int pol = op ? (dump ? op->dump_pol : op->do_pol) : -1;

	fm->kind = below(z, 10) < 3 ? FUZZ_VALID : 1 + below(z, FUZZ_KINDS - 1);
	if (!op)
		fm->kind = FUZZ_CMD;
	switch (fm->kind) {
	case FUZZ_VALID:
		fuzz_build_valid(z, op, dump, fm);
		return;
	case FUZZ_CMD:
		start(z, fm, NULL, fuzz_rand(z), chance(z, 20));
		fm->op = genl_test_op(z->f, fm->cmd);
		mutate_attrs(z, 1 + below(z, FUZZ_NEST), -1, false);
		return;
	case FUZZ_DUMP:
		start(z, fm, op, op->cmd, true);
		mutate_attrs(z, 1 + below(z, FUZZ_NEST), op->dump_pol,
			     fuzz_op_is_slow(z, op->cmd));
		return;
	case FUZZ_CUT:
		fuzz_build_valid(z, op, dump, fm);
		fm->kind = FUZZ_CUT;
		/* at least a netlink header, or no answer would come */
		z->m.len = NLMSG_HDRLEN + below(z, z->m.len - NLMSG_HDRLEN);
		return;
	case FUZZ_CORRUPT:
		fuzz_build_valid(z, op, dump, fm);
		fm->kind = FUZZ_CORRUPT;
		corrupt_length(z);
		return;
	case FUZZ_FLAGS:
		fuzz_build_valid(z, op, dump, fm);
		fm->kind = FUZZ_FLAGS;
		/* NLM_F_ACK always: without it a success has no answer */
		nlh->nlmsg_flags = (uint16_t)fuzz_rand(z) | NLM_F_ACK;
		g->version = fuzz_rand(z);
		g->reserved = fuzz_rand(z);
		return;
	default:
		start(z, fm, op, op->cmd, dump);
		mutate_attrs(z, fm->kind, pol, fuzz_op_is_slow(z, op->cmd));
	}
}
