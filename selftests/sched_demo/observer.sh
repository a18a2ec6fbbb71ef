#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The observer of the kernel's own scheduler: klabctl sched experiment
# reproduces the notes' facts with threads the module starts under real
# policies, measured through the sched_switch/sched_wakeup tracepoints.
# The shares (nice, RT throttling, SCHED_DEADLINE) are in timing.sh.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/sched_lib.sh"

test_priorities() {
	local r

	r=$(exp set-user-nice; exp rt-prio) || exit
	echo "$r"
	jq -se 'map(select(.experiment == "set-user-nice" and .set_user_nice == 16))[0] |
		.static_prio == 136 and .stat_priority == 36 and .stat_nice == 16' <<<"$r" >/dev/null ||
		fail "set_user_nice(16)"
	jq -se 'map(select(.experiment == "rt-prio") | .stat_priority) == [-12, -32]' \
		<<<"$r" >/dev/null || fail "FIFO 11 / RR 31 stat priorities"
	jq -se 'map(select(.experiment == "prio-range") | [.min, .max]) == [[0, 0], [1, 99], [1, 99]]' \
		<<<"$r" >/dev/null || fail "priority ranges"
}

test_admission() {
	local r

	r=$(exp deadline-admission) || exit
	echo "$r"
	jq -se '.[] | select(.experiment == "deadline-admission") |
		.refused_with == "EBUSY" and .accepted == .expected_accepted' <<<"$r" >/dev/null ||
		fail "admission"
}

ktap_plan 2
ktap_run "observer: nice 16 is static_prio 136, FIFO 11 / RR 31 are -12 / -32" test_priorities
ktap_run "observer: SCHED_DEADLINE admission says EBUSY above 0.95 x CPUs" test_admission
ktap_finish
