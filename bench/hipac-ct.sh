#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Benchmark (not a test): new connections per second through nf_hipac's
# stateful rules and SNAT against the same rules in iptables-legacy, in the
# same boot (make bench-hipac runs it after bench/hipac.sh).  Every packet
# is a new connection: pktgen steps the source address through
# 198.18.0.0/16 and the source port through 1024-65535 for each packet, one
# packet per skb, so conntrack creates, and the rules classify, one entry
# per packet; the rate is what leaves the router.  Two cases, each with
# N = 10, 1k, 10k rules:
#   stateful  FORWARD policy DROP: N - 1 rules the traffic misses
#             (-s 11.x.y.z -p udp --dport 9 -m conntrack --ctstate NEW -j
#             DROP), then -m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT
#   snat      nat POSTROUTING: N - 1 SNAT rules the traffic misses (other
#             sources), then SNAT of 198.18.0.0/16 to 172.25.0.1-254
# The conntrack table is flushed before each measurement and sized so it
# never fills; each JSON line also gives the entries a run left (about the
# packets forwarded, or some packets were not new).
#
#   KLAB_BENCH_SECONDS  traffic time per measurement (default 3)
#   KLAB_BENCH_REPEAT   measurements per point, the median is reported
#                       (default 3)
#   KLAB_BENCH_RULES    the N values (default "10 1000 10000")
#   KLAB_BENCH_CASES    the cases (default "stateful snat")
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
klabctl=$root/build/bin/klabctl
source=inject
burst=1
secs=${KLAB_BENCH_SECONDS:-3}
repeat=${KLAB_BENCH_REPEAT:-3}
sizes=${KLAB_BENCH_RULES:-10 1000 10000}
cases=${KLAB_BENCH_CASES:-stateful snat}
bench=hipac-ct
traffic=("src_min 198.18.0.1" "src_max 198.18.255.254"
	"udp_src_min 1024" "udp_src_max 65535")
. "$root/bench/hipac-lib.sh"

# rules CASE N: the restore file of case CASE with N rules
rules() {
	local n=$2

	if [ "$1" = stateful ]; then
		printf '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n'
		awk -v n="$n" 'BEGIN { for (i = 1; i < n; i++)
			printf "-A FORWARD -s 11.%d.%d.1/32 -p udp -m udp --dport 9 -m conntrack --ctstate NEW -j DROP\n",
				int(i / 256) % 256, i % 256 }'
		echo "-A FORWARD -m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT"
	else
		printf '*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n'
		awk -v n="$n" 'BEGIN { for (i = 1; i < n; i++)
			printf "-A POSTROUTING -s 11.%d.%d.1/32 -j SNAT --to-source 10.99.%d.%d\n",
				int(i / 256) % 256, i % 256, int(i / 256) % 256, i % 256 }'
		echo "-A POSTROUTING -s 198.18.0.0/16 -j SNAT --to-source 172.25.0.1-172.25.0.254"
	fi
	echo COMMIT
}

# load SYSTEM CASE N: replace the router's rule set, print the seconds it took
load() {
	local t0 t1 rc

	rules "$2" "$3" >"$tmp/rules" || return 1
	t0=$(now)
	case $1 in
	nf_hipac) ip netns exec "$rtr" "$klabctl" hipac restore -4 <"$tmp/rules" ;;
	iptables-legacy) ip netns exec "$rtr" iptables-legacy-restore <"$tmp/rules" ;;
	esac
	rc=$?
	t1=$(now)
	[ $rc = 0 ] || return 1
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}

for m in pktgen dummy ip_tables iptable_filter iptable_nat nf_conntrack nf_nat xt_conntrack; do
	modprobe "$m" || die "modprobe $m failed"
done
"$root/scripts/modules" load nf_hipac >/dev/null || die "loading nf_hipac failed"
sysctl -qw net.netfilter.nf_conntrack_buckets=262144 || die "nf_conntrack_buckets"
sysctl -qw net.netfilter.nf_conntrack_max=2000000 || die "nf_conntrack_max"

# Both systems' routers exist at once, and their measurements alternate
# (nf_hipac, iptables-legacy, nf_hipac, ...), so that a change in the
# host's load falls on both.
systems=(nf_hipac iptables-legacy)
declare -A router pps
for sys in "${systems[@]}"; do
	router[$sys]=hbrtr$$-${sys%%-*}
done
trap 'for r in "${router[@]}"; do ip netns del "$r" 2>/dev/null; done; cleanup' EXIT

flush_all() {
	local r

	for r in "${router[@]}"; do
		ip netns exec "$r" conntrack -F 2>/dev/null
	done
	return 0
}

for c in $cases; do
	for n in $sizes; do
		declare -A runs=() load_s=() conns=()
		for sys in "${systems[@]}"; do
			rtr=${router[$sys]}
			topology || die "setting up the namespaces failed"
			if ! load_s[$sys]=$(load "$sys" "$c" "$n"); then
				json "\"system\":\"$sys\",\"case\":\"$c\",\"rules\":$n,\"error\":\"loading the rules failed\""
				unset "load_s[$sys]"
			fi
		done
		for ((i = 0; i < repeat; i++)); do
			for sys in "${!load_s[@]}"; do
				rtr=${router[$sys]}
				flush_all
				p=$(measure) && [ -n "$p" ] || die "pktgen failed"
				runs[$sys]+=${runs[$sys]:+,}$p
				conns[$sys]=$(ip netns exec "$rtr" conntrack -C 2>/dev/null)
			done
		done
		for sys in "${!load_s[@]}"; do
			# shellcheck disable=SC2086 # the runs, split at commas
			p=$(IFS=,; median ${runs[$sys]})
			pps[$sys/$c/$n]=$p
			json "\"system\":\"$sys\",\"case\":\"$c\",\"rules\":$n,\"load_s\":${load_s[$sys]},\"seconds\":$secs,\"conn_per_s\":$p,\"runs\":[${runs[$sys]}],\"entries_after_last_run\":${conns[$sys]:-null}"
		done
		for sys in "${systems[@]}"; do
			rtr=${router[$sys]}
			cleanup
		done
		unset runs load_s conns
	done
done

for c in $cases; do
	ratio "$c: nf_hipac vs iptables-legacy at 10 rules (goal >= 1.0)" \
		nf_hipac/$c/10 iptables-legacy/$c/10
	ratio "$c: nf_hipac vs iptables-legacy at 10k rules (goal >= 10)" \
		nf_hipac/$c/10000 iptables-legacy/$c/10000
done
echo "summary: new connections per second by rules; TCG emulation, absolute numbers are far below real hardware" >&2
for c in $cases; do
	for sys in nf_hipac iptables-legacy; do
		line="$c $sys:"
		for n in $sizes; do line="$line $n=${pps[$sys/$c/$n]:--}"; done
		echo "  $line" >&2
	done
done
