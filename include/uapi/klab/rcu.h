/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * rcu_demo: RCU and seqlock reimplementations with torture and scale
 * harnesses (generic netlink family klab_rcu).
 *
 * One run at a time: KLAB_RCU_CMD_START starts a harness in the kernel
 * and returns at once; KLAB_RCU_CMD_STATUS reports its progress and,
 * once it has finished, its results; KLAB_RCU_CMD_STOP ends it early.
 * Results are groups of named counters and named series of numbers, so
 * that every harness reports through the same few attributes.
 */
#ifndef _UAPI_KLAB_RCU_H
#define _UAPI_KLAB_RCU_H

#include <klab/klab.h>

#define KLAB_RCU_FAMILY_NAME	"klab_rcu"
#define KLAB_RCU_FAMILY_VERSION	1

/* The harnesses, values of KLAB_RCU_A_HARNESS */
enum klab_rcu_harness {
	KLAB_RCU_HARNESS_TORTURE,	/* rcutorture-style, RCU types */
	KLAB_RCU_HARNESS_SEQLOCK,	/* torn-read torture, seqlock types */
	KLAB_RCU_HARNESS_SCALE,		/* refscale-style read-side cost */
	KLAB_RCU_HARNESS_GP_LATENCY,	/* synchronize latency histograms */
	KLAB_RCU_HARNESS_DEMO,		/* the notes' two readers, one writer */
	KLAB_RCU_HARNESS_GP_CHECK,	/* synchronize and callbacks wait for readers */

	__KLAB_RCU_HARNESS_END,
};

/* Values of KLAB_RCU_A_RUN_STATE */
enum klab_rcu_run_state {
	KLAB_RCU_RUN_IDLE,	/* nothing ran since the module loaded */
	KLAB_RCU_RUN_RUNNING,
	KLAB_RCU_RUN_DONE,	/* finished; the results are those of the last run */
};

/* Module-specific commands, after the common ones of <klab/klab.h> */
enum klab_rcu_cmd {
	/*
	 * The types each harness accepts: KLAB_RCU_A_HARNESS nests, each
	 * with KLAB_RCU_A_HARNESS_ID and one KLAB_RCU_A_TYPE per type.
	 */
	KLAB_RCU_CMD_TYPES = KLAB_CMD_MODULE_FIRST,
	/*
	 * Start a run (needs CAP_NET_ADMIN): KLAB_RCU_A_HARNESS_ID and
	 * KLAB_RCU_A_TYPE, plus optional parameters.  EBUSY while another
	 * run is active.  The reply carries KLAB_RCU_A_RUN_ID.
	 */
	KLAB_RCU_CMD_START,
	/* State of the active or last run and, when done, its results */
	KLAB_RCU_CMD_STATUS,
	/* End the active run early (needs CAP_NET_ADMIN); ENOENT if none */
	KLAB_RCU_CMD_STOP,

	__KLAB_RCU_CMD_END,
};

/* Module-specific attributes, after the common ones of <klab/klab.h> */
enum klab_rcu_attr {
	KLAB_RCU_A_HARNESS_ID = KLAB_A_MODULE_FIRST,	/* u32: klab_rcu_harness */
	KLAB_RCU_A_TYPE,		/* string: type name, e.g. "klab_rcu" */
	/* run parameters: every one is optional, 0 means the default */
	KLAB_RCU_A_READERS,		/* u32: reader threads */
	KLAB_RCU_A_WRITERS,		/* u32: writer threads (torture: fake writers) */
	KLAB_RCU_A_DURATION_S,		/* u32: torture and demo duration */
	KLAB_RCU_A_READER_DELAY_US,	/* u32: extra delay inside read sections */
	KLAB_RCU_A_LOOPS,		/* u32: scale: read sections per run */
	KLAB_RCU_A_NRUNS,		/* u32: scale: timed runs */
	KLAB_RCU_A_SAMPLES,		/* u32: gp-latency: calls per primitive */
	KLAB_RCU_A_STAT_INTERVAL_S,	/* u32: torture: seconds between stats lines */
	/* status */
	KLAB_RCU_A_RUN_ID,		/* u32: increments with every run */
	KLAB_RCU_A_RUN_STATE,		/* u32: klab_rcu_run_state */
	KLAB_RCU_A_ELAPSED_NS,		/* u64 */
	KLAB_RCU_A_EXPECTED_NS,		/* u64: the run's planned length, 0 if unknown */
	KLAB_RCU_A_SUCCESS,		/* u8: the run found no error */
	KLAB_RCU_A_STOPPED,		/* u8: the run was stopped early */
	/* results */
	KLAB_RCU_A_GROUP,		/* nest: NAME, then STATs and SERIES */
	KLAB_RCU_A_NAME,		/* string */
	KLAB_RCU_A_STAT,		/* nest: NAME and VALUE */
	KLAB_RCU_A_SERIES,		/* nest: NAME and VALUEs in order */
	KLAB_RCU_A_VALUE,		/* u64 */
	KLAB_RCU_A_HARNESS,		/* nest: HARNESS_ID and TYPEs (CMD_TYPES) */

	__KLAB_RCU_A_END,
};

#define KLAB_RCU_A_MAX	(__KLAB_RCU_A_END - 1)

/* Parameter limits: KLAB_RCU_CMD_START refuses values above these */
#define KLAB_RCU_READERS_MAX		64
#define KLAB_RCU_WRITERS_MAX		16
#define KLAB_RCU_DURATION_MAX_S		3600
#define KLAB_RCU_READER_DELAY_MAX_US	10000
#define KLAB_RCU_LOOPS_MAX		10000000
#define KLAB_RCU_NRUNS_MAX		30
#define KLAB_RCU_SAMPLES_MAX		100000
#define KLAB_RCU_STAT_INTERVAL_MAX_S	600

#endif /* _UAPI_KLAB_RCU_H */
