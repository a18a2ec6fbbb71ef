/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generic netlink requests built from a family's policies (genl_policy.h):
 * valid ones, with values drawn inside each attribute's bounds, and ones
 * with one mutation each.
 */
#ifndef _KLAB_GENL_MUTATE_H
#define _KLAB_GENL_MUTATE_H

#include <stdbool.h>
#include <stdint.h>

#include "genl_policy.h"

enum fuzz_kind {
	FUZZ_VALID,	/* every value in bounds */
	FUZZ_RANGE,	/* an integer past its bound, huge or negative */
	FUZZ_LENGTH,	/* an attribute of the wrong length */
	FUZZ_MISSING,	/* a valid message less one attribute */
	FUZZ_UNKNOWN,	/* an attribute type the policy has not */
	FUZZ_NEST,	/* a nest that is not one, or the reverse */
	FUZZ_CUT,	/* the message cut short, headers included */
	FUZZ_CORRUPT,	/* one attribute's length field overwritten */
	FUZZ_FLAGS,	/* random netlink flags and genl version */
	FUZZ_CMD,	/* a random command */
	FUZZ_DUMP,	/* a dump request with mutated filter attributes */
	FUZZ_KINDS,
};

#define FUZZ_STRINGS	64
#define FUZZ_STRLEN	64
/* integers of attributes without a bound stay below this in valid messages */
#define FUZZ_UNBOUNDED_CAP 4096

/* What was sent */
struct fuzz_msg {
	enum fuzz_kind kind;
	uint8_t cmd;
	const struct genl_op_desc *op;	/* NULL: no op of the family */
};

struct fuzz_ctx {
	struct genl_test_sock *s;
	struct genl_family_desc *f;
	struct genl_test_msg m;
	struct genl_test_reply r;
	uint64_t rng;
	uint8_t slow[256 / 8];		/* commands that got minimal values */
	/* strings the family's replies carry (names), for valid requests */
	char strings[FUZZ_STRINGS][FUZZ_STRLEN];
	unsigned int n_strings;
};

void fuzz_init(struct fuzz_ctx *z, struct genl_test_sock *s,
	       struct genl_family_desc *f, uint64_t seed);
uint64_t fuzz_rand(struct fuzz_ctx *z);
/* Remember @str as a value for string attributes */
void fuzz_add_string(struct fuzz_ctx *z, const char *str);
/* The same as a genl_snap_strings() callback, @z a struct fuzz_ctx */
void fuzz_string_cb(const char *str, void *z);

/* Build a random request into z->m */
void fuzz_build(struct fuzz_ctx *z, struct fuzz_msg *fm);
/* Build a valid request of @op (a dump request if @dump) into z->m */
void fuzz_build_valid(struct fuzz_ctx *z, const struct genl_op_desc *op,
		      bool dump, struct fuzz_msg *fm);
/* Append integer attribute @type of policy type @nltype holding @v */
void fuzz_put_int(struct genl_test_msg *m, uint16_t type, uint32_t nltype,
		  uint64_t v);
const char *fuzz_kind_name(enum fuzz_kind kind);

bool fuzz_op_is_slow(const struct fuzz_ctx *z, uint8_t cmd);
void fuzz_op_set_slow(struct fuzz_ctx *z, uint8_t cmd);

/* Whether a policy type is an integer, and its width in bytes */
unsigned int fuzz_int_size(uint32_t nltype);

#endif /* _KLAB_GENL_MUTATE_H */
