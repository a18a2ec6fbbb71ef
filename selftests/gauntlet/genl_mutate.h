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
#include "genl_snap.h"

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
#define FUZZ_LEARNED	16
#define FUZZ_STRLEN	64
/*
 * Integers of valid messages range up to the maximum their policy
 * declares: that value the family promises to take.  Where the policy
 * declares none (a bound of the type's own, as a u32 with only a minimum)
 * they stay within this of the minimum: the type's maximum can mean work
 * without end (klab_slab's RUN of 2^32 ms); huge values there are the
 * mutations' part.
 */
#define FUZZ_VALUE_CAP	256

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
	/* integers the kernel took as a dump filter, by attribute type */
	struct {
		uint16_t type;
		uint64_t value;
	} learned[FUZZ_LEARNED];
	unsigned int n_learned;
	/* time spent on each command's messages */
	double busy_ms[256];
};

void fuzz_init(struct fuzz_ctx *z, struct genl_test_sock *s,
	       struct genl_family_desc *f, uint64_t seed);
uint64_t fuzz_rand(struct fuzz_ctx *z);
/* Remember @str as a value for string attributes */
void fuzz_add_string(struct fuzz_ctx *z, const char *str);
/* Strings and dump filters of @snap become values of valid requests */
void fuzz_learn(struct fuzz_ctx *z, const struct genl_snap *snap);

/* Build a random request into z->m */
void fuzz_build(struct fuzz_ctx *z, struct fuzz_msg *fm);
/* Build a valid request of @op (a dump request if @dump) into z->m */
void fuzz_build_valid(struct fuzz_ctx *z, const struct genl_op_desc *op,
		      bool dump, struct fuzz_msg *fm);
const char *fuzz_kind_name(enum fuzz_kind kind);

bool fuzz_op_is_slow(const struct fuzz_ctx *z, uint8_t cmd);
void fuzz_op_set_slow(struct fuzz_ctx *z, uint8_t cmd);

#endif /* _KLAB_GENL_MUTATE_H */
