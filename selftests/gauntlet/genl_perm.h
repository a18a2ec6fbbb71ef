/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Privileges of a family's ops (genl_fuzz -p).  For every op, valid
 * requests are sent by a process that dropped to uid and gid 65534 with
 * no groups: an op flagged GENL_ADMIN_PERM or GENL_UNS_ADMIN_PERM must
 * answer each with EPERM, and no op may change the family's state (an op
 * without those flags that does is a privilege hole), as genl_snap.h
 * reads it.  Where ops are GENL_UNS_ADMIN_PERM, root of a new user and
 * network namespace must be able to change its own namespace's state,
 * still be refused the GENL_ADMIN_PERM ops, and leave the state of the
 * namespace the test runs in as it was.
 */
#ifndef _KLAB_GENL_PERM_H
#define _KLAB_GENL_PERM_H

#include <stdint.h>

#include "genl_policy.h"

/* Check @f's ops; 0, or -1 after printing what failed */
int perm_family(struct genl_test_sock *s, struct genl_family_desc *f,
		uint64_t seed);

#endif /* _KLAB_GENL_PERM_H */
