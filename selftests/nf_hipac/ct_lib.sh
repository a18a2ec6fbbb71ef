#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers of the connection-tracking and NAT tests (ct_state.sh,
# ct_nat.sh): network namespaces joined by veth, ct_peer servers and
# clients, and one rule command for both sides of a comparison (h:
# nf_hipac, i: iptables-legacy).  Sourced, not run.

# shellcheck source=hipac_cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/hipac_cli_lib.sh"

PEER=$(dirname "${BASH_SOURCE[0]}")/ct_peer
[ -x "$PEER" ] || PEER=$KLAB_ROOT/build/selftests/nf_hipac/ct_peer
# side h: nf_hipac; side i: iptables-legacy, the same rules
# shellcheck disable=SC2034 # used by the scripts that source this file
SIDES="h i"
# The namespaces ct_ns made are listed in $tmp/namespaces (the tests run
# in subshells) and deleted on exit
ct_cleanup() {
	local n

	[ -f "$tmp/pids" ] && xargs -r kill <"$tmp/pids" 2>/dev/null
	if [ -f "$tmp/namespaces" ]; then
		sort -u "$tmp/namespaces" | while read -r n; do
			ip netns del "$n" 2>/dev/null
		done
	fi
	cleanup
}
trap ct_cleanup EXIT

# ct_ns NAME...: fresh namespaces with lo up, deleted when the script ends
ct_ns() {
	local n

	fresh_ns "$@"
	for n in "$@"; do
		echo "$n" >>"$tmp/namespaces"
		ip -n "$n" link set lo up
	done
}

# ct_addr NS DEV ADDR: ADDR (with its prefix length) on DEV; IPv6 ones
# without duplicate address detection, usable at once
ct_addr() {
	local nodad=

	case $3 in *:*) nodad=nodad ;; esac
	ip -n "$1" addr add "$3" dev "$2" $nodad || fail "address $3 in $1"
}

# ct_link NS1 DEV1 ADDR1 NS2 DEV2 ADDR2: a veth pair between two
# namespaces, addressed and up
ct_link() {
	ip -n "$1" link add "$2" type veth peer name "$5" netns "$4" ||
		fail "veth $1:$2 - $4:$5"
	ct_addr "$1" "$2" "$3"
	ct_addr "$4" "$5" "$6"
	ip -n "$1" link set "$2" up
	ip -n "$4" link set "$5" up
}

# rules SIDE NS [-6] ARGS...: one rule command in NS, with nf-hipac (h)
# or iptables-legacy (i; ip6tables-legacy with -6)
rules() {
	local side=$1 n=$2 cmd=iptables-legacy

	shift 2
	if [ "${1:-}" = -6 ]; then
		shift
		cmd=ip6tables-legacy
		[ "$side" = h ] && set -- -6 "$@"
	fi
	[ "$side" = h ] && cmd=nf-hipac
	ip netns exec "$n" "$cmd" "$@" || fail "$cmd $*: exit $?"
}

# restore SIDE NS FILE: a rule set from a restore file
restore() {
	if [ "$1" = h ]; then
		ip netns exec "$2" nf-hipac restore "$3" || fail "nf-hipac restore"
	else
		ip netns exec "$2" iptables-legacy-restore "$3" ||
			fail "iptables-legacy-restore"
	fi
}

# serve NS PROTO [OPTS...] PORT: a ct_peer server, ready when this returns
serve() {
	local n=$1 out

	shift
	out=$(mktemp "$tmp/serve.XXXXXX")
	# stderr too: a server left holding ktap_run's pipe would stall a
	# failed case until the collection's timeout
	ip netns exec "$n" "$PEER" serve "$@" >"$out" 2>&1 &
	echo $! >>"$tmp/pids"
	wait_for "ct_peer serve $* in $n printing ready" grep -q ready "$out"
}

# WAIT_CAP: the seconds wait_for gives a condition; a generous cap, as a
# loaded host runs the VM several times slower than an idle one
WAIT_CAP=60

# wait_for WHAT CMD...: poll CMD until it succeeds; fail naming WHAT if it
# has not within WAIT_CAP seconds
wait_for() {
	local what=$1 end=$((SECONDS + WAIT_CAP))

	shift
	until "$@" 2>/dev/null; do
		[ "$SECONDS" -lt "$end" ] ||
			fail "waited $WAIT_CAP s for: $what"
		sleep 0.1
	done
}

# nl_listening PID: PID holds a netfilter netlink socket (protocol 12)
# subscribed to a multicast group: from then on it receives every event
# of the groups, whether it reads yet or not.  The sockets are matched by
# inode, as a process's port id need not be its pid.
nl_listening() {
	find "/proc/$1/fd" -lname 'socket:*' -printf '%l\n' 2>/dev/null |
		awk 'NR == FNR { gsub(/[^0-9]/, ""); mine[$0] = 1; next }
			$2 == 12 && $4 != "00000000" && ($10 in mine) { found = 1 }
			END { exit !found }' - "/proc/$1/net/netlink"
}

stop_servers() {
	[ -f "$tmp/pids" ] || return 0
	xargs -r kill <"$tmp/pids" 2>/dev/null
	rm -f "$tmp/pids"
	wait 2>/dev/null
}

# seen NS PROTO [OPTS...] ADDR PORT: what the server answered to a
# connection from NS (ct_peer's "peer ADDR PORT" lines), or "none"
seen() {
	local n=$1

	shift
	ip netns exec "$n" "$PEER" connect "$@" 2>/dev/null | grep . || echo none
}

# ct_stat NS FIELD: the sum over CPUs of a conntrack statistic of NS
# (conntrack -S: found, invalid, insert, drop, early_drop, ...)
ct_stat() {
	ip netns exec "$1" conntrack -S 2>/dev/null |
		grep -o "\b$2=[0-9]*" | awk -F= '{ s += $2 } END { print s + 0 }'
}

# ct_start PLAN: hipac_cli_start plus the tools these tests use
ct_start() {
	hipac_cli_start "$1"
	[ -x "$PEER" ] || fail "ct_peer is not built"
	command -v conntrack >/dev/null || fail "conntrack (conntrack-tools) missing"
}
