#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ethtool: every setting round-trips and invalid values are rejected with
# the reason: -g/-G, -l/-L, -c/-C, -k/-K, -x/-X, -a/-A, -S, -i, -t.  After
# each reconfiguration frames still cross the pair, every one once.
source "$(dirname "$0")/igb_lib.sh"

# must_fail CMD...: the command fails and says why
must_fail() {
	local out

	if out=$("$@" 2>&1); then
		fail "accepted: $*"
	fi
	echo "rejected: $* -> ${out//$'\n'/ }"
}

# current TOOL_OUTPUT KEY: a value of the "Current" half of ethtool -g/-l
current() {
	awk -v k="$2:" '/^Current/ { c = 1 } c && $1 == k { print $2; exit }' <<<"$1"
}

# preset TOOL_OUTPUT KEY: a value of the "Pre-set maximums" half
preset() {
	awk -v k="$2:" '/^Current/ { exit } $1 == k { print $2; exit }' <<<"$1"
}

# traffic: 200 frames a0 -> b0 arrive once each
traffic() {
	wait_link
	xfer -n 200 -q "${1:-1}" a0 b0 >/dev/null || fail "frames lost after $2"
}

test_rings() {
	set -e
	ethtool -G a0 rx 512 tx 128
	out=$(ethtool -g a0)
	[ "$(current "$out" RX)" = 512 ] && [ "$(current "$out" TX)" = 128 ] ||
		fail "ethtool -g: $out"
	[ "$(preset "$out" RX)" = 4096 ] && [ "$(preset "$out" TX)" = 4096 ]
	must_fail ethtool -G a0 rx 8192
	must_fail ethtool -G a0 tx 32
	show a0 | jq -e '.rx_ring == 512 and .tx_ring == 128 and
		([.rings[] | select(.kind == "rx")][0].count == 512) and
		([.rings[] | select(.kind == "tx")][0].count == 128)' >/dev/null ||
		fail "klabctl igb show disagrees"
	traffic 1 "-G"
	ethtool -G a0 rx 256 tx 256
}

test_channels() {
	set -e
	ethtool -L a0 combined 4
	out=$(ethtool -l a0)
	[ "$(current "$out" Combined)" = 4 ] && [ "$(preset "$out" Combined)" = 8 ] ||
		fail "ethtool -l: $out"
	q=(/sys/class/net/a0/queues/rx-*)
	[ ${#q[@]} = 4 ] || fail "${#q[@]} RX queues in sysfs"
	[ "$(grep -c " a0-TxRx-" /proc/interrupts)" = 4 ] || fail "not 4 vectors"
	must_fail ethtool -L a0 combined 9
	must_fail ethtool -L a0 combined 0
	must_fail ethtool -L a0 rx 2
	igb_fifo a0
	traffic 1 "-L"
	ethtool -L a0 combined 1
	igb_fifo a0
}

test_coalesce() {
	set -e
	ethtool -c a0 | grep -q "Adaptive RX: on"
	ethtool -C a0 adaptive-rx off rx-usecs 50 tx-usecs 100
	out=$(ethtool -c a0)
	grep -q "Adaptive RX: off" <<<"$out"
	grep -q "^rx-usecs:[[:space:]]*50$" <<<"$out"
	grep -q "^tx-usecs:[[:space:]]*100$" <<<"$out"
	stats a0
	[ "${S[q_vector_0_itr_usecs]}" = 50 ] || fail "ITR not 50"
	ethtool -C a0 rx-usecs 0
	stats a0
	[ "${S[q_vector_0_itr_usecs]}" = 0 ] || fail "ITR not 0"
	must_fail ethtool -C a0 rx-usecs 5
	must_fail ethtool -C a0 rx-usecs 10001
	must_fail ethtool -C a0 tx-usecs 3
	must_fail ethtool -C a0 rx-frames 8
	# igb's rx-usecs 3 is adaptive (dynamic conservative)
	ethtool -C a0 rx-usecs 3
	ethtool -c a0 | grep -q "Adaptive RX: on"
	ethtool -C a0 adaptive-rx on tx-usecs 0
}

test_features() {
	set -e
	out=$(ethtool -k a0)
	for f in rx-checksumming tx-checksumming scatter-gather \
		generic-receive-offload receive-hashing; do
		grep -q "^$f: on" <<<"$out" || fail "$f not on"
	done
	ethtool -K b0 gro off rxhash off rx off
	out=$(ethtool -k b0)
	grep -q "^generic-receive-offload: off" <<<"$out"
	grep -q "^receive-hashing: off" <<<"$out"
	grep -q "^rx-checksumming: off" <<<"$out"
	traffic 1 "-K"
	ethtool -K b0 gro on rxhash on rx on
	ethtool -k b0 | grep -q "^rx-checksumming: on"
	must_fail ethtool -K a0 rx-vlan-offload on
}

test_rss() {
	set -e
	ethtool -L b0 combined 4
	out=$(ethtool -x b0)
	grep -q "RX flow hash indirection table for b0 with 4 RX ring" <<<"$out"
	# the standard key (igb's and Microsoft's verification key)
	grep -qi "^6d:5a:56:da:25:5b:0e:c2" <<<"$out" || fail "default key"
	ethtool -X b0 equal 2
	[ "$(ethtool -x b0 | awk '/^ *[0-9]+:/ { for (i = 2; i <= NF; i++) print $i }' | sort -u | tr '\n' ' ')" = "0 1 " ]
	ethtool -X b0 weight 0 0 1 0
	[ "$(ethtool -x b0 | awk '/^ *[0-9]+:/ { for (i = 2; i <= NF; i++) print $i }' | sort -u)" = 2 ]
	# the table is obeyed: 16 flows all on queue 2
	wait_link
	xfer -n 64 -f 16 -q 4 a0 b0
	[[ "$XFER " == *" q2 64 "* ]] || fail "indirection to queue 2 ignored"
	key=$(printf '%02x:' $(seq 1 40))
	ethtool -X b0 hkey "${key%:}"
	ethtool -x b0 | grep -q "01:02:03:04:05:06:07:08"
	must_fail ethtool -X b0 hfunc xor
	must_fail ethtool -X b0 weight 0 0 0 0 1
	ethtool -n b0 rx-flow-hash tcp4 | grep -q "L4 bytes 0 & 1"
	ethtool -n b0 rx-flow-hash udp4 | grep -q "L4 bytes 2 & 3"
	ethtool -X b0 default
	ethtool -L b0 combined 1
}

# rxq_deltas DEV: each RX queue's packets since the last call, "q0 N q1 N .."
declare -A RXQ0
rxq_deltas() {
	local q out=""

	stats "$1"
	for ((q = 0; q < 8; q++)); do
		[ -n "${S[rx_queue_${q}_packets]:-}" ] || break
		out+="q$q $((S[rx_queue_${q}_packets] - ${RXQ0[$q]:-0})) "
		RXQ0[$q]=${S[rx_queue_${q}_packets]}
	done
	echo "$out"
}

# A queue count change keeps a table set with ethtool -X while it names
# existing queues only (the core refuses a shrink below it) and otherwise
# spreads the new count, ring 0 included: after 3 queues and back to 1,
# every frame is on ring 0.
test_channels_rss() {
	set -e
	ethtool -L b0 combined 4
	# the user's table: rings 1 and 2 only
	ethtool -X b0 weight 0 1 1
	must_fail ethtool -L b0 combined 2
	ethtool -L b0 combined 3
	ethtool -x b0 | grep -q "with 3 RX ring"
	wait_link
	rxq_deltas b0 >/dev/null
	xfer -n 64 -f 16 -q 3 a0 b0 >/dev/null
	d=$(rxq_deltas b0)
	echo "3 queues, table on rings 1 and 2: $d"
	[[ $d == "q0 0 "* ]] || fail "the user's table was lost: $d"
	[[ $d != *"q1 0 "* && $d != *"q2 0 "* ]] || fail "a ring of the table unused: $d"
	# the default table again: a shrink spreads the new count
	ethtool -X b0 default
	ethtool -L b0 combined 1
	wait_link
	rxq_deltas b0 >/dev/null
	xfer -n 64 -f 16 a0 b0 >/dev/null || fail "frames lost on 1 queue"
	d=$(rxq_deltas b0)
	echo "back to 1 queue: $d"
	[ "$d" = "q0 64 " ] || fail "ring 0 did not get all 64: $d"
}

test_pause() {
	set -e
	ethtool -a a0 | grep -q "^RX:[[:space:]]*on"
	ethtool -A a0 rx off tx off
	out=$(ethtool -a a0)
	grep -q "^RX:[[:space:]]*off" <<<"$out"
	grep -q "^TX:[[:space:]]*off" <<<"$out"
	must_fail ethtool -A a0 autoneg on
	ethtool -A a0 rx on tx on
}

test_stats_info() {
	set -e
	traffic 1 "nothing"
	stats a0
	for k in rx_packets tx_packets tx_dropped tx_queue_0_restart_queue \
		tx_queue_0_stops tx_queue_0_bql_limit tx_queue_0_dropped \
		rx_queue_0_drops rx_queue_0_missed rx_queue_0_pauses \
		rx_queue_0_xdp_drop q_vector_0_interrupts q_vector_0_polls_full \
		q_vector_0_itr_changes; do
		[[ ${S[$k]} =~ ^[0-9]+$ ]] || fail "ethtool -S lacks $k"
	done
	[ "${S[tx_packets]}" -ge 200 ] || fail "tx_packets ${S[tx_packets]}"
	[ "${S[tx_queue_0_bql_limit]}" -gt 0 ] || fail "no BQL limit"
	out=$(ethtool -i a0)
	grep -q "^bus-info: klab_igb:" <<<"$out"
	grep -q "^supports-test: yes" <<<"$out"
	grep -q "^supports-statistics: yes" <<<"$out"
	# ip -s link is the same rtnl stats64
	rx=$(ip -j -s link show b0 | jq '.[0].stats64.rx.packets')
	stats b0
	[ "$rx" = "${S[rx_packets]}" ] || fail "ip -s $rx vs ethtool -S ${S[rx_packets]}"
}

test_selftest() {
	set -e
	ethtool -t a0 offline | tee "$IGB_OUT/t.out"
	grep -q "The test result is PASS" "$IGB_OUT/t.out"
	for t in "Register test" "Interrupt test" "Loopback test" "Link test"; do
		grep -q "^$t.*[[:space:]]0$" "$IGB_OUT/t.out" || fail "$t"
	done
	# the device came back up and carries traffic
	traffic 1 "ethtool -t"
	# without a peer up, the link test fails
	ip link set b0 down
	! ethtool -t a0 online > "$IGB_OUT/t.out" || fail "link test passed"
	grep -q "^Link test.*[[:space:]]1$" "$IGB_OUT/t.out"
	ip link set b0 up
}

igb_require
igb_local_up queues 1
ktap_plan 10
igb_run "ring_param" test_rings
igb_run "channels" test_channels
igb_run "coalesce" test_coalesce
igb_run "features" test_features
igb_run "rss_indirection_and_key" test_rss
igb_run "channels_keep_or_reset_rss" test_channels_rss
igb_run "pause" test_pause
igb_run "stats_and_info" test_stats_info
igb_run "self_test" test_selftest
igb_pair_down
igb_run "page_pools_released" pp_check_released
ktap_finish
