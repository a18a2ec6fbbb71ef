#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The receive side: RSS spreads flows over queues and keeps each flow on
# one; frames with a bad IPv4 checksum, ihl < 5 or a version other than 4
# are dropped by the IP layer before netfilter's PRE_ROUTING hook and
# counted (InHdrErrors in /proc/net/snmp, InCsumErrors in
# /proc/net/netstat on 6.1); XDP_DROP, XDP_TX, XDP_REDIRECT and
# XDP_ABORTED do what they say and are counted; frames up to MTU + 18
# are taken, longer ones counted as length errors; legacy-rx hands up
# skbs from napi_alloc_skb (NET_SKB_PAD of headroom) in 2048-byte buffers.
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

# rx0 DEV: "PACKETS BYTES LENGTH_ERRORS" of RX queue 0
rx0() {
	stats "$1"
	echo "${S[rx_queue_0_packets]} ${S[rx_queue_0_bytes]}" \
		"${S[rx_queue_0_length_errors]}"
}

# sized LEN: one frame of LEN bytes a0 -> b0, then, once the wire has
# delivered or refused it (polled: no fixed sleep), what b0's queue 0
# counted for it: "PACKETS BYTES LENGTH_ERRORS"
sized() {
	local p0 b0 l0 p b l i

	read -r p0 b0 l0 < <(rx0 b0)
	"$PKT" sized a0 "$(mac b0)" "$1"
	for ((i = 0; i < 100; i++)); do
		read -r p b l < <(rx0 b0)
		[ $((p + l)) = $((p0 + l0)) ] || break
		sleep 0.05
	done
	echo "$((p - p0)) $((b - b0)) $((l - l0))"
}

# The notes' frame sizes, 64-1518 bytes with the FCS: the wire has no
# FCS, so 60-1514, and like igb's RLPML (MTU + 14 + 4 for a VLAN tag)
# the receiver takes up to MTU + 18; longer frames are counted as length
# errors (rx_length_errors, igb's ROC), shorter ones are padded to 60 by
# the sender as the 82576 pads them (TCTL.PSP).
test_frame_lengths() {
	local len want got

	set -e
	ip link set a0 mtu 9000
	for len in 42:"1 60 0" 1514:"1 1514 0" 1518:"1 1518 0" 1519:"0 0 1"; do
		want=${len#*:}
		len=${len%%:*}
		got=$(sized "$len")
		echo "a $len-byte frame: packets bytes length_errors +($got)"
		[ "$got" = "$want" ] || fail "$len bytes: +($got), not +($want)"
	done
	stats b0
	[ "${S[rx_length_errors]}" -ge 1 ] || fail "rx_length_errors not counted"
	# a0 stays at MTU 9000 for test_legacy_rx
}

# rxring_ntc DEV: next_to_clean of the device's first RX ring
rxring_ntc() {
	show "$1" | jq '[.rings[] | select(.kind == "rx")][0].next_to_clean'
}

# buffers_for LEN: RX descriptors one frame of LEN bytes took on b0
buffers_for() {
	local n0

	n0=$(rxring_ntc b0)
	[ "$(sized "$1")" = "1 $1 0" ] || fail "a $1-byte frame did not arrive"
	echo $(( ($(rxring_ntc b0) - n0 + 256) % 256 ))
}

# check_rx_mode MODE FLAG BUF_LEN: b0's legacy-rx flag is FLAG and its RX
# buffers are BUF_LEN bytes (ethtool -g)
check_rx_mode() {
	ethtool --show-priv-flags b0 | grep -q "^legacy-rx *: $2" ||
		fail "$1: legacy-rx is not $2"
	ethtool -g b0 | grep -q "^RX Buf Len:[[:space:]]*$3$" ||
		fail "$1: ethtool -g: $(ethtool -g b0 | grep -i buf)"
}

# check_rx_frame MODE BUFFERS HEADROOM SKB_MIN [SKB_MAX]: a 3000-byte
# frame takes BUFFERS buffers, every frame arrived with HEADROOM bytes
# before it, and napi_alloc_skb() made SKB_MIN skbs or more (no more than
# SKB_MAX)
check_rx_frame() {
	local n

	n=$(buffers_for 3000)
	stats b0
	echo "$1: a 3000-byte frame in $n buffers;" \
		"skb_alloc ${S[rx_queue_0_skb_alloc]}," \
		"headroom ${S[rx_queue_0_headroom_min]}-${S[rx_queue_0_headroom_max]}"
	[ "$n" = "$2" ] || fail "$1: 3000 bytes in $n buffers"
	[ "${S[rx_queue_0_headroom_min]}" = "$3" ] &&
		[ "${S[rx_queue_0_headroom_max]}" = "$3" ] ||
		fail "$1: headroom is not $3"
	[ "${S[rx_queue_0_skb_alloc]}" -ge "$4" ] &&
		[ "${S[rx_queue_0_skb_alloc]}" -le "${5:-${S[rx_queue_0_skb_alloc]}}" ] ||
		fail "$1: skb_alloc ${S[rx_queue_0_skb_alloc]}, not $4-${5:-}"
}

# legacy-rx (igb's private flag): skbs come from napi_alloc_skb(), whose
# NET_SKB_PAD (64 on x86-64) + NET_IP_ALIGN (0) is the headroom they
# arrive with, and buffers are 2048 bytes; without it skbs are built
# over page_pool pages after XDP_PACKET_HEADROOM (256), 3520 bytes each.
test_legacy_rx() {
	set -e
	check_rx_mode "page_pool mode" off 3520
	# a0 is at MTU 9000 since test_frame_lengths
	ip link set b0 mtu 9000
	# no skb from napi_alloc_skb()
	check_rx_frame "page_pool mode" 1 256 0 0

	ethtool --set-priv-flags b0 legacy-rx on
	check_rx_mode legacy-rx on 2048
	wait_link
	xfer -n 64 a0 b0 >/dev/null
	# every frame since the rings were set up again (64 and the jumbo
	# one) came from napi_alloc_skb(), with NET_SKB_PAD (64) headroom
	check_rx_frame legacy-rx 2 64 65
	# the pair is deleted next, with legacy-rx on: its pages come back too
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
ktap_plan 7
igb_run "rss_spreads_and_pins_flows" test_rss_spread
igb_run "bad_ip_headers_counted" test_inject_bad_headers
igb_run "xdp_drop_tx_aborted_pass" test_xdp_drop_tx_aborted
igb_run "xdp_redirect" test_xdp_redirect
# last: they leave a0 at MTU 9000 and b0 in legacy-rx
igb_run "rx_frame_lengths" test_frame_lengths
igb_run "legacy_rx_napi_alloc_headroom" test_legacy_rx
klabctl igb del c0
igb_pair_down
igb_run "page_pools_released" pp_check_released
ktap_finish
