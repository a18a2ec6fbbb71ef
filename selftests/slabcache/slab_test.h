/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers of slabcache's C selftests */
#ifndef _SLAB_TEST_H
#define _SLAB_TEST_H

#include <stdio.h>
#include <stdlib.h>

#include <klab/slab.h>

#include "genl.h"

/* Run "$KLAB_ROOT/PROG ARGS" through the shell; its exit status */
static inline int slab_run(const char *prog, const char *args)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "%s/%s %s", getenv("KLAB_ROOT") ?: ".",
		 prog, args);
	return system(cmd);
}

/* Load slabcache unless it is loaded */
static inline int slab_load(void)
{
	return slab_run("scripts/modules", "load slabcache");
}

/* klabctl ARGS, its output thrown away */
static inline int slab_klabctl(const char *args)
{
	char buf[400];

	snprintf(buf, sizeof(buf), "%s >/dev/null", args);
	return slab_run("build/bin/klabctl", buf);
}

/* Load slabcache and open a socket on its family */
static inline int slab_genl_open(struct genl_test_sock *s)
{
	int err;

	if (slab_load())
		return -1;
	err = genl_test_open(s);
	if (err)
		return err;
	err = genl_test_resolve(s, KLAB_SLAB_FAMILY_NAME);
	if (err)
		genl_test_close(s);
	return err;
}

#endif /* _SLAB_TEST_H */
