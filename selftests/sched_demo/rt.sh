#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The framework's rt class on one CPU: FIFO order and preemption by a
# higher priority, RR rotation and RT throttling, in the kernel and in
# the simulator.  RR slices and rt periods are measured in the CPU time
# the threads had (the run queue's clock_task), not in wall-clock time:
# the host taking the vCPU away (TCG beside other VMs) stretches them
# but does not change their outcome, so these hold under load.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/sched_lib.sh"

test_fifo() {
	local file=$tmp/fifo.json run

	# 430 ms of CPU in a 5 s run: the host load may stretch them over
	# more than 2 s of wall clock under TCG (the end of the run would then
	# preempt second, as in one run at load average 10)
	workload "$file" "{\"duration_ms\": 5000, \"cpus\": [$last_cpu], \"entities\": [
		{\"name\": \"first\", \"policy\": \"fifo\", \"priority\": 10,
		 \"workload\": {\"type\": \"cpu\", \"total_ms\": 200}},
		{\"name\": \"second\", \"policy\": \"fifo\", \"priority\": 10,
		 \"workload\": {\"type\": \"cpu\", \"total_ms\": 200}},
		{\"name\": \"high\", \"policy\": \"fifo\", \"priority\": 20, \"start_ms\": 50,
		 \"workload\": {\"type\": \"cpu\", \"total_ms\": 30}},
		{\"name\": \"fair\", \"workload\": {\"type\": \"cpu\"}}]}"
	run=$(run_kernel "$file") || exit
	ents "$run"
	# equal priorities: the second waits until the first is done
	expect_cmp "second starts after first is done" "$(ent "$run" second first_run_ns)" ">=" \
		"$(ent "$run" first done_ns)"
	expect_cmp "second never preempted" "$(ent "$run" second nivcsw)" == 0
	# a higher priority preempts at once: first is preempted exactly once,
	# and second still waits
	expect_cmp "high starts (ms)" "$(($(ent "$run" high first_run_ns) / 1000000))" ">=" 50
	expect_cmp "high starts before first is done" "$(ent "$run" high first_run_ns)" "<" \
		"$(ent "$run" first done_ns)"
	expect_cmp "first preempted once" "$(ent "$run" first nivcsw)" == 1
	# the fair hog only runs after both
	expect_cmp "fair starts after second is done" "$(ent "$run" fair first_run_ns)" ">=" \
		"$(ent "$run" second done_ns)"
}

# RR peers alternate every 100 ms; a FIFO hog leaves fair 5% a period
test_rr_throttling_simulated() {
	local file=$tmp/rrt.json sim e rt

	workload "$file" "{\"duration_ms\": 2000, \"cpus\": [$last_cpu], \"entities\": [
		{\"name\": \"a\", \"policy\": \"rr\", \"priority\": 10, \"workload\": {\"type\": \"cpu\", \"total_ms\": 400}},
		{\"name\": \"b\", \"policy\": \"rr\", \"priority\": 10, \"workload\": {\"type\": \"cpu\", \"total_ms\": 400}},
		{\"name\": \"fifo\", \"policy\": \"fifo\", \"priority\": 5, \"start_ms\": 800, \"workload\": {\"type\": \"cpu\"}},
		{\"name\": \"other\", \"workload\": {\"type\": \"cpu\"}}]}"
	sim=$(run_sim "$file") || exit
	ents "$sim"
	for e in a b; do
		rt=$(($(ent "$sim" $e runtime_ns) / 1000000))
		expect_cmp "simulated: $e ran (ms)" "$rt" == 400
		# slices of 100 ms: preempted after each but its last
		expect_cmp "simulated: $e slices ended" "$(ent "$sim" $e nivcsw)" == 3
	done
	# RR then FIFO use 950 ms of each 1 s rt period, throttled at that
	# point in both: fair gets the last 50 ms of each, 5%
	expect_cmp "simulated: throttled" "$(ent "$sim" fifo throttled)" == 2
	expect_near "simulated: fair under rt hogs, 2 periods (ms)" \
		"$(($(ent "$sim" other runtime_ns) / 1000000))" 100 2
}

# RR peers of 150 ms each: a 100 ms slice each, preempted at its end,
# then the rest, in turns a, b, a, b.  300 ms of CPU time in a 2.5 s run:
# enough while the host leaves the vCPU 12% of the wall clock (it took
# 82% of it in one run at load 12)
test_rr_kernel() {
	local file=$tmp/rr.json run e order

	workload "$file" "{\"duration_ms\": 2500, \"cpus\": [$last_cpu], \"entities\": [
		{\"name\": \"a\", \"policy\": \"rr\", \"priority\": 10, \"workload\": {\"type\": \"cpu\", \"total_ms\": 150}},
		{\"name\": \"b\", \"policy\": \"rr\", \"priority\": 10, \"workload\": {\"type\": \"cpu\", \"total_ms\": 150}}]}"
	run=$(run_kernel "$file") || exit
	ents "$run"
	# exactly: a RUN step is charged its length, no more (as in the
	# simulator; a deadline job overrunning its budget by the spin's last
	# turn would be late in every later period)
	for e in a b; do
		expect_cmp "$e ran (ns)" "$(ent "$run" $e runtime_ns)" == 150000000
		expect_cmp "$e slices ended" "$(ent "$run" $e nivcsw)" == 1
	done
	order=$(klabctl -j sched trace "$(jq .run <<<"$run")" |
		jq -sr 'sort_by(.start_ns) | map(.name) | join("")')
	[ "$order" = abab ] || fail "turns: $order, want abab"
	echo "turns: $order"
}

# 95 ms of rt per 100 ms of CPU time (the default's ratio): a FIFO hog
# leaves the fair hog the last 5 ms of each period.  The run lasts 2 s of
# wall clock, which gave 3 to 19 periods of CPU time at host load 10-12,
# so the expectation is per period, the last one partial: 5 ms of each
# whole period and what the last one had beyond 95 ms, within 1 ms per
# period (throttling and the period's end are noticed at the 1 ms tick)
test_throttling_kernel() {
	local file=$tmp/throttle.json run fifo other cpu periods want

	workload "$file" "{\"duration_ms\": 2000, \"cpus\": [$last_cpu],
		\"rt_runtime_ms\": 95, \"rt_period_ms\": 100, \"entities\": [
		{\"name\": \"fifo\", \"policy\": \"fifo\", \"priority\": 50, \"workload\": {\"type\": \"cpu\"}},
		{\"name\": \"other\", \"workload\": {\"type\": \"cpu\"}}]}"
	run=$(run_kernel "$file") || exit
	ents "$run"
	fifo=$(($(ent "$run" fifo runtime_ns) / 1000000))
	other=$(($(ent "$run" other runtime_ns) / 1000000))
	cpu=$((fifo + other))
	periods=$((cpu / 100))
	want=$((5 * periods + (cpu % 100 > 95 ? cpu % 100 - 95 : 0)))
	echo "CPU time $cpu ms: $periods whole periods; fair share $(ent "$run" other share)%"
	expect_cmp "whole rt periods" "$periods" ">=" 2
	expect_near "fair under a FIFO hog (ms)" "$other" "$want" "$((periods + 2))"
	expect_cmp "throttled" "$(ent "$run" fifo throttled)" ">=" "$periods"
}

ktap_plan 4
ktap_run "rt: FIFO order and preemption by a higher priority" test_fifo
ktap_run "rt: RR rotates every 100 ms of CPU time (kernel)" test_rr_kernel
ktap_run "rt: throttling leaves 5% to fair (kernel)" test_throttling_kernel
ktap_run "rt: RR rotation and RT throttling (simulator)" test_rr_throttling_simulated
ktap_finish
