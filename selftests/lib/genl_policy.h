/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kernel says about a generic netlink family: its operations with
 * their flags (CTRL_CMD_GETFAMILY) and the policies of their attributes
 * (CTRL_CMD_GETPOLICY).  Tests that cover every family, the ones of
 * modules written later included, read them here instead of hard-coding
 * commands and attributes.
 */
#ifndef _KLAB_SELFTEST_GENL_POLICY_H
#define _KLAB_SELFTEST_GENL_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/genetlink.h>

#include "genl.h"

#define GENL_POL_ATTRS	128	/* attribute types kept per policy */
#define GENL_POL_MAX	32	/* policies kept per family */
#define GENL_OPS_MAX	64	/* operations kept per family */

/* One attribute of a policy, as NL_POLICY_TYPE_ATTR_* describe it */
struct genl_pol_attr {
	uint32_t type;		/* NL_ATTR_TYPE_*; INVALID: not in the policy */
	int64_t min_s, max_s;	/* signed integers */
	uint64_t min_u, max_u;	/* unsigned integers */
	uint64_t mask;		/* valid bits, or 0 for any */
	uint32_t min_len, max_len; /* binary and strings; max 0: any */
	int nested;		/* policy index of a nest, or -1 */
};

struct genl_pol {
	struct genl_pol_attr attr[GENL_POL_ATTRS];
	unsigned int maxattr;	/* the highest type present */
};

struct genl_op_desc {
	uint32_t cmd;
	uint32_t flags;		/* GENL_ADMIN_PERM, GENL_CMD_CAP_DO, ... */
	int do_pol, dump_pol;	/* policy indexes, or -1 for none */
};

struct genl_family_desc {
	char name[GENL_NAMSIZ];
	uint16_t id;
	uint32_t version;
	uint32_t maxattr;
	struct genl_op_desc ops[GENL_OPS_MAX];
	unsigned int n_ops;
	struct genl_pol pols[GENL_POL_MAX];
	unsigned int n_pols;
};

/*
 * Every registered family that @want accepts (by name), with its ops but
 * not yet its policies, in a calloc()ed array of *@n.  Returns 0 or a
 * negative errno.
 */
int genl_test_families(struct genl_test_sock *s,
		       bool (*want)(const char *name),
		       struct genl_family_desc **fams, unsigned int *n);

/* Fill @f's policies and the ops' policy indexes; 0 or a negative errno */
int genl_test_policies(struct genl_test_sock *s, struct genl_family_desc *f);

/* The policy of @op's requests (do, else dump), or NULL if it has none */
const struct genl_pol *genl_test_op_policy(const struct genl_family_desc *f,
					   const struct genl_op_desc *op,
					   bool dump);

/* The op of command @cmd, or NULL */
const struct genl_op_desc *genl_test_op(const struct genl_family_desc *f,
					uint32_t cmd);

/* The width in bytes of an integer policy type (NL_ATTR_TYPE_U8...), or 0 */
unsigned int genl_test_int_size(uint32_t nltype);
/* Append integer attribute @type of policy type @nltype holding @v */
void genl_test_put_int(struct genl_test_msg *m, uint16_t type, uint32_t nltype,
		       uint64_t v);

#endif /* _KLAB_SELFTEST_GENL_POLICY_H */
