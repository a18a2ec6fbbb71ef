#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The notes' example, fixed: with the kernel's RCU and klab's, readers'
# values never decrease, no reader sees a freed object, frees equal
# updates after the barrier; busted_rcu's early grace periods are caught.
. "$(dirname "$0")/rcu_lib.sh"

demo_correct() {
	rcu_run demo --type "$1" --duration 2
	expect '.success and (.results[0] | .updates > 10 and
		.frees == .updates and .decreases == 0 and .freed_seen == 0 and
		.reader0_reads > 0 and .reader1_reads > 0)'
}

demo_busted_caught() {
	rcu_run demo --type busted_rcu --duration 2
	expect '.success == false and .results[0].freed_seen > 0'
}

main() {
	rcu_setup
	ktap_plan 3
	ktap_run "demo on rcu" demo_correct rcu
	ktap_run "demo on klab_rcu" demo_correct klab_rcu
	ktap_run "demo on busted_rcu: freed objects seen" demo_busted_caught
	ktap_finish
}

main "$@"
