# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# The forwarding setup shared by the nf_hipac benchmarks (sourced by
# bench/hipac.sh and bench/hipac-ct.sh): a router namespace, pktgen
# traffic into it, the rate leaving it.  The caller sets:
#   bench      the "bench" name of its JSON lines
#   source     inject or veth (see bench/hipac.sh)
#   burst      packets per skb for the inject source
#   secs       traffic time per measurement
#   repeat     measurements per point (the median is reported)
#   traffic    extra pktgen settings (an array; later settings win)
. "$root/bench/lib.sh"

tmp=$(mktemp -d)
src=hbsrc$$
rtr=hbrtr$$
rmac=02:6b:6c:62:00:01

cleanup() {
	ip netns del "$src" 2>/dev/null
	ip netns del "$rtr" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

json() {
	echo "{\"bench\":\"$bench\",$1}"
}

die() {
	json "\"error\":\"$*\""
	exit 1
}

now() { echo "${EPOCHREALTIME/,/.}"; }

# A fresh router (and, for the veth source, source) namespace; r0 is
# where the traffic arrives, dum0 where it leaves (default route).
topology() {
	cleanup
	mkdir -p "$tmp"
	ip netns add "$rtr" || return 1
	if [ "$source" = veth ]; then
		ip netns add "$src" || return 1
		ip -n "$rtr" link add r0 address $rmac type veth peer name s0 netns "$src" || return 1
		ip -n "$src" link set s0 up || return 1
	else
		ip -n "$rtr" link add r0 address $rmac type dummy || return 1
	fi
	ip -n "$rtr" -batch - <<-EOF || return 1
		link add dum0 type dummy
		link set lo up
		link set r0 up
		link set dum0 up
		route add default dev dum0
	EOF
	ip netns exec "$rtr" bash -c '
		echo 1 >/proc/sys/net/ipv4/conf/all/forwarding
		for f in /proc/sys/net/ipv4/conf/*/rp_filter; do echo 0 >"$f"; done'
}

# pktgen_run NETNS DEV [SETTING...]: $secs seconds of UDP 64-byte packets
# to the router's r0 from the pktgen thread of NETNS; by default one flow,
# 198.18.0.1:9 -> 172.24.0.2:9, which the SETTINGs may change
pktgen_run() {
	local ns=$1 dev=$2

	shift 2
	ip netns exec "$ns" bash -c '
		pg=/proc/net/pktgen dev=$1
		shift
		echo rem_device_all >$pg/kpktgend_0
		# the thread lets go of the previous device when it next
		# looks (EBUSY until then), later under a slow rule set
		for i in $(seq 100); do
			echo "add_device $dev" 2>/dev/null >$pg/kpktgend_0 && break
			sleep 0.1
		done
		for c in "count 0" "pkt_size 64" "delay 0" \
			"dst 172.24.0.2" "src_min 198.18.0.1" "src_max 198.18.0.1" \
			"dst_mac '"$rmac"'" "udp_src_min 9" "udp_src_max 9" \
			"udp_dst_min 9" "udp_dst_max 9" "$@"; do
			echo "$c" >$pg/$dev || exit 1
		done
		echo start >$pg/pgctrl &
		sleep '"$secs"'
		echo stop >$pg/pgctrl
		wait' pktgen "$dev" "$@"
}

# measure: packets per second forwarded during $secs seconds of traffic
measure() {
	local before after t0 t1

	before=$(ip netns exec "$rtr" cat /sys/class/net/dum0/statistics/tx_packets)
	t0=$(now)
	if [ "$source" = veth ]; then
		pktgen_run "$src" s0 "clone_skb 0" "${traffic[@]}"
	else
		pktgen_run "$rtr" r0 "xmit_mode netif_receive" "burst $burst" "${traffic[@]}"
	fi || return 1
	t1=$(now)
	after=$(ip netns exec "$rtr" cat /sys/class/net/dum0/statistics/tx_packets)
	awk -v p=$((after - before)) -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", p / (b - a) }'
}

# measure_median [PREPARE]: the median of $repeat measurements, then all
# of them; PREPARE (a command) runs before each one
measure_median() {
	local runs=() i

	for ((i = 0; i < repeat; i++)); do
		[ $# = 0 ] || "$@" || return 1
		runs+=("$(measure)") || return 1
	done
	echo "$(median "${runs[@]}") $(IFS=,; echo "${runs[*]}")"
}

# ratio NAME A B: ${pps[A]} / ${pps[B]} as a JSON line, null when one is
# missing (the caller's associative array pps)
ratio() {
	local a=${pps[$2]:-} b=${pps[$3]:-} r=null

	[ -n "$a" ] && [ -n "$b" ] && [ "$b" != 0 ] &&
		r=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", a / b }')
	json "\"ratio\":\"$1\",\"numerator\":\"$2\",\"denominator\":\"$3\",\"value\":$r"
}
