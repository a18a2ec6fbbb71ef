#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tearing down under traffic: deleting a pair, and unloading the module,
# while a transfer runs leaves no splat (the VM's log gate checks) and no
# skb behind.
source "$(dirname "$0")/igb_lib.sh"

skbs() {
	awk '$1 == "skbuff_head_cache" { print $2 }' /proc/slabinfo
}

flood() {
	inb "$PKT" server 5003 1000000000 >/dev/null 2>&1 &
	sleep 0.3
	ina "$PKT" client 10.99.0.2 5003 1000000000 >/dev/null 2>&1 &
	ina "$PKT" burst a0 "$(mac "$NSB" b0)" 100000 16 >/dev/null 2>&1 &
	sleep 1
}

test_delete_under_traffic() {
	set -e
	skb0=$(skbs)
	igb_pair_up queues 2
	flood
	ina klabctl igb del a0
	sleep 0.5
	wait 2>/dev/null || true
	ip netns del "$NSA"
	ip netns del "$NSB"
	sleep 1
	echo "skbuff_head_cache objects: $skb0 before, $(skbs) after"
	[ "$(skbs)" -le $((skb0 + 256)) ] || fail "skbs left behind"
}

test_unload_under_traffic() {
	set -e
	igb_pair_up queues 2 rx-ring 64 tx-ring 64
	flood
	klab_unload netdev_igb_like
	wait 2>/dev/null || true
	! ina ip link show a0 2>/dev/null || fail "a0 outlived the module"
	ip netns del "$NSA"
	ip netns del "$NSB"
	klab_load netdev_igb_like
}

igb_require
ktap_plan 2
ktap_run "delete_under_traffic" test_delete_under_traffic
ktap_run "unload_under_traffic" test_unload_under_traffic
igb_pair_down
ktap_finish
