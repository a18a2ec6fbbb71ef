/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The discrete-event simulator of the scheduler core: the environment of
 * ksched.h in virtual time, for klabctl sched simulate and the host tests.
 *
 * Every CPU ticks at the run's tick period from the start; timers fire
 * exactly when due; an entity's RUN step ends exactly when it has had its
 * CPU time; switches cost nothing.  Events at the same time are handled
 * in the order they were queued, so a description always gives the same
 * result.
 */
#ifndef _KSCHED_SIM_H
#define _KSCHED_SIM_H

#include "ksched.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Virtual time of the start of a simulated run (not 0: 0 means "never") */
#define KSCHED_SIM_EPOCH	KSCHED_NSEC_PER_SEC

/*
 * Events handled at one instant before the simulator gives up: entities
 * that wake each other without running any CPU would never let time pass.
 */
#define KSCHED_SIM_MAX_EVENTS_AT_ONCE	1000000

/**
 * ksched_simulate - run @spec to its end in virtual time
 * @spec: the description
 * @runp: the finished run, for its statistics; free with ksched_run_destroy()
 * @err: why @spec was refused
 *
 * Return: 0, the error of ksched_spec_check(), or -ENOMEM.
 */
int ksched_simulate(const struct ksched_run_spec *spec, struct ksched_run **runp,
		    struct ksched_spec_error *err);

#ifdef __cplusplus
}
#endif

#endif /* _KSCHED_SIM_H */
