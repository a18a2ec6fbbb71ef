/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Generic netlink conventions shared by every klab family.
 *
 * Each module registers its own family (see the per-module headers beside
 * this one).  Commands and attributes below KLAB_CMD_MODULE_FIRST and
 * KLAB_A_MODULE_FIRST mean the same thing in every family, so one
 * implementation in the kernel and one in klabctl serve all six modules.
 * Module-specific commands and attributes are numbered from those bases.
 */
#ifndef _UAPI_KLAB_KLAB_H
#define _UAPI_KLAB_KLAB_H

/* Version of the klab modules and tools built from this tree */
#define KLAB_VERSION		"0.1.0"

/* Name of the multicast group on which state changes are announced */
#define KLAB_MCGRP_EVENTS	"events"

/* Highest value accepted for KLAB_A_DEBUG_LEVEL */
#define KLAB_DEBUG_MAX		7

enum klab_cmd {
	KLAB_CMD_UNSPEC,
	/*
	 * Get the module's version and state.  The reply carries the
	 * common attributes and any module-specific state.
	 */
	KLAB_CMD_INFO,
	/*
	 * Change common state (needs CAP_NET_ADMIN).  Accepts
	 * KLAB_A_DEBUG_LEVEL.  On success the new state is multicast
	 * to KLAB_MCGRP_EVENTS as a KLAB_CMD_SET message carrying the same
	 * attributes as an INFO reply.
	 */
	KLAB_CMD_SET,

	KLAB_CMD_MODULE_FIRST = 32,
};

enum klab_attr {
	KLAB_A_UNSPEC,
	KLAB_A_PAD,		/* alignment padding for 64-bit attributes */
	KLAB_A_VERSION,		/* string: module version */
	KLAB_A_STATE,		/* string: "ready", or a module-defined state */
	KLAB_A_DEBUG_LEVEL,	/* u32: 0 (quiet) .. KLAB_DEBUG_MAX */
	KLAB_A_UPTIME_NS,	/* u64: nanoseconds since the module loaded */
	KLAB_A_CHANGES,		/* u64: successful KLAB_CMD_SET requests */

	__KLAB_A_COMMON_END,
	KLAB_A_COMMON_MAX = __KLAB_A_COMMON_END - 1,

	KLAB_A_MODULE_FIRST = 32,
};

#endif /* _UAPI_KLAB_KLAB_H */
