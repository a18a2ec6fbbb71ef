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
	igb_local_up queues 2
	ethtool -i a0 | grep -qx "driver: klab_igb" || fail "ethtool -i driver"
	# a random, locally administered unicast MAC
	m=$(mac a0)
	[ $((0x${m%%:*} & 3)) -eq 2 ] || fail "MAC $m not local unicast"
	read -r t < /sys/class/net/a0/addr_assign_type
	[ "$t" = 1 ] || fail "not random"
	# carrier follows the peer's admin state
	read -r c < /sys/class/net/a0/carrier
	[ "$c" = 1 ] || fail "no carrier"
	ip link set b0 down
	read -r c < /sys/class/net/a0/carrier
	[ "$c" = 0 ] || fail "carrier stayed up with the peer down"
	ip link set b0 up
	read -r c < /sys/class/net/a0/carrier
	[ "$c" = 1 ] || fail "carrier did not return with the peer"

	# MTU 68..9000
	ip link set a0 mtu 68
	ip link set a0 mtu 9000
	! ip link set a0 mtu 67 2>/dev/null || fail "mtu 67 accepted"
	! ip link set a0 mtu 9001 2>/dev/null || fail "mtu 9001 accepted"
	ip link set a0 mtu 1500
}

# csum_good NS DEV: frames the driver passed up as CHECKSUM_UNNECESSARY
csum_good() {
	local k n=0

	stats "$2" "$1"
	for k in "${!S[@]}"; do
		[[ $k == rx_queue_*_csum_good ]] && n=$((n + S[$k]))
	done
	echo "$n"
}

test_ping_tcp() {
	set -e
	igb_pair_up queues 2
	ina $PING -c 3 -i 0.2 -W 2 10.99.0.2 >/dev/null || fail "ping"
	good0=$(csum_good "$NSB" b0)
	# 1 MiB through jumbo frames (three RX buffers each), every byte
	# checked, then through 1500-byte frames
	for mtu in 9000 1500; do
		inb ip link set b0 mtu $mtu
		ina ip link set a0 mtu $mtu
		inb "$PKT" server 5001 1048576 > "$IGB_OUT/server.out" &
		srv=$!
		ina "$PKT" client 10.99.0.2 5001 1048576
		wait $srv || { cat "$IGB_OUT/server.out"; fail "MTU $mtu transfer"; }
		echo "MTU $mtu: $(tail -1 "$IGB_OUT/server.out")"
	done
	# the offload path was taken: the wire inserted the checksums and
	# the receiver passed the frames up as CHECKSUM_UNNECESSARY
	good=$(( $(csum_good "$NSB" b0) - good0 ))
	echo "CHECKSUM_UNNECESSARY frames: $good"
	[ "$good" -ge 500 ] || fail "only $good CHECKSUM_UNNECESSARY frames"
	# a deleted namespace hands its devices back, as with physical NICs
	ip netns del "$NSA"
	for ((i = 0; i < 50; i++)); do
		ip link show a0 >/dev/null 2>&1 && break
		sleep 0.1
	done
	ip link show a0 >/dev/null 2>&1 || fail "a0 not back in the initial namespace"
}

# txq_sum NS DEV NAME: tx_queue_*_NAME of DEV summed over its queues
txq_sum() {
	local k n=0

	stats "$2" "$1"
	for k in "${!S[@]}"; do
		[[ $k == tx_queue_*_$3 ]] && n=$((n + S[$k]))
	done
	echo "$n"
}

# snmp NS PROTO FIELD: a counter of /proc/net/snmp in namespace NS
snmp() {
	ip netns exec "$1" awk -v p="$2:" -v f="$3" '$1 == p {
		if (!n) { for (i = 2; i <= NF; i++) col[$i] = i; n = 1; next }
		print $col[f] }' /proc/net/snmp
}

# tso_transfer WHAT BYTES: BYTES of the pattern stream from a0 to b0,
# checked by the receiver
tso_transfer() {
	local srv

	inb "$PKT" server 5002 "$2" > "$IGB_OUT/server.out" &
	srv=$!
	if ! timeout 120 ip netns exec "$NSA" "$PKT" client 10.99.0.2 5002 "$2"; then
		kill $srv 2>/dev/null || true
		wait $srv || true
		fail "$1: the client failed; server: $(tail -1 "$IGB_OUT/server.out")"
	fi
	wait $srv || fail "$1: $(tail -1 "$IGB_OUT/server.out")"
	echo "$1: $(tail -1 "$IGB_OUT/server.out")"
}

# TSO: the stack hands a0 GSO skbs, the wire cuts them into MSS-sized
# frames with their headers rewritten.  b0 does not report checksums as
# good (rx off), so the IP layer checks every segment's header checksum
# and TCP its checksum; the data is checked byte by byte.
test_tso() {
	set -e
	igb_pair_up queues 2
	ina ethtool -k a0 | grep -q "^tcp-segmentation-offload: on" ||
		fail "TSO not on by default"
	inb ethtool -K b0 rx off
	tso0=$(txq_sum "$NSA" a0 tso)
	segs0=$(txq_sum "$NSA" a0 tso_segs)
	csum0=$(snmp "$NSB" Tcp InCsumErrors)
	hdr0=$(snmp "$NSB" Ip InHdrErrors)
	retr0=$(snmp "$NSA" Tcp RetransSegs)
	# jumbo segments span three RX buffers
	for mtu in 9000 1500; do
		inb ip link set b0 mtu $mtu
		ina ip link set a0 mtu $mtu
		tso_transfer "MTU $mtu" 1048576
	done
	tso=$(($(txq_sum "$NSA" a0 tso) - tso0))
	segs=$(($(txq_sum "$NSA" a0 tso_segs) - segs0))
	csum=$(($(snmp "$NSB" Tcp InCsumErrors) - csum0))
	hdr=$(($(snmp "$NSB" Ip InHdrErrors) - hdr0))
	echo "TSO frames $tso cut into $segs segments; TCP checksum errors" \
		"$csum, IP header errors $hdr, retransmitted" \
		"$(($(snmp "$NSA" Tcp RetransSegs) - retr0))"
	[ "$tso" -ge 10 ] || fail "only $tso TSO frames"
	[ "$segs" -ge $((2 * tso)) ] || fail "$tso TSO frames, $segs segments"
	[ "$csum" -eq 0 ] && [ "$hdr" -eq 0 ] ||
		fail "$csum TCP checksum errors, $hdr IP header errors"

	# ethtool -K turns it off: the stack segments, the wire sends whole
	ina ethtool -K a0 tso off
	ina ethtool -k a0 | grep -q "^tcp-segmentation-offload: off" ||
		fail "tso still on"
	tso0=$(txq_sum "$NSA" a0 tso)
	tso_transfer "tso off" 262144
	tso=$(($(txq_sum "$NSA" a0 tso) - tso0))
	[ "$tso" -eq 0 ] || fail "$tso TSO frames with tso off"
	ina ethtool -K a0 tso on
	ina ethtool -k a0 | grep -q "^tcp-segmentation-offload: on"
	inb ethtool -K b0 rx on
}

igb_require
ktap_plan 6
igb_run "create_errors" test_create_errors
igb_run "bus_files" test_bus_files
igb_run "device_basics" test_device_basics
igb_run "ping_tcp" test_ping_tcp
igb_run "tso" test_tso
igb_pair_down
igb_run "page_pools_released" pp_check_released
ktap_finish
