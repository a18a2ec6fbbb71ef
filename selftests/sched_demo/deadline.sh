#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The framework's deadline class: EDF with CBS meets every deadline up to
# the admission limit in the simulator, and admission refuses more than
# 95% with EBUSY.  The kernel runs are in timing.sh: their deadlines are
# wall-clock time, of which the host takes from the vCPU as much as it
# likes (see there).
set -u

. "$(dirname "${BASH_SOURCE[0]}")/sched_lib.sh"

test_no_misses() {
	local file=$tmp/edf.json sim e

	# utilisation 0.25 + 0.3 + 0.4 = 0.95
	workload "$file" "{\"duration_ms\": 1500, \"cpus\": [$last_cpu], \"entities\": [
		$(dl a 10 40), $(dl b 15 50), $(dl c 40 100),
		{\"name\": \"fair\", \"workload\": {\"type\": \"cpu\"}}]}"
	# The simulator's CPU is never taken away: EDF with CBS must meet
	# every deadline there, exactly
	sim=$(run_sim "$file") || exit
	ents "$sim"
	for e in a b c; do
		expect_cmp "simulated: $e deadline misses" "$(ent "$sim" $e deadline_misses)" == 0
	done
	expect_near "simulated: fair share (%)" "$(ent "$sim" fair share)" 5 0.5
}

test_admission() {
	local file=$tmp/over.json

	workload "$file" "{\"duration_ms\": 500, \"cpus\": [$last_cpu], \"entities\": [
		$(dl a 50 100), $(dl b 46 100)]}"
	expect_exit 2 klabctl sched run "$file"
	grep -q "deadline bandwidth 0.96 CPUs exceeds the limit of 0.95" "$tmp/err" ||
		fail "no admission message"
	# the kernel refused it: it is not in the list of runs
	klabctl -j sched list | jq -e 'select(.state == "running")' >/dev/null &&
		fail "a run is active"
	return 0
}

ktap_plan 2
ktap_run "deadline: no misses at utilisation 0.95 (simulator)" test_no_misses
ktap_run "deadline: admission refuses 0.96 with EBUSY" test_admission
ktap_finish
