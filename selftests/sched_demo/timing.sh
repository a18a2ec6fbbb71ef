#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The checks that need the virtual CPUs to themselves: deadlines in
# wall-clock periods in the framework, and shares on the kernel's own
# scheduler.  Not in run_tests: under TCG on a loaded host (load average
# 10-12 on 2 CPUs) the host takes 20-60% of a vCPU's wall-clock time
# (the framework's entities lost 323, 337 and 937 ms of 1.5 s runs),
# more than the slack of any deadline set, and earlier runs at load
# 17-26 gave an OTHER share under a FIFO hog of 3.26%, SCHED_DEADLINE
# 10/30 25.8%, nice 0/5 1.73 (see the README's open items).  Run by
# hand on a quiet host (make stress-sched):
#   scripts/vm-run -- selftests/sched_demo/timing.sh
set -u

. "$(dirname "${BASH_SOURCE[0]}")/sched_lib.sh"

# Jobs that use their whole budget, in the kernel: each completes within
# its budget and sleeps until its next release.  A job that overran its
# budget by the spin's last turn left a deficit that the CBS carries into
# the next period (as the kernel does): every later job was throttled just
# short of its end and finished a period late, never sleeping (0 or 1
# jobs in 1.5 s).  At utilisation 0.45 the jobs keep up unless the host
# takes more than half of the vCPU for a whole period; allow late jobs in
# one period in ten and count as done only the jobs that slept.
test_jobs_kernel() {
	local file=$tmp/jobs.json run e periods jobs misses elapsed

	workload "$file" "{\"duration_ms\": 1500, \"cpus\": [$last_cpu], \"entities\": [
		$(dl a 10 40), $(dl b 10 50),
		{\"name\": \"fair\", \"workload\": {\"type\": \"cpu\"}}]}"
	run=$(run_kernel "$file") || exit
	ents "$run"
	elapsed=$(jq .elapsed_ns <<<"$run")
	for e in a b; do
		periods=$((elapsed / ($(ent "$run" $e dl_period_ns))))
		jobs=$(ent "$run" $e nvcsw)
		misses=$(ent "$run" $e deadline_misses)
		echo "$e: $periods periods, $jobs jobs slept, $misses missed, throttled $(ent "$run" $e throttled)"
		expect_cmp "$e jobs that slept (of $periods periods)" "$((jobs * 10))" ">=" "$((periods * 9 - 10))"
		expect_cmp "$e deadline misses (of $periods periods)" "$((misses * 10))" "<=" "$((periods + 10))"
	done
	expect_cmp "fair ran (ms)" "$(($(ent "$run" fair runtime_ns) / 1000000))" ">" 0
}

# pct PART WHOLE: PART in percent of WHOLE, two decimals
pct() {
	awk -v p="$1" -v w="$2" 'BEGIN { printf "%.2f", 100 * p / w }'
}

test_edf_kernel() {
	local file=$tmp/edf.json run e jobs misses elapsed dl=0 fair lost

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
		dl=$((dl + $(ent "$run" $e runtime_ns)))
	done
	# Budgets are CPU time, periods wall-clock time (as rq_clock_task()
	# and rq_clock() in the kernel): the deadline class gets 95% of the
	# wall clock, and the wall-clock time the threads did not get (the
	# host's, or the guest kernel's other threads') comes out of what it
	# leaves to the fair class, as steal time does in the kernel.  So
	# the fair entity's share of the CPU time is 5% less that loss
	elapsed=$(jq .elapsed_ns <<<"$run")
	fair=$(ent "$run" fair runtime_ns)
	lost=$((elapsed - dl - fair - $(jq '.cpu_stats[0].idle_ns' <<<"$run")))
	echo "of the wall clock: fair $(pct "$fair" "$elapsed")%, lost $(pct "$lost" "$elapsed")%"
	expect_near "deadline class (% of the wall clock)" "$(pct "$dl" "$elapsed")" 95 2
	expect_near "fair + lost (% of the wall clock)" "$(pct "$((fair + lost))" "$elapsed")" 5 2
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

ktap_plan 5
ktap_run "deadline: jobs using their whole budget complete and sleep" test_jobs_kernel
ktap_run "deadline: few misses at utilisation 0.95 in the kernel" test_edf_kernel
ktap_run "observer: nice 0 vs 5 gets 1024/335 = 3.06" test_nice
ktap_run "observer: RT throttling leaves OTHER 5%, none when off" test_rt_throttle
ktap_run "observer: SCHED_DEADLINE 10/30 gets a third" test_deadline
ktap_finish
