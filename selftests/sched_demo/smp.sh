#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The framework on both CPUs: per-entity affinity, and balancing spreading
# hogs that all start on one CPU.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/sched_lib.sh"

[ "$(nproc)" -ge 2 ] || { echo "# SKIP: needs 2 CPUs"; exit "$KSFT_SKIP"; }

test_affinity() {
	local file=$tmp/aff.json run e

	workload "$file" '{"duration_ms": 1000, "cpus": [0, 1], "entities": [
		{"name": "a", "cpus": [0], "workload": {"type": "cpu"}},
		{"name": "b", "cpus": [1], "workload": {"type": "cpu"}},
		{"name": "c", "cpus": [1], "workload": {"type": "cpu"}}]}'
	run=$(run_kernel "$file") || exit
	ents "$run"
	expect_cmp "a on CPU 1" "$(ent "$run" a 'per_cpu[1].runtime_ns')" == 0
	expect_cmp "b on CPU 0" "$(ent "$run" b 'per_cpu[0].runtime_ns')" == 0
	expect_cmp "c on CPU 0" "$(ent "$run" c 'per_cpu[0].runtime_ns')" == 0
	for e in a b c; do
		# the thread really ran where the framework put it
		expect_cmp "$e ran on another CPU than selected" "$(ent "$run" $e wrong_cpu)" == 0
	done
	# b and c share CPU 1 evenly, while a has CPU 0 to itself
	expect_near "b's share of CPU 1 against c's" "$(ent "$run" b share)" \
		"$(ent "$run" c share)" 3
}

test_balancing() {
	local file=$tmp/bal.json run h c n1=0 r sum
	local -A on cpu_total=([0]=0 [1]=0) got

	workload "$file" '{"duration_ms": 1500, "cpus": [0, 1], "entities": [
		{"name": "h", "count": 4, "start_cpu": 0, "workload": {"type": "cpu"}}]}'
	run=$(run_kernel "$file") || exit
	ents "$run"
	expect_cmp "pulls to CPU 1" "$(jq '.cpu_stats[1].pulls' <<<"$run")" ">=" 1
	expect_cmp "CPU 1 idle (ms)" "$(($(jq '.cpu_stats[1].idle_ns' <<<"$run") / 1000000))" "<" 150
	# Two end up on each CPU and share it evenly.  Not the shares of all:
	# the host gives the two vCPUs different amounts of time under TCG
	# (73% to CPU 0 in one loaded run)
	for h in h.0 h.1 h.2 h.3; do
		expect_cmp "$h wrong CPU" "$(ent "$run" $h wrong_cpu)" == 0
		for c in 0 1; do
			got[$h/$c]=$(ent "$run" $h "per_cpu[$c].runtime_ns") || exit
			cpu_total[$c]=$((cpu_total[$c] + got[$h/$c]))
		done
		on[$h]=0
		((got[$h/1] > got[$h/0])) && on[$h]=1 && n1=$((n1 + 1))
	done
	expect_cmp "hogs mostly on CPU 1" "$n1" == 2
	for h in h.0 h.1 h.2 h.3; do
		c=${on[$h]}
		r=${got[$h/$c]}
		sum=${cpu_total[$c]}
		expect_near "$h (% of CPU $c)" "$(((10000 * r / sum) / 100))" 50 5
	done
}

ktap_plan 2
ktap_run "smp: affinity honoured on both CPUs" test_affinity
ktap_run "smp: balancing spreads hogs started on one CPU" test_balancing
ktap_finish
