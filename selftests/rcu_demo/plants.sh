#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every run of every negative control, caught by its detector: each
# control PLANT_RUNS times (default 5), one line per run saying which
# detector fired.  By hand or in the VM (not in run_tests: the selftests
# run each control once); exits non-zero if any run was missed.
#   scripts/vm-run -- selftests/rcu_demo/plants.sh
. "$(dirname "$0")/rcu_lib.sh"

N=${PLANT_RUNS:-5}
missed=0

# caught WHAT FILTER: the last run matched FILTER (its detector fired)
caught() {
	if [ "$(jget "$2")" = true ]; then
		echo "caught: $1"
	else
		echo "MISSED: $1: $(cat "$tmp/out.json")"
		missed=$((missed + 1))
	fi
}

main() {
	local i
	rcu_setup
	for ((i = 1; i <= N; i++)); do
		rcu_run torture --type busted_rcu --duration 2
		caught "run $i busted_rcu, Reader Pipe" \
			'.success == false and .results[0].max_pipe_stage > 1'
		rcu_run torture --type busted_barrier --duration 2
		caught "run $i busted_barrier, the barrier check" \
			'.success == false and .results[0].barrier_errors > 0'
		rcu_run torture --type busted_stall --duration 7
		caught "run $i busted_stall, the writer-stall detector" \
			'.success == false and .results[0].writer_stalls > 0'
		rcu_run gp-check --type busted_rcu
		caught "run $i busted_rcu, gp-check synchronize waits / callbacks after the GP" \
			'.success == false and .results[0].sync_waited_for_reader == 0 and
			 .results[0].cb_waited_for_reader == 0'
		rcu_run demo --type busted_rcu --duration 2
		caught "run $i busted_rcu, demo freed_seen" \
			'.success == false and .results[0].freed_seen > 0'
		rcu_run seqlock-torture --type busted_seqlock --duration 2
		caught "run $i busted_seqlock, torn reads" \
			'.success == false and .results[0].torn > 0'
	done
	echo "plants: $missed missed"
	[ "$missed" -eq 0 ]
}

main "$@"
