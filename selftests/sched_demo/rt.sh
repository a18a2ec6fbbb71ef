#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The framework's rt class on one CPU: FIFO order and preemption by a
# higher priority, RR rotation every 100 ms, and RT throttling leaving 5%
# to the fair class.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/sched_lib.sh"

test_fifo() {
	local file=$tmp/fifo.json run

	workload "$file" "{\"duration_ms\": 2000, \"cpus\": [$last_cpu], \"entities\": [
		{\"name\": \"first\", \"policy\": \"fifo\", \"priority\": 10,
		 \"workload\": {\"type\": \"cpu\", \"total_ms\": 200}},
		{\"name\": \"second\", \"policy\": \"fifo\", \"priority\": 10,
		 \"workload\": {\"type\": \"cpu\", \"total_ms\": 200}},
		{\"name\": \"high\", \"policy\": \"fifo\", \"priority\": 20, \"start_ms\": 50,
		 \"workload\": {\"type\": \"cpu\", \"total_ms\": 30}},
		{\"name\": \"fair\", \"workload\": {\"type\": \"cpu\"}}]}"
	run=$(run_kernel "$file") || exit
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

test_rr() {
	local file=$tmp/rr.json run e rt n

	workload "$file" "{\"duration_ms\": 800, \"cpus\": [$last_cpu], \"entities\": [
		{\"name\": \"a\", \"policy\": \"rr\", \"priority\": 10, \"workload\": {\"type\": \"cpu\"}},
		{\"name\": \"b\", \"policy\": \"rr\", \"priority\": 10, \"workload\": {\"type\": \"cpu\"}}]}"
	run=$(run_kernel "$file") || exit
	expect_near "a's share" "$(ent "$run" a share)" 50 10
	# each gives the CPU up at the end of every 100 ms slice of CPU it had
	for e in a b; do
		rt=$(($(ent "$run" $e runtime_ns) / 1000000))
		n=$(ent "$run" $e nivcsw)
		echo "$e: ran $rt ms, preempted $n times"
		expect_near "$e slices ended" "$n" "$((rt / 100))" 1
	done
	klabctl -j sched trace "$(jq .run <<<"$run")" | jq -c '{name, cpu, length_ns}'
}

test_throttling() {
	local file=$tmp/throttle.json run

	# The rt periods run on the CPU time the threads had (clock_task):
	# under TCG beside other VMs that is a half to two thirds of the wall
	# clock, so 3 s give at least one whole period and most of a second
	workload "$file" "{\"duration_ms\": 3000, \"cpus\": [$last_cpu], \"entities\": [
		{\"name\": \"fifo\", \"policy\": \"fifo\", \"priority\": 50, \"workload\": {\"type\": \"cpu\"}},
		{\"name\": \"other\", \"workload\": {\"type\": \"cpu\"}}]}"
	run=$(run_kernel "$file") || exit
	expect_near "fair share under a FIFO hog (%)" "$(ent "$run" other share)" 5 1.5
	expect_near "FIFO share (%)" "$(ent "$run" fifo share)" 95 1.5
	expect_cmp "throttled" "$(ent "$run" fifo throttled)" ">=" 1
}

ktap_plan 3
ktap_run "rt: FIFO order and preemption by a higher priority" test_fifo
ktap_run "rt: RR rotates every 100 ms" test_rr
ktap_run "rt: throttling leaves 5% to fair" test_throttling
ktap_finish
