// SPDX-License-Identifier: GPL-2.0
/* A generic netlink family's ops and policies, from the kernel: see genl_policy.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netlink.h>

#include "genl_policy.h"

static uint32_t attr_u32(const struct nlattr *a)
{
	return a && !mnl_attr_validate(a, MNL_TYPE_U32) ? mnl_attr_get_u32(a) : 0;
}

static uint64_t attr_u64(const struct nlattr *a)
{
	return a && !mnl_attr_validate(a, MNL_TYPE_U64) ? mnl_attr_get_u64(a) : 0;
}

/* CTRL_ATTR_OPS: one nest per op with its id and flags */
static void parse_ops(struct genl_family_desc *f, const struct nlattr *ops)
{
	const struct nlattr *tb[CTRL_ATTR_OP_MAX + 1];
	const struct nlattr *op;

	mnl_attr_for_each_nested(op, ops) {
		if (f->n_ops == GENL_OPS_MAX ||
		    genl_test_parse_nested(op, tb, CTRL_ATTR_OP_MAX) ||
		    !tb[CTRL_ATTR_OP_ID])
			continue;
		f->ops[f->n_ops].cmd = attr_u32(tb[CTRL_ATTR_OP_ID]);
		f->ops[f->n_ops].flags = attr_u32(tb[CTRL_ATTR_OP_FLAGS]);
		f->ops[f->n_ops].do_pol = -1;
		f->ops[f->n_ops].dump_pol = -1;
		f->n_ops++;
	}
}

struct family_list {
	bool (*want)(const char *name);
	struct genl_family_desc *fams;
	unsigned int n;
};

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct family_list *l = data;
	struct genl_family_desc *f, *more;

	if (genl_test_parse(nlh, tb, CTRL_ATTR_MAX) ||
	    !tb[CTRL_ATTR_FAMILY_NAME] || !tb[CTRL_ATTR_FAMILY_ID] ||
	    !l->want(mnl_attr_get_str(tb[CTRL_ATTR_FAMILY_NAME])))
		return MNL_CB_OK;
	more = realloc(l->fams, (l->n + 1) * sizeof(*more));
	if (!more) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	l->fams = more;
	f = &l->fams[l->n++];
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s",
		 mnl_attr_get_str(tb[CTRL_ATTR_FAMILY_NAME]));
	f->id = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	f->version = attr_u32(tb[CTRL_ATTR_VERSION]);
	f->maxattr = attr_u32(tb[CTRL_ATTR_MAXATTR]);
	if (tb[CTRL_ATTR_OPS])
		parse_ops(f, tb[CTRL_ATTR_OPS]);
	return MNL_CB_OK;
}

int genl_test_families(struct genl_test_sock *s,
		       bool (*want)(const char *name),
		       struct genl_family_desc **fams, unsigned int *n)
{
	static struct genl_test_msg m;
	struct family_list l = { .want = want };
	int err;

	genl_test_msg_init(&m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	err = genl_test_dump(s, &m, family_cb, &l);
	if (err) {
		free(l.fams);
		return err;
	}
	*fams = l.fams;
	*n = l.n;
	return 0;
}

/* One attribute's description: NL_POLICY_TYPE_ATTR_* */
static void parse_pol_attr(struct genl_pol_attr *pa, const struct nlattr *desc)
{
	const struct nlattr *tb[NL_POLICY_TYPE_ATTR_MAX + 1];

	if (genl_test_parse_nested(desc, tb, NL_POLICY_TYPE_ATTR_MAX))
		return;
	pa->type = attr_u32(tb[NL_POLICY_TYPE_ATTR_TYPE]);
	pa->min_s = (int64_t)attr_u64(tb[NL_POLICY_TYPE_ATTR_MIN_VALUE_S]);
	pa->max_s = (int64_t)attr_u64(tb[NL_POLICY_TYPE_ATTR_MAX_VALUE_S]);
	pa->min_u = attr_u64(tb[NL_POLICY_TYPE_ATTR_MIN_VALUE_U]);
	pa->max_u = attr_u64(tb[NL_POLICY_TYPE_ATTR_MAX_VALUE_U]);
	pa->mask = attr_u64(tb[NL_POLICY_TYPE_ATTR_MASK]);
	if (tb[NL_POLICY_TYPE_ATTR_BITFIELD32_MASK])
		pa->mask = attr_u32(tb[NL_POLICY_TYPE_ATTR_BITFIELD32_MASK]);
	pa->min_len = attr_u32(tb[NL_POLICY_TYPE_ATTR_MIN_LENGTH]);
	pa->max_len = attr_u32(tb[NL_POLICY_TYPE_ATTR_MAX_LENGTH]);
	pa->nested = tb[NL_POLICY_TYPE_ATTR_POLICY_IDX] ?
		     (int)attr_u32(tb[NL_POLICY_TYPE_ATTR_POLICY_IDX]) : -1;
}

/* CTRL_ATTR_POLICY: { policy index { attribute type { description } } } */
static void parse_policy(struct genl_family_desc *f, const struct nlattr *nest)
{
	const struct nlattr *pol, *attr;
	struct genl_pol *p;
	unsigned int idx, type;

	mnl_attr_for_each_nested(pol, nest) {
		idx = mnl_attr_get_type(pol);
		if (idx >= GENL_POL_MAX)
			continue;
		p = &f->pols[idx];
		if (idx >= f->n_pols)
			f->n_pols = idx + 1;
		mnl_attr_for_each_nested(attr, pol) {
			type = mnl_attr_get_type(attr);
			if (type >= GENL_POL_ATTRS)
				continue;
			parse_pol_attr(&p->attr[type], attr);
			if (type > p->maxattr)
				p->maxattr = type;
		}
	}
}

/* CTRL_ATTR_OP_POLICY: { cmd { CTRL_ATTR_POLICY_DO, _DUMP } } */
static void parse_op_policy(struct genl_family_desc *f,
			    const struct nlattr *nest)
{
	const struct nlattr *tb[CTRL_ATTR_POLICY_DUMP_MAX + 1];
	struct genl_op_desc *op;
	const struct nlattr *o;

	mnl_attr_for_each_nested(o, nest) {
		op = (struct genl_op_desc *)genl_test_op(f, mnl_attr_get_type(o));
		if (!op || genl_test_parse_nested(o, tb, CTRL_ATTR_POLICY_DUMP_MAX))
			continue;
		if (tb[CTRL_ATTR_POLICY_DO])
			op->do_pol = attr_u32(tb[CTRL_ATTR_POLICY_DO]);
		if (tb[CTRL_ATTR_POLICY_DUMP])
			op->dump_pol = attr_u32(tb[CTRL_ATTR_POLICY_DUMP]);
	}
}

static int policy_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct genl_family_desc *f = data;

	if (genl_test_parse(nlh, tb, CTRL_ATTR_MAX))
		return MNL_CB_OK;
	if (tb[CTRL_ATTR_POLICY])
		parse_policy(f, tb[CTRL_ATTR_POLICY]);
	if (tb[CTRL_ATTR_OP_POLICY])
		parse_op_policy(f, tb[CTRL_ATTR_OP_POLICY]);
	return MNL_CB_OK;
}

int genl_test_policies(struct genl_test_sock *s, struct genl_family_desc *f)
{
	static struct genl_test_msg m;
	unsigned int i;
	int err;

	genl_test_msg_init(&m, GENL_ID_CTRL, CTRL_CMD_GETPOLICY, 1);
	genl_test_put(&m, CTRL_ATTR_FAMILY_ID, &f->id, sizeof(f->id));
	err = genl_test_dump(s, &m, policy_cb, f);
	if (err == -ENODATA)	/* no op of the family has a policy */
		return 0;
	if (err)
		return err;
	/* a nest naming a policy that was not dumped is nobody's */
	for (i = 0; i < f->n_ops; i++) {
		if (f->ops[i].do_pol >= (int)f->n_pols)
			f->ops[i].do_pol = -1;
		if (f->ops[i].dump_pol >= (int)f->n_pols)
			f->ops[i].dump_pol = -1;
	}
	return 0;
}

const struct genl_pol *genl_test_op_policy(const struct genl_family_desc *f,
					   const struct genl_op_desc *op,
					   bool dump)
{
	int idx = dump ? op->dump_pol : op->do_pol;

	return idx < 0 ? NULL : &f->pols[idx];
}

const struct genl_op_desc *genl_test_op(const struct genl_family_desc *f,
					uint32_t cmd)
{
	unsigned int i;

	for (i = 0; i < f->n_ops; i++)
		if (f->ops[i].cmd == cmd)
			return &f->ops[i];
	return NULL;
}

unsigned int genl_test_int_size(uint32_t nltype)
{
	switch (nltype) {
	case NL_ATTR_TYPE_U8:
	case NL_ATTR_TYPE_S8:
		return 1;
	case NL_ATTR_TYPE_U16:
	case NL_ATTR_TYPE_S16:
		return 2;
	case NL_ATTR_TYPE_U32:
	case NL_ATTR_TYPE_S32:
		return 4;
	case NL_ATTR_TYPE_U64:
	case NL_ATTR_TYPE_S64:
		return 8;
	}
	return 0;
}

void genl_test_put_int(struct genl_test_msg *m, uint16_t type, uint32_t nltype,
		  uint64_t v)
{
	unsigned int size = genl_test_int_size(nltype);
	uint8_t u8 = v;
	uint16_t u16 = v;
	uint32_t u32 = v;

	switch (size) {
	case 1:
		genl_test_put(m, type, &u8, 1);
		break;
	case 2:
		genl_test_put(m, type, &u16, 2);
		break;
	case 4:
		genl_test_put(m, type, &u32, 4);
		break;
	default:
		genl_test_put(m, type, &v, 8);
	}
}
