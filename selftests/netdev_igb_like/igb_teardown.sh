#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tearing down under traffic: deleting a pair, and unloading the module,
# while a TCP transfer and a raw flood run leaves no splat (the VM's log
# gate checks), no skb behind, and every page pool of the module gets all
# its pages back (pp_check_released).
source "$(dirname "$0")/igb_lib.sh"

skbs() {
	awk '$1 == "skbuff_head_cache" { print $2 }' /proc/slabinfo
}

# flood: a TCP transfer b0 <- a0 and raw frames, in the background
flood() {
	inb "$PKT" server 5003 1000000000 >/dev/null 2>&1 &
	pids=$!
	ina "$PKT" client 10.99.0.2 5003 1000000000 >/dev/null 2>&1 &
	pids="$pids $!"
	ina "$PKT" burst a0 "$(inb cat /sys/class/net/b0/address)" 100000 16 \
		>/dev/null 2>&1 &
	pids="$pids $!"
	sleep 1
}

# stop_flood: the generators have nothing left to send to; their sockets
# (and the skbs they hold) go with them
stop_flood() {
	# shellcheck disable=SC2086
	kill $pids 2>/dev/null || true
	wait 2>/dev/null || true
}

test_delete_under_traffic() {
	set -e
	skb0=$(skbs)
	igb_pair_up queues 2
	flood
	ina klabctl igb del a0
	stop_flood
	ip netns del "$NSA"
	ip netns del "$NSB"
	pp_check_released
	echo "skbuff_head_cache objects: $skb0 before, $(skbs) after"
	[ "$(skbs)" -le $((skb0 + 256)) ] || fail "skbs left behind"
}

test_unload_under_traffic() {
	set -e
	igb_pair_up queues 2 rx-ring 64 tx-ring 64
	flood
	klab_unload netdev_igb_like
	stop_flood
	! ina ip link show a0 2>/dev/null || fail "a0 outlived the module"
	ip netns del "$NSA"
	ip netns del "$NSB"
	pp_check_released
	klab_load netdev_igb_like
}

igb_require
# the unload (a second flood, a reload) only in make stress-igb: the VM
# time of make check is shared by every module
if [ -n "${IGB_STRESS:-}" ]; then
	ktap_plan 2
else
	ktap_plan 1
fi
igb_run "delete_under_traffic" test_delete_under_traffic
[ -z "${IGB_STRESS:-}" ] ||
	igb_run "unload_under_traffic" test_unload_under_traffic
igb_pair_down
ktap_finish
