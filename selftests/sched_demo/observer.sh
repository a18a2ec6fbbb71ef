#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The observer of the kernel's own scheduler: klabctl sched experiment
# reproduces the notes' facts with threads the module starts under real
# policies, measured through the sched_switch/sched_wakeup tracepoints
# and the CPU time the kernel charged them.
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

# Two hogs at nice 0 and 5 on one CPU: the CPU time CFS charged them
# between the two switches where their vruntimes were closest (the
# observer's even points) divides as the weights 1024/335 (the issue's
# +-15% under emulation)
test_nice() {
	local r

	r=$(exp nice --nices 0,5 --duration 2000) || exit
	echo "$r"
	expect_near "nice 0/5 CPU ratio" "$(jq .measured_ratio <<<"$r")" 3.06 0.46
}

# A FIFO hog and an OTHER hog on one CPU, measured over whole rt periods
# after a warm-up past the first period timer (the hog's first period is
# not throttled): what the FIFO hog leaves the lower classes, 5% of the
# CPU, nearly all of it to the OTHER hog; nothing when throttling is off
test_rt_throttle() {
	local r on off

	r=$(exp rt-throttle) || exit
	echo "$r"
	on=$(jq -rs '.[] | select(.experiment == "rt-throttle") | "\(.lower_pct) \(.other_pct)"' <<<"$r")
	off=$(jq -rs '.[] | select(.experiment == "rt-throttle-off") | .lower_pct' <<<"$r")
	expect_near "lower classes' share under a FIFO hog (%)" "${on% *}" 5 1.5
	expect_near "OTHER hog's share under a FIFO hog (%)" "${on#* }" 5 1.5
	expect_cmp "lower classes' share without throttling (%)" "$off" "<" 0.5
	expect_cmp "sched_rt_runtime_us restored" "$(cat /proc/sys/kernel/sched_rt_runtime_us)" == 950000
}

test_deadline() {
	local r

	r=$(exp deadline --duration 1500) || exit
	echo "$r"
	expect_near "SCHED_DEADLINE 10/30 share (%)" \
		"$(jq -s '.[] | select(.experiment == "deadline") | .measured_pct' <<<"$r")" 33.33 5
}

# Not yet robust to host load: with the warm-up, 5.06, 3.54, 5.41, 5.14%
# over 3 periods at load 8 and 6.77% over 5 at load 10-11: a vCPU taken
# away by the host during a throttled gap lengthens it on the wall clock,
# and the kernel (no steal accounting in the guest) forgives the rt hog
# the rest.  SCHED_DEADLINE 10/30 neither: 30.03, 28.16 and 23.17% in
# three boots at load 9-11 on 2026-12-06 (cause not analysed).  Both only
# in make stress-sched (timing.sh sets KLAB_SCHED_STRESS)
stress=${KLAB_SCHED_STRESS:-0}
if [ "$stress" != 0 ]; then ktap_plan 5; else ktap_plan 3; fi
ktap_run "observer: nice 16 is static_prio 136, FIFO 11 / RR 31 are -12 / -32" test_priorities
ktap_run "observer: SCHED_DEADLINE admission says EBUSY above 0.95 x CPUs" test_admission
ktap_run "observer: nice 0 vs 5 gets 1024/335 = 3.06" test_nice
if [ "$stress" != 0 ]; then
	ktap_run "observer: RT throttling leaves the lower classes 5%, none when off" test_rt_throttle
	ktap_run "observer: SCHED_DEADLINE 10/30 gets a third" test_deadline
fi
ktap_finish
