#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Benchmark (not a test) of nf_hipac against iptables-legacy and an
# nftables linear chain, in the same boot (make bench-hipac, in the VM).
# The worst case of nf-HiPAC's own measurements: N FORWARD rules the
# traffic misses, then one that accepts it (policy DROP), for N = 1, 10,
# 100, 1k, 10k, 100k.  pktgen in a source namespace floods UDP over a veth
# pair into a router namespace that forwards it to a dummy device; the
# rate is what leaves through the dummy.  One JSON line per (system, N)
# with the rule-load time (the loading command, process start included)
# and the forwarding rate, then the ratios the issue's goals refer to.
#
#   KLAB_BENCH_SECONDS   traffic time per measurement (default 3)
#   KLAB_BENCH_RULES     the N values (default "1 10 100 1000 10000 100000")
#   KLAB_BENCH_MAX_LOAD  seconds: a system whose load took longer than this
#                        is not tried with 10x the rules (default 120)
#   KLAB_BENCH_CAP       most rules per system (default "iptables-legacy=10000
#                        nft=10000": under TCG, loading 100k rules into the
#                        linear ones and pushing packets through them takes
#                        minutes; their rate falls linearly with N anyway)
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
gen=$root/build/selftests/nf_hipac/hipac_gen
klabctl=$root/build/bin/klabctl
secs=${KLAB_BENCH_SECONDS:-3}
sizes=${KLAB_BENCH_RULES:-1 10 100 1000 10000 100000}
max_load=${KLAB_BENCH_MAX_LOAD:-120}
declare -A cap=()
for c in ${KLAB_BENCH_CAP-iptables-legacy=10000 nft=10000}; do
	cap[${c%%=*}]=${c#*=}
done
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

die() {
	echo "{\"bench\":\"hipac\",\"error\":\"$*\"}"
	exit 1
}

now() { echo "${EPOCHREALTIME/,/.}"; }

# A fresh source and router pair: 198.18.0.1 -> 172.24.0.2 (UDP port 9)
topology() {
	cleanup
	mkdir -p "$tmp"
	ip netns add "$src" && ip netns add "$rtr" || return 1
	ip -n "$rtr" -batch - <<-EOF || return 1
		link add r0 address $rmac type veth peer name s0 netns $src
		link add dum0 type dummy
		link set lo up
		link set r0 up
		link set dum0 up
		route add default dev dum0
	EOF
	ip -n "$src" link set s0 up || return 1
	ip netns exec "$rtr" bash -c '
		echo 1 >/proc/sys/net/ipv4/conf/all/forwarding
		for f in /proc/sys/net/ipv4/conf/*/rp_filter; do echo 0 >"$f"; done'
}

# measure: packets per second forwarded during $secs seconds of pktgen
measure() {
	local before after t0 t1

	before=$(ip netns exec "$rtr" cat /sys/class/net/dum0/statistics/tx_packets)
	t0=$(now)
	ip netns exec "$src" bash -c '
		pg=/proc/net/pktgen
		echo rem_device_all >$pg/kpktgend_0
		echo "add_device s0" >$pg/kpktgend_0
		for c in "count 0" "clone_skb 0" "pkt_size 64" "delay 0" \
			"dst 172.24.0.2" "src_min 198.18.0.1" "src_max 198.18.0.1" \
			"dst_mac '"$rmac"'" "udp_src_min 9" "udp_src_max 9" \
			"udp_dst_min 9" "udp_dst_max 9"; do
			echo "$c" >$pg/s0
		done
		echo start >$pg/pgctrl &
		sleep '"$secs"'
		echo stop >$pg/pgctrl
		wait'
	t1=$(now)
	after=$(ip netns exec "$rtr" cat /sys/class/net/dum0/statistics/tx_packets)
	awk -v p=$((after - before)) -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", p / (b - a) }'
}

# load SYSTEM N: replace the router's rule set, print the seconds it took
load() {
	local t0 t1 rc

	"$gen" -f 4 -w "$2" -r "$tmp/rules" -t "$tmp/nft" || return 1
	case $1 in
	nft) ip netns exec "$rtr" nft flush ruleset || return 1 ;;
	esac
	t0=$(now)
	case $1 in
	nf_hipac) ip netns exec "$rtr" "$klabctl" hipac restore -4 <"$tmp/rules" ;;
	iptables-legacy) ip netns exec "$rtr" iptables-legacy-restore <"$tmp/rules" ;;
	nft) ip netns exec "$rtr" nft -f "$tmp/nft" ;;
	esac
	rc=$?
	t1=$(now)
	[ $rc = 0 ] || return 1
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}

json() {
	echo "{\"bench\":\"hipac\",$1}"
}

for m in pktgen veth dummy ip_tables iptable_filter nf_tables; do
	modprobe "$m" || die "modprobe $m failed"
done
"$root/scripts/modules" load nf_hipac >/dev/null || die "loading nf_hipac failed"
[ -x "$gen" ] || die "$gen is not built (make selftests)"

declare -A pps
topology || die "setting up the namespaces failed"
base=$(measure)
json "\"system\":\"none\",\"rules\":0,\"seconds\":$secs,\"pps\":$base"

for sys in nf_hipac iptables-legacy nft; do
	topology || die "setting up the namespaces failed"
	capped=
	for n in $sizes; do
		if [ -n "${cap[$sys]:-}" ] && [ "$n" -gt "${cap[$sys]}" ]; then
			capped="capped at ${cap[$sys]} rules (KLAB_BENCH_CAP) to keep the run short under TCG"
		fi
		if [ -n "$capped" ]; then
			json "\"system\":\"$sys\",\"rules\":$n,\"skipped\":\"$capped\""
			continue
		fi
		if ! t=$(load "$sys" "$n"); then
			json "\"system\":\"$sys\",\"rules\":$n,\"error\":\"loading the rules failed\""
			capped="loading fewer rules failed"
			continue
		fi
		p=$(measure)
		pps[$sys/$n]=$p
		json "\"system\":\"$sys\",\"rules\":$n,\"load_s\":$t,\"seconds\":$secs,\"pps\":$p"
		if awk -v t="$t" -v m="$max_load" 'BEGIN { exit !(t > m) }'; then
			capped="loading $n rules took ${t} s (> ${max_load} s); capped"
		fi
	done
done

# ratio NAME A B: A/B as a JSON line, or null when one is missing
ratio() {
	local a=${pps[$2]:-} b=${pps[$3]:-} r=null

	[ -n "$a" ] && [ -n "$b" ] && [ "$b" != 0 ] &&
		r=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", a / b }')
	json "\"ratio\":\"$1\",\"numerator\":\"$2\",\"denominator\":\"$3\",\"value\":$r"
}
ratio "nf_hipac 100k rules vs 10 rules (goal >= 0.7)" nf_hipac/100000 nf_hipac/10
ratio "nf_hipac vs iptables-legacy at 10k rules (goal >= 10)" nf_hipac/10000 iptables-legacy/10000
ratio "nf_hipac vs nft at 10k rules" nf_hipac/10000 nft/10000
echo "summary: forwarding rate (pps) by rules; TCG emulation, absolute numbers are far below real hardware" >&2
for sys in nf_hipac iptables-legacy nft; do
	line="$sys:"
	for n in $sizes; do line="$line $n=${pps[$sys/$n]:--}"; done
	echo "  $line (no rules: $base)" >&2
done
