#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rcu_demo's long runs, for make stress (not make check): each torture
# type for STRESS_DURATION seconds (default 60) with more readers, the
# negative controls caught again, the seqlock types, and the demo.
# Prints one line per run and exits non-zero on any unexpected result.
. "$(dirname "$0")/rcu_lib.sh"

D=${STRESS_DURATION:-60}

run_expect() {
	local want=$1
	shift
	rcu_run "$@"
	jget '"\(.harness) \(.type): success \(.success) " + (.results[0] | tostring)'
	[ "$(jget .success)" = "$want" ] || fail "$*: success $(jget .success), want $want"
}

stress() {
	local t
	for t in rcu srcu klab_rcu; do
		run_expect true torture --type "$t" --duration "$D" --readers 4 --stat-interval 10
		rcu_console "$tmp/console.log"
		parse_console "$tmp/console.log" "$t" || fail "parse-console.sh complained"
	done
	for t in busted_rcu busted_barrier; do
		run_expect false torture --type "$t" --duration 5 --readers 4
	done
	rcu_run torture --type busted_rcu --duration 2
	rcu_console "$tmp/console.log"
	! parse_console "$tmp/console.log" busted_rcu || fail "parse-console.sh saw no failure"
	for t in seqlock klab_seqlock klab_latch; do
		run_expect true seqlock-torture --type "$t" --duration "$D" --readers 4
	done
	run_expect false seqlock-torture --type busted_seqlock --duration 5
	run_expect true demo --type klab_rcu --duration "$D"
}

main() {
	rcu_setup
	ktap_plan 1
	ktap_run "rcu_demo stress (${D}s per type)" stress
	ktap_finish
}

main "$@"
