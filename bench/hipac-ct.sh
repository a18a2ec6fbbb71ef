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
# Beside nf_hipac and iptables-legacy, two references measured with them:
#   nft-sets  nft at its best for these rules: the N - 1 missed rules as
#             one hash lookup (stateful: a set of ip saddr . udp dport
#             with ct state new, drop; snat: a map from ip saddr to the
#             SNAT address), then the same last rule
#   ceiling   iptables-legacy with the last rule alone: conntrack, the
#             accept (stateful) or the SNAT binding (snat) and no missed
#             rule, what a classifier of no cost would reach
# The conntrack table is flushed before each measurement and sized so it
# never fills; each JSON line also gives the entries a run left (about the
# packets forwarded, or some packets were not new).  Each system's
# verdicts are counted, not assumed: after its runs, a known number of new
# connections of the measured traffic and of a source a missed rule names
# (11.0.1.1) go through it, and the JSON line gives how many were
# forwarded and, for snat, how many entries carry the expected source
# (172.25.0.x, 10.99.0.1); a "verdicts" line per point says whether
# nf_hipac, iptables-legacy and nft-sets agree (the ceiling has no missed
# rule, so its second flow differs by design), and the script exits 1
# when they do not.
#
#   KLAB_BENCH_SECONDS  traffic time per measurement (default 3)
#   KLAB_BENCH_REPEAT   measurements per point, the median is reported
#                       (default 3)
#   KLAB_BENCH_RULES    the N values (default "10 1000 10000")
#   KLAB_BENCH_CASES    the cases (default "stateful snat")
#   KLAB_BENCH_SYSTEMS  the systems (default "nf_hipac iptables-legacy
#                       nft-sets ceiling")
#   KLAB_BENCH_VERIFY   new connections per verdict check (default 500)
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
klabctl=$root/build/bin/klabctl
source=inject
burst=1
secs=${KLAB_BENCH_SECONDS:-3}
repeat=${KLAB_BENCH_REPEAT:-3}
sizes=${KLAB_BENCH_RULES:-10 1000 10000}
cases=${KLAB_BENCH_CASES:-stateful snat}
read -ra systems <<<"${KLAB_BENCH_SYSTEMS:-nf_hipac iptables-legacy nft-sets ceiling}"
nverify=${KLAB_BENCH_VERIFY:-500}
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

# nft_rules CASE N: case CASE with N rules as an nft file, the N - 1
# missed rules as one set (stateful) or map (snat) lookup
nft_rules() {
	local elems

	elems=$(awk -v n="$2" -v c="$1" 'BEGIN { for (i = 1; i < n; i++) {
		a = int(i / 256) % 256; b = i % 256
		if (c == "stateful")
			printf "%s11.%d.%d.1 . 9", (i > 1 ? ", " : ""), a, b
		else
			printf "%s11.%d.%d.1 : 10.99.%d.%d", (i > 1 ? ", " : ""), a, b, a, b
	} }')
	# an empty set is written without "elements"
	[ -z "$elems" ] || elems=" elements = { $elems };"
	if [ "$1" = stateful ]; then
		echo "table ip hbct {"
		echo "	set hbmiss { type ipv4_addr . inet_service;$elems }"
		echo "	chain hbfwd {"
		echo "		type filter hook forward priority filter; policy drop;"
		echo "		ip saddr . udp dport @hbmiss ct state new drop"
		echo "		ct state new,established accept"
	else
		echo "table ip hbnat {"
		echo "	map hbsnat { type ipv4_addr : ipv4_addr;$elems }"
		echo "	chain hbpost {"
		echo "		type nat hook postrouting priority srcnat; policy accept;"
		echo "		snat to ip saddr map @hbsnat"
		echo "		ip saddr 198.18.0.0/16 snat to 172.25.0.1-172.25.0.254"
	fi
	printf '\t}\n}\n'
}

# load SYSTEM CASE N: replace the router's rule set, print the seconds it took
load() {
	local t0 t1 rc

	case $1 in
	ceiling) rules "$2" 1 >"$tmp/rules" ;;
	nft-sets) nft_rules "$2" "$3" >"$tmp/rules" ;;
	*) rules "$2" "$3" >"$tmp/rules" ;;
	esac || return 1
	t0=$(now)
	case $1 in
	nf_hipac) ip netns exec "$rtr" "$klabctl" hipac restore -4 <"$tmp/rules" ;;
	iptables-legacy | ceiling)
		ip netns exec "$rtr" iptables-legacy-restore <"$tmp/rules" ;;
	nft-sets) ip netns exec "$rtr" nft -f "$tmp/rules" ;;
	esac
	rc=$?
	t1=$(now)
	[ $rc = 0 ] || return 1
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}

# flow SRC_MIN SRC_MAX XLAT: $nverify new connections from SRC_MIN-SRC_MAX
# into the empty table of router $rtr; prints the packets forwarded and
# the entries whose reply goes to an address matching the regex XLAT
# (their translated source)
flow() {
	local before after traffic=("${traffic[@]}" "src_min $1"
		"src_max $2" "count $nverify")

	ip netns exec "$rtr" conntrack -F 2>/dev/null
	before=$(ip netns exec "$rtr" cat /sys/class/net/dum0/statistics/tx_packets)
	measure >/dev/null || return 1
	after=$(ip netns exec "$rtr" cat /sys/class/net/dum0/statistics/tx_packets)
	echo "$((after - before)) $(ip netns exec "$rtr" conntrack -L 2>/dev/null |
		awk -v x="$3" '{ n = 0
			for (i = 1; i <= NF; i++)
				if ($i ~ /^dst=/ && ++n == 2 && $i ~ "^dst=" x "$")
					c++ } END { print c + 0 }')"
}

# verify: the verdicts of router $rtr, as JSON: the measured traffic
# (forwarded; SNAT to 172.25.0.x) and 11.0.1.1's new connections, which
# the first missed rule drops (stateful) or translates to 10.99.0.1 (snat)
verify() {
	local a b fwd snat miss_fwd miss_snat

	a=$(flow 198.18.0.1 198.18.255.254 '172[.]25[.]0[.][0-9]+') || return 1
	b=$(flow 11.0.1.1 11.0.1.1 '10[.]99[.]0[.]1') || return 1
	read -r fwd snat <<<"$a"
	read -r miss_fwd miss_snat <<<"$b"
	echo "{\"sent\":$nverify,\"fwd\":$fwd,\"snat\":$snat,\"miss_rule_fwd\":$miss_fwd,\"miss_rule_snat\":$miss_snat}"
}

for m in pktgen dummy ip_tables iptable_filter iptable_nat nf_conntrack nf_nat \
	xt_conntrack nf_tables nft_ct nft_chain_nat nft_nat; do
	modprobe "$m" || die "modprobe $m failed"
done
"$root/scripts/modules" load nf_hipac >/dev/null || die "loading nf_hipac failed"
sysctl -qw net.netfilter.nf_conntrack_buckets=262144 || die "nf_conntrack_buckets"
sysctl -qw net.netfilter.nf_conntrack_max=2000000 || die "nf_conntrack_max"

# All systems' routers exist at once, and their measurements alternate
# (nf_hipac, iptables-legacy, nft-sets, ceiling, nf_hipac, ...), so that a
# change in the host's load falls on all of them.  nf_hipac's hooks run
# in every namespace (with no rules: one policy counter and ACCEPT), so
# the other systems pay them too.
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

differ=0
for c in $cases; do
	for n in $sizes; do
		declare -A runs=() load_s=() conns=() verdicts=()
		for sys in "${systems[@]}"; do
			rtr=${router[$sys]}
			topology || die "setting up the namespaces failed"
			# no IPv6 chatter (router solicitations) on dum0,
			# whose packets the verdict check counts
			ip netns exec "$rtr" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 ||
				die "disabling IPv6 failed"
			if ! load_s[$sys]=$(load "$sys" "$c" "$n"); then
				json "\"system\":\"$sys\",\"case\":\"$c\",\"rules\":$n,\"error\":\"loading the rules failed\""
				unset "load_s[$sys]"
			fi
		done
		for ((i = 0; i < repeat; i++)); do
			for sys in "${systems[@]}"; do
				[ -n "${load_s[$sys]:-}" ] || continue
				rtr=${router[$sys]}
				flush_all
				p=$(measure) && [ -n "$p" ] || die "pktgen failed"
				runs[$sys]+=${runs[$sys]:+,}$p
				conns[$sys]=$(ip netns exec "$rtr" conntrack -C 2>/dev/null)
			done
		done
		for sys in "${systems[@]}"; do
			[ -n "${load_s[$sys]:-}" ] || continue
			rtr=${router[$sys]}
			verdicts[$sys]=$(verify) || die "pktgen failed"
			# shellcheck disable=SC2086 # the runs, split at commas
			p=$(IFS=,; median ${runs[$sys]})
			pps[$sys/$c/$n]=$p
			json "\"system\":\"$sys\",\"case\":\"$c\",\"rules\":$n,\"load_s\":${load_s[$sys]},\"seconds\":$secs,\"conn_per_s\":$p,\"runs\":[${runs[$sys]}],\"entries_after_last_run\":${conns[$sys]:-null},\"verdicts\":${verdicts[$sys]}"
		done
		# the systems that hold all N rules must agree
		same=$(for sys in nf_hipac iptables-legacy nft-sets; do
			echo "${verdicts[$sys]:-}"
		done | sort -u | grep -c .)
		if [ "$same" -le 1 ]; then
			json "\"case\":\"$c\",\"rules\":$n,\"verdicts\":\"same\""
		else
			json "\"case\":\"$c\",\"rules\":$n,\"verdicts\":\"differ\""
			differ=1
		fi
		for sys in "${systems[@]}"; do
			rtr=${router[$sys]}
			cleanup
		done
		unset runs load_s conns verdicts
	done
done

for c in $cases; do
	for n in $sizes; do
		for sys in "${systems[@]}"; do
			[ "$sys" = iptables-legacy ] ||
				ratio "$c $n: $sys vs iptables-legacy" \
					"$sys/$c/$n" "iptables-legacy/$c/$n"
		done
		ratio "$c $n: nf_hipac vs ceiling" "nf_hipac/$c/$n" "ceiling/$c/$n"
	done
done
echo "goals (issue 19): nf_hipac vs iptables-legacy >= 1.0 at 10 rules, >= 10 at 10k" >&2
echo "summary: new connections per second by rules; TCG emulation, absolute numbers are far below real hardware" >&2
for c in $cases; do
	for sys in "${systems[@]}"; do
		line="$c $sys:"
		for n in $sizes; do line="$line $n=${pps[$sys/$c/$n]:--}"; done
		echo "  $line" >&2
	done
done
exit $differ
