#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The framework's rt class on one CPU: FIFO order and preemption by a
# higher priority in the kernel; RR rotation and RT throttling in the
# simulator (their kernel runs, in wall-clock periods, are in timing.sh).
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

ktap_plan 2
ktap_run "rt: FIFO order and preemption by a higher priority" test_fifo
ktap_run "rt: RR rotation and RT throttling (simulator)" test_rr_throttling_simulated
ktap_finish
