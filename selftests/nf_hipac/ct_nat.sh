#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# nf_hipac's nat table on the kernel's NAT, each case against the same
# rules in `iptables-legacy -t nat` for the same traffic: SNAT and
# MASQUERADE from a private namespace through a router to a server, DNAT
# (a port forward) the other way, REDIRECT to a local port, DNAT and SNAT
# together (the reply tuple carries both: A->B | D->C), and a rule added
# after a connection started leaves that connection alone.
#
#   client 10.78.1.1 -- 10.78.1.254 router 10.78.2.254 -- 10.78.2.1 server
#
# The server's ct_peer answers with the source it saw; conntrack -L in the
# router shows the tuples.

# The test functions run through ktap_run.
# shellcheck disable=SC2317
# shellcheck source=hipac_cli_lib.sh
source "$(dirname "$0")/hipac_cli_lib.sh"

PEER=$(dirname "$0")/ct_peer
[ -x "$PEER" ] || PEER=$KLAB_ROOT/build/selftests/nf_hipac/ct_peer
C=10.78.1.1
R_IN=10.78.1.254
R_OUT=10.78.2.254
S=10.78.2.1
SIDES="h i"

cleanup_nat() {
	local s n

	for s in $SIDES; do
		for n in c r s; do
			ip netns del "klab_nat_$n$s" 2>/dev/null
		done
	done
	cleanup
}
trap cleanup_nat EXIT

ns() { echo "klab_nat_$2$1"; }

# topo SIDE: client, router and server namespaces, forwarding in the router
topo() {
	local c r s

	c=$(ns "$1" c)
	r=$(ns "$1" r)
	s=$(ns "$1" s)
	fresh_ns "$c" "$r" "$s"
	ip -n "$c" link add eth0 type veth peer name inside netns "$r" || fail "veth"
	ip -n "$s" link add eth0 type veth peer name outside netns "$r" || fail "veth"
	ip -n "$c" addr add "$C/24" dev eth0
	ip -n "$r" addr add "$R_IN/24" dev inside
	ip -n "$r" addr add "$R_OUT/24" dev outside
	ip -n "$s" addr add "$S/24" dev eth0
	for n in "$c:eth0" "$r:inside" "$r:outside" "$s:eth0"; do
		ip -n "${n%%:*}" link set "${n#*:}" up
	done
	for n in "$c" "$r" "$s"; do
		ip -n "$n" link set lo up
	done
	ip -n "$c" route add default via "$R_IN"
	ip -n "$s" route add default via "$R_OUT"
	ip netns exec "$r" sysctl -qw net.ipv4.ip_forward=1
}

# nat SIDE NS RULE...: one nat rule, with nf-hipac (h) or iptables-legacy
nat() {
	local side=$1 n=$2

	shift 2
	if [ "$side" = h ]; then
		ip netns exec "$(ns "$side" "$n")" nf-hipac -t nat "$@"
	else
		ip netns exec "$(ns "$side" "$n")" iptables-legacy -t nat "$@"
	fi || fail "-t nat $*: exit $?"
}

serve() {
	local out=$tmp/serve.$1.$2.$3.$4

	ip netns exec "$(ns "$1" "$2")" "$PEER" serve "$3" "$4" >"$out" &
	echo $! >>"$tmp/pids"
	for _ in $(seq 50); do
		grep -q ready "$out" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "ct_peer serve $3 $4 not ready"
}

stop_servers() {
	[ -f "$tmp/pids" ] || return 0
	xargs -r kill <"$tmp/pids" 2>/dev/null
	rm -f "$tmp/pids"
	wait 2>/dev/null
}

# seen SIDE PROTO ADDR PORT [ARGS...]: what the server saw of a client
# connection (ct_peer's answer line), or "none"
seen() {
	local side=$1 proto=$2 addr=$3 port=$4

	shift 4
	ip netns exec "$(ns "$side" c)" "$PEER" connect "$proto" "$@" \
		"$addr" "$port" 2>/dev/null | head -n1 | grep . || echo none
}

# tuples SIDE: the router's connections as conntrack -L prints them,
# without protocol state and timeouts
tuples() {
	ip netns exec "$(ns "$1" r)" conntrack -L 2>/dev/null |
		grep -o 'src=.*' | sed 's/ \[[A-Z]*\]//g; s/ mark=.*//' | sort
}

# compare WHAT: the outputs of both sides in $tmp/out.{h,i} are equal
compare() {
	same "$1: nf_hipac and iptables-legacy" "$tmp/out.i" "$tmp/out.h"
}

snat_case() {
	local side=$1

	topo "$side"
	serve "$side" s tcp 7000
	serve "$side" s udp 7001
	nat "$side" r -A POSTROUTING -o outside -j SNAT --to-source "$R_OUT"
	{
		seen "$side" tcp "$S" 7000 -s 40000
		seen "$side" udp "$S" 7001 -s 40000
		tuples "$side"
	} >"$tmp/out.$side"
	stop_servers
}

test_snat() {
	local side

	for side in $SIDES; do snat_case "$side"; done
	cat "$tmp/out.h"
	grep -q "^peer $R_OUT 40000$" "$tmp/out.h" ||
		fail "SNAT: the server did not see $R_OUT:40000 (port kept)"
	compare SNAT
}

masq_case() {
	local side=$1

	topo "$side"
	serve "$side" s tcp 7000
	nat "$side" r -A POSTROUTING -o outside -p tcp -j MASQUERADE \
		--to-ports 50000-50010
	{
		seen "$side" tcp "$S" 7000 -s 40000
		tuples "$side"
	} | sed -E 's/(port=|peer [0-9.]+ )500(0[0-9]|10)\b/\150XXX/g' \
		>"$tmp/out.$side"
	stop_servers
}

test_masquerade() {
	local side

	for side in $SIDES; do masq_case "$side"; done
	cat "$tmp/out.h"
	# SNAT draws the port at random from the range: only its place shows
	grep -q "^peer $R_OUT 50XXX$" "$tmp/out.h" ||
		fail "MASQUERADE: the server did not see $R_OUT:50000-50010"
	compare MASQUERADE
}

# DNAT B->D plus SNAT A->C: the reply tuple carries both
dnat_case() {
	local side=$1 snat=$2

	topo "$side"
	serve "$side" s tcp 7000
	nat "$side" r -A PREROUTING -i inside -p tcp --dport 8080 -j DNAT \
		--to-destination "$S:7000"
	[ "$snat" ] && nat "$side" r -A POSTROUTING -o outside -j SNAT \
		--to-source "$R_OUT"
	{
		seen "$side" tcp "$R_IN" 8080 -s 40000
		tuples "$side"
	} >"$tmp/out.$side"
	stop_servers
}

test_dnat_port_forward() {
	local side

	for side in $SIDES; do dnat_case "$side" ""; done
	cat "$tmp/out.h"
	grep -q "^peer $C 40000$" "$tmp/out.h" ||
		fail "DNAT: the server did not see the client itself"
	compare DNAT
}

test_dnat_snat_tuple() {
	local side want

	for side in $SIDES; do dnat_case "$side" 1; done
	cat "$tmp/out.h"
	want="src=$C dst=$R_IN sport=40000 dport=8080 src=$S dst=$R_OUT sport=7000 dport=40000"
	grep -qx "$want" "$tmp/out.h" || fail "no tuple A->B | D->C: $want"
	compare "DNAT and SNAT"
}

redirect_case() {
	local side=$1

	topo "$side"
	serve "$side" s tcp 7000
	nat "$side" s -A PREROUTING -p tcp --dport 9000 -j REDIRECT --to-ports 7000
	seen "$side" tcp "$S" 9000 -s 40000 >"$tmp/out.$side"
	stop_servers
}

test_redirect() {
	local side

	for side in $SIDES; do redirect_case "$side"; done
	cat "$tmp/out.h"
	grep -q "^peer $C 40000$" "$tmp/out.h" || fail "REDIRECT: no answer"
	compare REDIRECT
}

# a flow started before the SNAT rule keeps its (null) binding; a new
# flow gets the rule
late_case() {
	local side=$1

	topo "$side"
	serve "$side" s udp 7001
	# the nat table in use, with a rule for nothing of this traffic
	nat "$side" r -A POSTROUTING -o inside -j MASQUERADE
	{
		seen "$side" udp "$S" 7001 -s 40001
		nat "$side" r -A POSTROUTING -o outside -j SNAT --to-source "$R_OUT"
		seen "$side" udp "$S" 7001 -s 40001
		seen "$side" udp "$S" 7001 -s 40002
	} >"$tmp/out.$side"
	stop_servers
}

test_rule_after_connection() {
	local side

	for side in $SIDES; do late_case "$side"; done
	cat "$tmp/out.h"
	printf 'peer %s 40001\npeer %s 40001\npeer %s 40002\n' "$C" "$C" \
		"$R_OUT" >"$tmp/want"
	same "NAT decided once per connection" "$tmp/want" "$tmp/out.h"
	compare "a rule added later"
}

hipac_cli_start 6
[ -x "$PEER" ] || fail "ct_peer is not built"
command -v conntrack >/dev/null || fail "conntrack (conntrack-tools) missing"
ktap_run snat test_snat
ktap_run masquerade test_masquerade
ktap_run dnat_port_forward test_dnat_port_forward
ktap_run dnat_snat_tuple test_dnat_snat_tuple
ktap_run redirect test_redirect
ktap_run rule_after_connection test_rule_after_connection
ktap_finish
