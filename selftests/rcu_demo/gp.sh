#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Grace periods: synchronize waits for a reader already inside and
# returns once it left; a callback waits for it too; busted_rcu fails
# both checks; the latency harness measures every primitive and shows
# concurrent klab synchronize callers sharing grace periods.
. "$(dirname "$0")/rcu_lib.sh"

gp_waits() {
	local type=$1
	rcu_run gp-check --type "$type"
	expect '.success and (.results[0] | .sync_waited_for_reader == 1 and
		.sync_returned_after_release == 1 and .cb_waited_for_reader == 1 and
		.cb_ran_after_barrier == 1)'
}

busted_gp_caught() {
	rcu_run gp-check --type busted_rcu
	expect '.success == false and .results[0].sync_waited_for_reader == 0 and
		.results[0].cb_waited_for_reader == 0'
}

latency() {
	rcu_run gp-latency --samples 20
	expect '.success and
		([.results[] | select(.samples) | .samples == 20 and .p50_ns > 0 and
		  .max_ns >= .p99_ns] | all) and
		([.results[] | select(.samples)] | length == 6) and
		(.results[] | select(.name == "klab_rcu_concurrent") |
		 .grace_periods < .callers)'
	jget '.results[] | select(.samples) | "\(.name) p50 \(.p50_ns) ns p99 \(.p99_ns) ns"'
}

main() {
	rcu_setup
	ktap_plan 5
	for t in rcu srcu klab_rcu; do
		ktap_run "gp-check $t: synchronize and callbacks wait for a reader" gp_waits "$t"
	done
	ktap_run "busted_rcu caught by gp-check" busted_gp_caught
	ktap_run "gp-latency: every primitive, shared grace periods" latency
	ktap_finish
}

main "$@"
