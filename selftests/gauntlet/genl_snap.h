/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A family's state as its read requests show it, to tell whether a
 * request changed it.  The reads are discovered, not listed: the ops that
 * need no privilege and accept an empty request, and the dump ops (reads
 * by the genl convention) with an empty request or, when the kernel wants
 * a filter, one small integer attribute (nf_hipac's address family).
 *
 * Values that change by themselves (uptimes, counters) are masked: each
 * baseline is read twice, and what differs between the two is left out
 * of the comparison.  A view that changes with the system's activity
 * (klab_slab's free pages per zone) is left out as a whole: the first
 * baseline is read again after a few rounds of noise (a process forks,
 * touches 4 MiB and exits).  A difference found later is read again
 * after a pause: if the state still moves by itself (a run going
 * on) the comparison is inconclusive (GENL_SNAP_MOVING), not a failure.
 */
#ifndef _KLAB_GENL_SNAP_H
#define _KLAB_GENL_SNAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "genl_policy.h"

#define GENL_SNAP_VIEWS	16

struct genl_snap_buf {
	unsigned char *p;
	size_t len, cap;
};

/* One read request and its answers, [u32 length][genl payload] each */
struct genl_snap_view {
	uint8_t cmd;
	bool dump;
	uint16_t attr;		/* 0, or the one attribute the request has */
	uint32_t nltype;
	uint64_t value;
	struct genl_snap_buf base, cur, again;
	unsigned char *mask;	/* per byte of base: 1 = not compared */
	size_t mask_cap;
	bool moving;		/* its length changed by itself: skipped */
	bool noisy;		/* it changes with the system's work: skipped */
	unsigned char *noise;	/* the mask after calibration: kept */
	size_t noise_len;
};

struct genl_snap {
	const struct genl_family_desc *f;
	struct genl_snap_view v[GENL_SNAP_VIEWS];
	unsigned int n;
	int diff_view;		/* what genl_snap_check() found different */
	size_t diff_off;
};

enum genl_snap_result {
	GENL_SNAP_SAME,
	GENL_SNAP_CHANGED,
	GENL_SNAP_MOVING,
};

/* Discover @f's reads and take the baseline; 0 or a negative errno */
int genl_snap_init(struct genl_test_sock *s, const struct genl_family_desc *f,
		   struct genl_snap *snap);
/* A new baseline; 0 or a negative errno */
int genl_snap_take(struct genl_test_sock *s, struct genl_snap *snap);
/* Compare the state with the baseline: enum genl_snap_result, or -errno */
int genl_snap_check(struct genl_test_sock *s, struct genl_snap *snap);
void genl_snap_describe(const struct genl_snap *snap);
void genl_snap_print_diff(const struct genl_snap *snap);
void genl_snap_free(struct genl_snap *snap);
/* Whether command @cmd is one of the reads */
bool genl_snap_reads(const struct genl_snap *snap, uint8_t cmd);
/* Call @fn for every string attribute of the baseline */
void genl_snap_strings(const struct genl_snap *snap,
		       void (*fn)(const char *str, void *data), void *data);

#endif /* _KLAB_GENL_SNAP_H */
