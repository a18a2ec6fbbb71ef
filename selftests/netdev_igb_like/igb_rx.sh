#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The receive side: RSS spreads flows over queues and keeps each flow on
# one; frames with a bad IPv4 checksum, ihl < 5 or a version other than 4
# are dropped by the IP layer before netfilter's PRE_ROUTING hook and
# counted (InHdrErrors in /proc/net/snmp, InCsumErrors in
# /proc/net/netstat on 6.1); XDP_DROP, XDP_TX, XDP_REDIRECT and
# XDP_ABORTED do what they say and are counted.
source "$(dirname "$0")/igb_lib.sh"

test_rss_spread() {
	set -e
	ethtool -L b0 combined 4
	wait_link
	stats b0
	declare -A before
	for q in 0 1 2 3; do before[$q]=${S[rx_queue_${q}_packets]}; done
	# 16 flows, 20 frames each, interleaved; a packet socket per RX queue
	xfer -n 320 -f 16 -q 4 -p a0 b0 || fail "a flow left its queue, or frames were lost"
	stats b0
	line="${XFER%%$'\n'*} "
	used=0
	for q in 0 1 2 3; do
		d=$((S[rx_queue_${q}_packets] - before[$q]))
		[[ $line == *" q$q $d "* ]] || fail "queue $q counted $d, the sockets saw otherwise"
		[ "$d" = 0 ] || used=$((used + 1))
		# a flow's 20 frames stay together
		[ $((d % 20)) = 0 ] || fail "queue $q got $d frames, not whole flows"
	done
	[ "$used" -ge 3 ] || fail "16 flows on $used queues"
	ethtool -L b0 combined 1
}

# snmp KEY: an IPv4 counter of /proc/net/snmp (Ip:) or /proc/net/netstat
# (IpExt:, where 6.1 keeps InCsumErrors)
snmp() {
	local f tag names values i

	for f in /proc/net/snmp /proc/net/netstat; do
		while read -r tag names; do
			[ "$tag" = Ip: ] || [ "$tag" = IpExt: ] || continue
			read -r _ values
			names=($names)
			values=($values)
			for i in "${!names[@]}"; do
				[ "${names[i]}" = "$1" ] && { echo "${values[i]}"; return; }
			done
		done < "$f"
	done
}

# prerouting: frames from b0 that reached netfilter's PRE_ROUTING hook, as
# counted by the raw table's rule
prerouting() {
	local pkts

	read -r pkts _ < <(iptables-legacy -t raw -nvxL PREROUTING 1)
	echo "$pkts"
}

# inject KIND: one igb_pkt frame of KIND from a0 to b0, then the IPv4
# counters and PRE_ROUTING's, as "InCsumErrors InHdrErrors PREROUTING"
inject() {
	"$PKT" "$1" a0 "$(mac b0)"
	sleep 0.2
	echo "$(snmp InCsumErrors) $(snmp InHdrErrors) $(prerouting)"
}

test_inject_bad_headers() {
	local kind csum c h p c0 h0 p0

	set -e
	wait_link
	# a rule in the raw table's PREROUTING counts what ip_rcv lets through
	iptables-legacy -t raw -A PREROUTING -i b0 -j ACCEPT
	trap 'iptables-legacy -t raw -F PREROUTING' EXIT
	read -r c0 h0 p0 < <(inject good)
	echo "good frame: InCsumErrors $c0 InHdrErrors $h0 PREROUTING $p0"
	[ "$p0" = 1 ] || fail "a good frame: PREROUTING counted $p0, not 1"
	for kind in badcsum badihl badver; do
		read -r c h p < <(inject $kind)
		# 6.1 counts a bad checksum in both
		csum=0
		[ $kind != badcsum ] || csum=1
		echo "$kind: InCsumErrors +$((c - c0)) InHdrErrors +$((h - h0))" \
			"PREROUTING +$((p - p0))"
		[ "$h" = $((h0 + 1)) ] || fail "$kind: not counted in InHdrErrors"
		[ "$c" = $((c0 + csum)) ] ||
			fail "$kind: InCsumErrors went from $c0 to $c"
		[ "$p" = "$p0" ] || fail "$kind reached PRE_ROUTING"
		c0=$c h0=$h
	done
}

# xdp_sum DEV KEY: a per-queue counter summed over the RX queues
xdp_sum() {
	local k n=0

	stats "$1"
	for k in "${!S[@]}"; do
		[[ $k == rx_queue_*_$2 ]] && n=$((n + S[$k]))
	done
	echo "$n"
}

test_xdp_drop_tx_aborted() {
	set -e
	ip link set dev b0 xdp obj "$XDP_OBJ" sec xdp_drop
	d0=$(xdp_sum b0 xdp_drop)
	xfer -n 100 -e 0 -w 300 a0 b0 || fail "frames passed XDP_DROP"
	d=$(( $(xdp_sum b0 xdp_drop) - d0 ))
	echo "xdp_drop: $d"
	[ "$d" = 100 ] || fail "XDP_DROP counted $d of 100"

	# a program replaces another only when forced
	! ip link set dev b0 xdp obj "$XDP_OBJ" sec xdp_tx 2>/dev/null ||
		fail "replaced an attached program without -force"
	ip -force link set dev b0 xdp obj "$XDP_OBJ" sec xdp_tx
	t0=$(xdp_sum b0 xdp_tx)
	# the frames come back to a0, addresses swapped
	xfer -n 100 -r a0 a0 b0 || fail "XDP_TX frames did not all come back"
	[ $(( $(xdp_sum b0 xdp_tx) - t0 )) = 100 ] || fail "XDP_TX count"

	ip -force link set dev b0 xdp obj "$XDP_OBJ" sec xdp_aborted
	ab0=$(xdp_sum b0 xdp_aborted)
	xfer -n 10 -e 0 -w 300 a0 b0 || fail "frames passed XDP_ABORTED"
	[ $(( $(xdp_sum b0 xdp_aborted) - ab0 )) = 10 ] || fail "XDP_ABORTED count"

	ip -force link set dev b0 xdp obj "$XDP_OBJ" sec xdp_pass
	p0=$(xdp_sum b0 xdp_pass)
	xfer -n 50 a0 b0 || fail "XDP_PASS lost frames"
	[ $(( $(xdp_sum b0 xdp_pass) - p0 )) = 50 ] || fail "XDP_PASS count"
	# XDP needs a frame in one buffer: no jumbo MTU with a program
	! ip link set dev b0 mtu 9000 2>/dev/null || fail "jumbo MTU under XDP"
	ip link set dev b0 xdp off
	ip link set dev b0 mtu 9000
	! ip link set dev b0 xdp obj "$XDP_OBJ" sec xdp_pass 2>/dev/null ||
		fail "XDP attached at MTU 9000"
	ip link set dev b0 mtu 1500
}

test_xdp_redirect() {
	set -e
	# c0 was created right after b0: the program sends to index b0 + 1
	read -r ib < /sys/class/net/b0/ifindex
	read -r ic < /sys/class/net/c0/ifindex
	[ "$ic" = $((ib + 1)) ] || fail "c0 is $ic, b0 $ib: not consecutive"
	ip link set dev b0 xdp obj "$XDP_OBJ" sec xdp_redirect_next
	r0=$(xdp_sum b0 xdp_redirect)
	stats c0
	x0=${S[tx_queue_0_xdp_xmit]}
	# a0 -> b0, redirected out of c0, received by d0
	xfer -n 100 -r d0 a0 b0 || fail "redirected frames lost"
	r=$(( $(xdp_sum b0 xdp_redirect) - r0 ))
	stats c0
	x=$((S[tx_queue_0_xdp_xmit] - x0))
	echo "redirected $r, c0 ndo_xdp_xmit $x"
	[ "$r" = 100 ] || fail "XDP_REDIRECT counted $r"
	[ "$x" = 100 ] || fail "ndo_xdp_xmit counted $x"
	ip link set dev b0 xdp off
}

igb_require
igb_local_up queues 1
klabctl igb add c0 peer d0 queues 1 >/dev/null
quiet c0
quiet d0
ip link set c0 up
ip link set d0 up
ktap_plan 5
igb_run "rss_spreads_and_pins_flows" test_rss_spread
igb_run "bad_ip_headers_counted" test_inject_bad_headers
igb_run "xdp_drop_tx_aborted_pass" test_xdp_drop_tx_aborted
igb_run "xdp_redirect" test_xdp_redirect
klabctl igb del c0
igb_pair_down
igb_run "page_pools_released" pp_check_released
ktap_finish
