#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Pairs: creation and deletion through genl and the bus files, with their
# errors; carrier, MTU, ethtool -i; ping and a verified TCP transfer
# between two namespaces.
source "$(dirname "$0")/igb_lib.sh"

test_create_errors() {
	tmp=$(mktemp -d)
	klabctl igb add e0 peer e1 queues 2 rx-ring 128 tx-ring 64 >/dev/null ||
		fail "add e0"
	expect_exit 2 klabctl igb add e0 peer e2
	grep -q "exists" "$tmp/err" || fail "duplicate name: no EEXIST message"
	expect_exit 2 klabctl igb add e3 peer e3
	grep -q "own peer" "$tmp/err" || fail "self peer accepted"
	expect_exit 2 klabctl igb add "bad/name" peer e4
	grep -q "invalid interface name" "$tmp/err" || fail "bad name"
	expect_exit 2 klabctl igb add e5 peer e6 queues 9
	expect_exit 2 klabctl igb add e5 peer e6 rx-ring 32
	expect_exit 2 klabctl igb add e5 peer e6 tx-ring 8192
	expect_exit 1 klabctl igb add e5
	expect_exit 2 klabctl igb del nosuch
	grep -q "no klab_igb device" "$tmp/err" || fail "missing device"
	! ip link show e5 2>/dev/null || fail "a failed add left e5 behind"
	ip link show e1 >/dev/null || fail "no e1"
	klabctl -j igb show e0 | jq -e '.devices[0] | .peer == "e1" and
		.queues == 2 and .rx_ring == 128 and .tx_ring == 64' >/dev/null ||
		fail "show e0"
	klabctl igb del e1 || fail "del e1"
	! ip link show e0 2>/dev/null || fail "deleting e1 left its peer e0"
	rm -rf "$tmp"
}

test_bus_files() {
	set -e
	echo "s0 s1 3 512 256" > /sys/bus/klab_igb/new_device
	klabctl -j igb show s1 | jq -e '.devices[0] | .queues == 3 and
		.rx_ring == 512 and .tx_ring == 256 and .peer == "s0"' >/dev/null
	! echo "s0 s2" > /sys/bus/klab_igb/new_device 2>/dev/null ||
		fail "duplicate accepted through new_device"
	! echo "s3 s4 0" > /sys/bus/klab_igb/new_device 2>/dev/null ||
		fail "0 queues accepted through new_device"
	echo s0 > /sys/bus/klab_igb/del_device
	! ip link show s1 2>/dev/null || fail "del_device left the peer"
	! echo s0 > /sys/bus/klab_igb/del_device 2>/dev/null ||
		fail "del_device of a missing device succeeded"
}

test_device_basics() {
	set -e
	igb_pair_up queues 2
	ina ethtool -i a0 | grep -qx "driver: klab_igb" || fail "ethtool -i driver"
	# a random, locally administered unicast MAC
	m=$(mac "$NSA" a0)
	[ $((0x${m%%:*} & 3)) -eq 2 ] || fail "MAC $m not local unicast"
	[ "$(ina cat /sys/class/net/a0/addr_assign_type)" = 1 ] || fail "not random"
	# carrier follows the peer's admin state
	[ "$(ina cat /sys/class/net/a0/carrier)" = 1 ] || fail "no carrier"
	inb ip link set b0 down
	sleep 0.2
	[ "$(ina cat /sys/class/net/a0/carrier)" = 0 ] || fail "carrier stayed up"

	# MTU 68..9000
	ina ip link set a0 mtu 68
	ina ip link set a0 mtu 9000
	! ina ip link set a0 mtu 67 2>/dev/null || fail "mtu 67 accepted"
	! ina ip link set a0 mtu 9001 2>/dev/null || fail "mtu 9001 accepted"
	ina ip link set a0 mtu 1500
}

test_ping_tcp() {
	set -e
	igb_pair_up queues 2
	ina $PING -c 3 -i 0.2 -W 2 10.99.0.2 >/dev/null || fail "ping"
	inb ip link set b0 mtu 9000
	ina ip link set a0 mtu 9000
	wait_link
	# 4 MiB through jumbo frames (three RX buffers each), every byte checked
	inb "$PKT" server 5001 4194304 > "$IGB_OUT/server.out" &
	srv=$!
	sleep 0.5
	ina "$PKT" client 10.99.0.2 5001 4194304
	wait $srv || { cat "$IGB_OUT/server.out"; fail "jumbo transfer"; }
	cat "$IGB_OUT/server.out"
	ina ip link set a0 mtu 1500
	inb ip link set b0 mtu 1500
	inb "$PKT" server 5002 4194304 > "$IGB_OUT/server.out" &
	srv=$!
	sleep 0.5
	ina "$PKT" client 10.99.0.2 5002 4194304
	wait $srv || { cat "$IGB_OUT/server.out"; fail "transfer"; }
	cat "$IGB_OUT/server.out"
	# the offload path was taken: checksums inserted by the wire
	[ "$(stat "$NSB" b0 rx_queue_0_csum_good)" -gt 0 ] ||
		[ "$(stat "$NSB" b0 rx_queue_1_csum_good)" -gt 0 ] ||
		fail "no CHECKSUM_UNNECESSARY frame"
	# ip -s link agrees with ethtool -S
	tx=$(ina ip -j -s link show a0 | jq '.[0].stats64.tx.packets')
	[ "$tx" = "$(stat "$NSA" a0 tx_packets)" ] || fail "ip -s vs ethtool -S"
}

igb_require
ktap_plan 4
ktap_run "create_errors" test_create_errors
ktap_run "bus_files" test_bus_files
ktap_run "device_basics" test_device_basics
ktap_run "ping_tcp" test_ping_tcp
igb_pair_down
ktap_finish
