#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The checks that need the virtual CPUs to themselves: CPU shares and
# deadlines in wall-clock periods, in the framework and on the kernel's
# own scheduler.  Not in run_tests: under TCG beside five other VMs
# (host load average 17-26 on 2 CPUs) the host takes a vCPU away for
# tens of milliseconds, and in two runs of the same build these gave,
# for example, RR 57/43 then 61/39, an OTHER share under a FIFO hog of
# 3.86% then 3.26%, SCHED_DEADLINE 10/30 34.2% then 25.8%, nice 0/5
# 1.73 (see the README's open items).  Run by hand on a quiet host:
#   scripts/vm-run -- selftests/sched_demo/timing.sh
set -u

. "$(dirname "${BASH_SOURCE[0]}")/sched_lib.sh"

test_rr() {
	local file=$tmp/rr.json run e rt n

	workload "$file" "{\"duration_ms\": 800, \"cpus\": [$last_cpu], \"entities\": [
		{\"name\": \"a\", \"policy\": \"rr\", \"priority\": 10, \"workload\": {\"type\": \"cpu\"}},
		{\"name\": \"b\", \"policy\": \"rr\", \"priority\": 10, \"workload\": {\"type\": \"cpu\"}}]}"
	run=$(run_kernel "$file") || exit
	ents "$run"
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

	# 95 ms of rt per 100 ms, the default 950/1000 scaled down: the share
	# is 5% over whole periods, and a run of 3 s that ends inside an rt
	# phase loses at most a sixtieth of it (with 1 s periods the last,
	# partial period could take 1.7 points: 3.42% measured on a quiet host)
	workload "$file" "{\"duration_ms\": 3000, \"cpus\": [$last_cpu],
		\"rt_runtime_ms\": 95, \"rt_period_ms\": 100, \"entities\": [
		{\"name\": \"fifo\", \"policy\": \"fifo\", \"priority\": 50, \"workload\": {\"type\": \"cpu\"}},
		{\"name\": \"other\", \"workload\": {\"type\": \"cpu\"}}]}"
	run=$(run_kernel "$file") || exit
	ents "$run"
	expect_near "fair share under a FIFO hog (%)" "$(ent "$run" other share)" 5 1.5
	expect_near "FIFO share (%)" "$(ent "$run" fifo share)" 95 1.5
	expect_cmp "throttled" "$(ent "$run" fifo throttled)" ">=" 1
}

test_edf_kernel() {
	local file=$tmp/edf.json run e jobs misses

	# utilisation 0.25 + 0.3 + 0.4 = 0.95
	workload "$file" "{\"duration_ms\": 1500, \"cpus\": [$last_cpu], \"entities\": [
		$(dl a 10 40), $(dl b 15 50), $(dl c 40 100),
		{\"name\": \"fair\", \"workload\": {\"type\": \"cpu\"}}]}"
	# Under TCG beside other VMs the host takes the virtual CPU away for
	# tens of milliseconds at a time, longer than the 5% slack of a 40 ms
	# period: a job then cannot finish by its deadline on any scheduler.
	# Allow such misses in one job in ten, no more
	run=$(run_kernel "$file") || exit
	ents "$run"
	for e in a b c; do
		jobs=$(ent "$run" $e nvcsw) || exit
		misses=$(ent "$run" $e deadline_misses) || exit
		expect_cmp "$e jobs" "$jobs" ">" 10
		expect_cmp "$e deadline misses (of $jobs jobs)" "$((misses * 10))" "<=" "$jobs"
	done
	expect_near "fair share (%)" "$(ent "$run" fair share)" 5 2
}

test_nice() {
	local r

	r=$(exp nice --nices 0,5 --duration 2000) || exit
	echo "$r"
	expect_near "nice 0/5 CPU ratio" "$(jq .measured_ratio <<<"$r")" 3.06 0.46
}

test_rt_throttle() {
	local r

	r=$(exp rt-throttle) || exit
	echo "$r"
	expect_near "OTHER share under a FIFO hog (%)" \
		"$(jq -s '.[] | select(.experiment == "rt-throttle") | .other_pct' <<<"$r")" 5 1.5
	expect_cmp "OTHER share without throttling (%)" \
		"$(jq -s '.[] | select(.experiment == "rt-throttle-off") | .other_pct' <<<"$r")" "<" 0.5
	expect_cmp "sched_rt_runtime_us restored" "$(cat /proc/sys/kernel/sched_rt_runtime_us)" == 950000
}

test_deadline() {
	local r

	r=$(exp deadline --duration 1500) || exit
	echo "$r"
	expect_near "SCHED_DEADLINE 10/30 share (%)" \
		"$(jq -s '.[] | select(.experiment == "deadline") | .measured_pct' <<<"$r")" 33.33 5
}

ktap_plan 6
ktap_run "rt: RR rotates every 100 ms" test_rr
ktap_run "rt: throttling leaves 5% to fair" test_throttling
ktap_run "deadline: few misses at utilisation 0.95 in the kernel" test_edf_kernel
ktap_run "observer: nice 0 vs 5 gets 1024/335 = 3.06" test_nice
ktap_run "observer: RT throttling leaves OTHER 5%, none when off" test_rt_throttle
ktap_run "observer: SCHED_DEADLINE 10/30 gets a third" test_deadline
ktap_finish
