#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The framework's rt class on one CPU: FIFO order and preemption by a
# higher priority.  RR rotation and RT throttling are in timing.sh.
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

ktap_plan 1
ktap_run "rt: FIFO order and preemption by a higher priority" test_fifo
ktap_finish
