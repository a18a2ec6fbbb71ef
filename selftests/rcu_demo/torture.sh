#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The rcutorture-style harness: the kernel's rcu and srcu and klab_rcu
# pass; the negative controls fail, each caught by its detector, on
# every run; the kernel's parse-console.sh reads klab_rcu's log (and, in
# make stress, every type's and busted_rcu's).
. "$(dirname "$0")/rcu_lib.sh"

DURATION=${RCU_TORTURE_DURATION:-2}

# One jq per check: every process costs under TCG on a loaded host.
torture_passes() {
	local type=$1
	rcu_run torture --type "$type" --duration "$DURATION" --stat-interval 1
	jget '.results[0] | "version \(.version) gps \(.gps) reads \(.reads)"'
	# the writer made progress: at least 10 updates (klab_rcu made 131
	# in 3 s on a loaded TCG host, the kernel's rcu 125 in 4 s)
	expect ".success and (.stopped | not) and (.results[0] |
		.name == \"$type\" and .errors == 0 and .max_pipe_stage <= 1 and
		.max_batch <= 1 and .mb_errors == 0 and .reads > 0 and
		.version >= 10 and .circulated > 0 and .barrier_successes > 0 and
		.barrier_errors == 0 and .writer_stalls == 0 and
		(.reader_pipe | length == 11))"
	rcu_console "$tmp/console.log"
	grep -q "^.*$type-torture:--- End of test: SUCCESS: nreaders=" "$tmp/console.log" ||
		fail "no SUCCESS line"
	grep -q "$type-torture: .*Reader Pipe: " "$tmp/console.log" || fail "no Reader Pipe line"
	# the kernel's parse-console.sh (slow under TCG): on klab's own RCU
	[ "$type" != klab_rcu ] || parse_console "$tmp/console.log" "$type" ||
		fail "parse-console.sh complained"
}

# busted_rcu: grace periods that wait for no reader.  A reader holds its
# element until it aged past stage 1 (so every run shows it), see
# KRCU_HOLD_INTERVAL in torture.c.
busted_rcu_caught() {
	rcu_run torture --type busted_rcu --duration 2
	jget '.results[0] | "pipe \(.reader_pipe) batch \(.reader_batch)"'
	expect '.success == false and .results[0].errors > 0 and .results[0].max_pipe_stage > 1'
	rcu_console "$tmp/console.log"
	grep -q 'busted_rcu-torture: !!! Reader Pipe: ' "$tmp/console.log" || fail "no !!! line"
	grep -q 'busted_rcu-torture:--- End of test: FAILURE: ' "$tmp/console.log" ||
		fail "no FAILURE line"
}

# busted_barrier: a barrier that returns before the callbacks ran
busted_barrier_caught() {
	rcu_run torture --type busted_barrier --duration 2
	expect '.success == false and .results[0].barrier_errors > 0 and
		.results[0].max_pipe_stage <= 1'
	rcu_console "$tmp/console.log"
	grep -q 'busted_barrier-torture:!!! barrier_cbs_invoked = ' "$tmp/console.log" ||
		fail "no barrier !!! line"
	grep -q 'busted_barrier-torture:--- End of test: FAILURE: ' "$tmp/console.log" ||
		fail "no FAILURE line"
}

# busted_stall: grace periods that never end while the test runs
busted_stall_caught() {
	rcu_run torture --type busted_stall --duration 7
	expect '.success == false and .results[0].writer_stalls > 0'
	rcu_console "$tmp/console.log"
	grep -q '??? Writer stall state RTWS_' "$tmp/console.log" || fail "no stall line"
	grep -q 'busted_stall-torture:--- End of test: FAILURE: ' "$tmp/console.log" ||
		fail "no FAILURE line"
}

main() {
	rcu_setup
	ktap_plan 6
	ktap_run "torture rcu passes" torture_passes rcu
	ktap_run "torture srcu passes" torture_passes srcu
	ktap_run "torture klab_rcu passes" torture_passes klab_rcu
	ktap_run "busted_rcu caught by Reader Pipe" busted_rcu_caught
	ktap_run "busted_barrier caught by the barrier check" busted_barrier_caught
	ktap_run "busted_stall caught by the writer-stall check" busted_stall_caught
	ktap_finish
}

main "$@"
