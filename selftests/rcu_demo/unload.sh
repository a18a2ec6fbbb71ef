#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 20 load / run / unload cycles, each unload with a run in flight (the
# harnesses in turn): no splat (the VM's gate checks the log), and each
# rmmod stops its run instead of waiting for its end: the timed runs last
# 120 s, rmmod must return within 60 s (TCG on a host at load 22: 7.3 s
# measured); a second START while one runs is EBUSY.
. "$(dirname "$0")/rcu_lib.sh"

D="--duration 120"
RUNS=("torture --type klab_rcu $D" "torture --type rcu $D" "torture --type srcu $D"
	"seqlock-torture --type klab_seqlock $D" "scale --type klab_rcu --loops 100000"
	"gp-latency --samples 1000" "demo --type klab_rcu $D" "demo --type rcu $D"
	"torture --type busted_stall $D" "gp-check --type klab_rcu")

cycles() {
	local i start ms
	for i in $(seq 0 19); do
		klab_loaded rcu_demo || klab_load rcu_demo || fail "load $i"
		# shellcheck disable=SC2086 # the words are the arguments
		klabctl rcu ${RUNS[i % ${#RUNS[@]}]} --detach >/dev/null ||
			fail "start: ${RUNS[i % ${#RUNS[@]}]}"
		sleep 0.$((RANDOM % 5 + 3))
		start=$(date +%s%N)
		rmmod rcu_demo || fail "rmmod $i"
		ms=$((($(date +%s%N) - start) / 1000000))
		echo "cycle $i (${RUNS[i % ${#RUNS[@]}]}): rmmod in $ms ms"
		[ "$ms" -lt 60000 ] || fail "rmmod took $ms ms: it waited for the run"
	done
	klab_load rcu_demo
}

busy() {
	klabctl rcu torture --type klab_rcu --duration 60 --detach >/dev/null || fail "start"
	expect_exit 2 klabctl rcu torture --type klab_rcu --duration 2
	grep -q 'Error: a run is already active' "$tmp/err" || fail "no extack message"
	klabctl rcu stop || fail "stop"
	while [ "$(klabctl -j rcu status | jq -r .state)" = running ]; do sleep 0.2; done
	expect_exit 2 klabctl rcu stop
	grep -q 'Error: no run is active' "$tmp/err" || fail "no extack message"
	klabctl -j rcu status >"$tmp/out.json"
	expect '.stopped and (.success | not)'
}

main() {
	rcu_setup
	ktap_plan 2
	ktap_run "a second run is EBUSY, STOP ends a run" busy
	ktap_run "20 load/run/unload cycles" cycles
	ktap_finish
}

main "$@"
