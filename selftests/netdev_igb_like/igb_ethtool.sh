#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ethtool: every setting round-trips and invalid values are rejected:
# -g/-G, -l/-L, -c/-C, -k/-K, -x/-X, -a/-A, -S, -i, -t.
source "$(dirname "$0")/igb_lib.sh"

# must_fail CMD...: the command fails and says why
must_fail() {
	local out

	if out=$("$@" 2>&1); then
		fail "accepted: $*"
	fi
	echo "rejected: $* -> ${out//$'\n'/ }"
}

test_rings() {
	set -e
	ina ethtool -G a0 rx 512 tx 128
	ina ethtool -g a0 | awk '/^Current/,0' | grep -q "RX:[[:space:]]*512"
	ina ethtool -g a0 | awk '/^Current/,0' | grep -q "TX:[[:space:]]*128"
	ina ethtool -g a0 | awk '/^Pre-set/,/^Current/' | grep -q "RX:[[:space:]]*4096"
	must_fail ina ethtool -G a0 rx 8192
	must_fail ina ethtool -G a0 tx 32
	show "$NSA" a0 | jq -e '.rx_ring == 512 and .tx_ring == 128 and
		([.rings[] | select(.kind == "rx")][0].count == 512)' >/dev/null
	wait_link
	ina $PING -c 2 -i 0.2 -W 2 10.99.0.2 >/dev/null || fail "ping after -G"
	ina ethtool -G a0 rx 256 tx 256
	wait_link
}

test_channels() {
	set -e
	ina ethtool -L a0 combined 4
	ina ethtool -l a0 | awk '/^Current/,0' | grep -q "Combined:[[:space:]]*4"
	ina ethtool -l a0 | awk '/^Pre-set/,/^Current/' | grep -q "Combined:[[:space:]]*8"
	[ "$(ina sh -c 'ls -d /sys/class/net/a0/queues/rx-*' | wc -l)" = 4 ]
	[ "$(grep -c "a0-TxRx-" /proc/interrupts)" = 4 ] || fail "not 4 vectors"
	must_fail ina ethtool -L a0 combined 9
	must_fail ina ethtool -L a0 combined 0
	must_fail ina ethtool -L a0 rx 2
	wait_link
	ina $PING -c 2 -i 0.2 -W 2 10.99.0.2 >/dev/null || fail "ping after -L"
	ina ethtool -L a0 combined 2
	wait_link
}

test_coalesce() {
	set -e
	ina ethtool -c a0 | grep -q "Adaptive RX: on"
	ina ethtool -C a0 adaptive-rx off rx-usecs 50 tx-usecs 100
	ina ethtool -c a0 | grep -q "Adaptive RX: off"
	ina ethtool -c a0 | grep -q "^rx-usecs:[[:space:]]*50"
	ina ethtool -c a0 | grep -q "^tx-usecs:[[:space:]]*100"
	[ "$(stat "$NSA" a0 q_vector_0_itr_usecs)" = 50 ] || fail "ITR not 50"
	ina ethtool -C a0 rx-usecs 0
	[ "$(stat "$NSA" a0 q_vector_0_itr_usecs)" = 0 ] || fail "ITR not 0"
	must_fail ina ethtool -C a0 rx-usecs 5
	must_fail ina ethtool -C a0 rx-usecs 10001
	must_fail ina ethtool -C a0 tx-usecs 3
	must_fail ina ethtool -C a0 rx-frames 8
	ina ethtool -C a0 rx-usecs 3
	ina ethtool -c a0 | grep -q "Adaptive RX: on"
	ina ethtool -C a0 adaptive-rx on tx-usecs 0
}

test_features() {
	set -e
	for f in rx-checksumming tx-checksumming scatter-gather \
		generic-receive-offload receive-hashing; do
		ina ethtool -k a0 | grep -q "^$f: on" || fail "$f not on"
	done
	ina ethtool -K a0 gro off rxhash off rx off
	ina ethtool -k a0 | grep -q "^generic-receive-offload: off"
	ina ethtool -k a0 | grep -q "^receive-hashing: off"
	ina ethtool -k a0 | grep -q "^rx-checksumming: off"
	wait_link
	ina $PING -c 2 -i 0.2 -W 2 10.99.0.2 >/dev/null || fail "ping"
	ina ethtool -K a0 gro on rxhash on rx on
	ina ethtool -k a0 | grep -q "tx-tcp-segmentation: off \[fixed\]"
	must_fail ina ethtool -K a0 tso on
}

test_rss() {
	set -e
	ina ethtool -L a0 combined 4
	ina ethtool -x a0 | grep -q "RX flow hash indirection table for a0 with 4 RX ring"
	ina ethtool -x a0 | grep -q "^6d:5a:56:da:25:5b:0e:c2" ||
		ina ethtool -x a0 | grep -qi "6d:5a:56:da" || fail "default key"
	ina ethtool -X a0 equal 2
	[ "$(ina ethtool -x a0 | awk '/^ *[0-9]+:/ { for (i = 2; i <= NF; i++) print $i }' | sort -u | tr '\n' ' ')" = "0 1 " ]
	ina ethtool -X a0 weight 0 0 1 0
	[ "$(ina ethtool -x a0 | awk '/^ *[0-9]+:/ { for (i = 2; i <= NF; i++) print $i }' | sort -u)" = 2 ]
	key=$(printf '%02x:' $(seq 1 40)); key=${key%:}
	ina ethtool -X a0 hkey "$key"
	ina ethtool -x a0 | grep -q "01:02:03:04:05:06:07:08"
	must_fail ina ethtool -X a0 hfunc xor
	must_fail ina ethtool -X a0 weight 0 0 0 0 1
	ina ethtool -n a0 rx-flow-hash tcp4 | grep -q "L4 bytes 0 & 1"
	ina ethtool -X a0 default
	ina ethtool -L a0 combined 2
	wait_link
}

test_pause() {
	set -e
	ina ethtool -a a0 | grep -q "^RX:[[:space:]]*on"
	ina ethtool -A a0 rx off tx off
	ina ethtool -a a0 | grep -q "^TX:[[:space:]]*off"
	must_fail ina ethtool -A a0 autoneg on
	ina ethtool -A a0 rx on tx on
}

test_stats_info() {
	set -e
	ina $PING -c 5 -i 0.1 -W 2 10.99.0.2 >/dev/null
	s=$(ina ethtool -S a0)
	for k in rx_packets tx_packets tx_queue_0_restart_queue tx_queue_0_bql_limit \
		rx_queue_0_drops rx_queue_1_xdp_drop q_vector_0_interrupts \
		q_vector_1_polls_full q_vector_0_itr_changes; do
		grep -q "^ *$k: [0-9]*$" <<<"$s" || fail "ethtool -S lacks $k"
	done
	[ "$(stat "$NSA" a0 tx_packets)" -ge 5 ] || fail "tx_packets"
	ina ethtool -i a0 | grep -q "^bus-info: klab_igb:"
	ina ethtool -i a0 | grep -q "^supports-test: yes"
	ina ethtool -i a0 | grep -q "^supports-statistics: yes"
}

test_selftest() {
	set -e
	ina ethtool -t a0 offline | tee "$IGB_OUT/t.out"
	grep -q "The test result is PASS" "$IGB_OUT/t.out"
	for t in "Register test" "Interrupt test" "Loopback test" "Link test"; do
		grep -q "^$t.*[[:space:]]0$" "$IGB_OUT/t.out" || fail "$t"
	done
	# the device came back up and carries traffic
	wait_link
	ina $PING -c 2 -i 0.2 -W 2 10.99.0.2 >/dev/null || fail "ping after -t"
	# without a peer up, the link test fails
	inb ip link set b0 down
	! ina ethtool -t a0 online > "$IGB_OUT/t.out" || fail "link test passed"
	grep -q "^Link test.*[[:space:]]1$" "$IGB_OUT/t.out"
	inb ip link set b0 up
	wait_link
}

igb_require
igb_pair_up queues 2
ktap_plan 8
ktap_run "ring_param" test_rings
ktap_run "channels" test_channels
ktap_run "coalesce" test_coalesce
ktap_run "features" test_features
ktap_run "rss_indirection_and_key" test_rss
ktap_run "pause" test_pause
ktap_run "stats_and_info" test_stats_info
ktap_run "self_test" test_selftest
igb_pair_down
ktap_finish
