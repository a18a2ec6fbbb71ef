#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The receive side: RSS spreads flows over queues and keeps each flow on
# one; frames with a bad IPv4 checksum or ihl < 5 are dropped by the IP
# layer and counted in /proc/net/snmp; XDP_DROP, XDP_TX, XDP_REDIRECT and
# XDP_ABORTED do what they say and are counted.
source "$(dirname "$0")/igb_lib.sh"

# rxq NS DEV: the RX queues' packet counters, space-separated
rxq() {
	ip netns exec "$1" ethtool -S "$2" |
		awk '/rx_queue_[0-9]+_packets:/ { printf "%s ", $2 }'
}

test_rss_spread() {
	set -e
	inb ethtool -L b0 combined 4
	wait_link
	used=()
	for f in $(seq 0 15); do
		before=($(rxq "$NSB" b0))
		ina "$PKT" flow a0 "$(mac "$NSB" b0)" $((20000 + f * 7)) 20
		sleep 0.1
		after=($(rxq "$NSB" b0))
		hit=
		for q in 0 1 2 3; do
			d=$(( after[q] - before[q] ))
			if [ $d = 20 ] && [ -z "$hit" ]; then
				hit=$q
			elif [ $d != 0 ]; then
				fail "flow $f: queue $q got $d frames"
			fi
		done
		[ -n "$hit" ] || fail "flow $f: no queue got all 20 frames"
		used[$hit]=$(( ${used[$hit]:-0} + 1 ))
	done
	echo "flows per queue: ${used[*]} (queues used: ${!used[*]})"
	[ ${#used[@]} -ge 3 ] || fail "16 flows on ${#used[@]} queues"
	# the indirection table decides: everything to queue 2
	inb ethtool -X b0 weight 0 0 1 0
	before=($(rxq "$NSB" b0))
	ina "$PKT" burst a0 "$(mac "$NSB" b0)" 64 16
	sleep 0.2
	after=($(rxq "$NSB" b0))
	[ $(( after[2] - before[2] )) = 64 ] || fail "indirection to queue 2 ignored"
	inb ethtool -X b0 default
	inb ethtool -L b0 combined 1
	wait_link
}

# snmp KEY: an IPv4 counter of /proc/net/snmp (Ip:) or /proc/net/netstat
# (IpExt:, where InCsumErrors lives) in igbB
snmp() {
	inb awk -v k="$1" '$1 == "Ip:" || $1 == "IpExt:" {
		if (!((FILENAME, $1) in seen)) {
			seen[FILENAME, $1] = 1
			for (i = 1; i <= NF; i++) h[i] = $i
		} else {
			for (i = 1; i <= NF; i++) if (h[i] == k) print $i
		}
	}' /proc/net/snmp /proc/net/netstat
}

test_inject_bad_headers() {
	set -e
	c0=$(snmp InCsumErrors)
	h0=$(snmp InHdrErrors)
	ina "$PKT" badcsum a0 "$(mac "$NSB" b0)"
	sleep 0.2
	echo "IpExt InCsumErrors $c0 -> $(snmp InCsumErrors), Ip InHdrErrors $h0 -> $(snmp InHdrErrors)"
	[ "$(snmp InCsumErrors)" = $((c0 + 1)) ] || fail "bad checksum not counted"
	[ "$(snmp InHdrErrors)" = $((h0 + 1)) ] || fail "bad checksum not a header error"
	ina "$PKT" badihl a0 "$(mac "$NSB" b0)"
	sleep 0.2
	[ "$(snmp InHdrErrors)" = $((h0 + 2)) ] || fail "ihl 4 not counted"
	[ "$(snmp InCsumErrors)" = $((c0 + 1)) ] || fail "ihl 4 counted as checksum"
}

xdp_sum() {
	ip netns exec "$1" ethtool -S "$2" |
		awk -v k="_$3:" 'index($1, k) && $1 ~ /^rx_queue/ { s += $2 } END { print s + 0 }'
}

test_xdp_drop_tx_aborted() {
	set -e
	inb ip -force link set dev b0 xdp obj "$XDP_OBJ" sec xdp_drop
	d0=$(xdp_sum "$NSB" b0 xdp_drop)
	ina "$PKT" burst a0 "$(mac "$NSB" b0)" 100
	! ina $PING -c 1 -W 1 10.99.0.2 >/dev/null || fail "ping through XDP_DROP"
	sleep 0.2
	d=$(( $(xdp_sum "$NSB" b0 xdp_drop) - d0 ))
	echo "xdp_drop: $d"
	[ "$d" = 101 ] || fail "XDP_DROP counted $d of 101"

	inb ip -force link set dev b0 xdp obj "$XDP_OBJ" sec xdp_tx
	t0=$(xdp_sum "$NSB" b0 xdp_tx)
	a0rx=$(stat "$NSA" a0 rx_packets)
	ina "$PKT" burst a0 "$(mac "$NSB" b0)" 100
	sleep 0.3
	[ $(( $(xdp_sum "$NSB" b0 xdp_tx) - t0 )) = 100 ] || fail "XDP_TX count"
	[ $(( $(stat "$NSA" a0 rx_packets) - a0rx )) -ge 100 ] || fail "XDP_TX frames did not come back"

	inb ip -force link set dev b0 xdp obj "$XDP_OBJ" sec xdp_aborted
	ab0=$(xdp_sum "$NSB" b0 xdp_aborted)
	ina "$PKT" burst a0 "$(mac "$NSB" b0)" 10
	sleep 0.2
	[ $(( $(xdp_sum "$NSB" b0 xdp_aborted) - ab0 )) = 10 ] || fail "XDP_ABORTED count"

	inb ip -force link set dev b0 xdp obj "$XDP_OBJ" sec xdp_pass
	ina $PING -c 1 -W 2 10.99.0.2 >/dev/null || fail "ping through XDP_PASS"
	# XDP needs a frame in one buffer: no jumbo MTU with a program
	! inb ip link set dev b0 mtu 9000 2>/dev/null || fail "jumbo MTU under XDP"
	inb ip link set dev b0 xdp off
	inb ip link set dev b0 mtu 9000
	! inb ip -force link set dev b0 xdp obj "$XDP_OBJ" sec xdp_pass 2>/dev/null ||
		fail "XDP attached at MTU 9000"
	inb ip link set dev b0 mtu 1500
}

test_xdp_redirect() {
	set -e
	inb ip link set dev b0 xdp off
	# a second pair: c0 beside b0 in igbB, d0 beside a0 in igbA
	klabctl igb add c0 peer d0 queues 1 >/dev/null
	ip link set c0 netns "$NSB"
	ip link set d0 netns "$NSA"
	inb ip link set c0 up
	ina ip link set d0 up
	idx=$(inb cat /sys/class/net/c0/ifindex)
	obj=$IGB_OUT/xdp_redirect.o
	clang -target bpf -O2 -g -I"/usr/include/$(gcc -dumpmachine)" \
		-DKIGB_REDIRECT_IFINDEX="$idx" -c -o "$obj" \
		"$(dirname "$0")/xdp_progs.c"
	inb ip -force link set dev b0 xdp obj "$obj" sec xdp_redirect
	r0=$(xdp_sum "$NSB" b0 xdp_redirect)
	d0rx=$(stat "$NSA" d0 rx_packets)
	ina "$PKT" burst a0 "$(mac "$NSB" b0)" 100
	sleep 0.3
	echo "redirected $(( $(xdp_sum "$NSB" b0 xdp_redirect) - r0 ))," \
		"d0 received $(( $(stat "$NSA" d0 rx_packets) - d0rx ))," \
		"c0 xdp_xmit $(stat "$NSB" c0 tx_queue_0_xdp_xmit)"
	[ $(( $(xdp_sum "$NSB" b0 xdp_redirect) - r0 )) = 100 ] || fail "XDP_REDIRECT count"
	[ $(( $(stat "$NSA" d0 rx_packets) - d0rx )) = 100 ] || fail "redirected frames lost"
	[ "$(stat "$NSB" c0 tx_queue_0_xdp_xmit)" = 100 ] || fail "ndo_xdp_xmit count"
	inb ip link set dev b0 xdp off
	inb klabctl igb del c0
}

igb_require
igb_pair_up queues 1
ktap_plan 4
ktap_run "rss_spreads_and_pins_flows" test_rss_spread
ktap_run "bad_ip_headers_counted" test_inject_bad_headers
ktap_run "xdp_drop_tx_aborted" test_xdp_drop_tx_aborted
ktap_run "xdp_redirect" test_xdp_redirect
igb_pair_down
ktap_finish
