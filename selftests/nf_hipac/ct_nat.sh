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
# shellcheck source=ct_lib.sh
source "$(dirname "$0")/ct_lib.sh"

C=10.78.1.1
R_IN=10.78.1.254
R_OUT=10.78.2.254
S=10.78.2.1
C6=fd78:1::1
R6_IN=fd78:1::fe
R6_OUT=fd78:2::fe
S6=fd78:2::1

ns() { echo "klab_nat_$2$1"; }

# topo SIDE: client, router and server namespaces, forwarding in the
# router (IPv4 and IPv6).  Built once per side; later cases find it with
# empty nat tables, no connections and no servers
# (the cases run in subshells: a file says it is built)
topo() {
	local c r s

	c=$(ns "$1" c)
	r=$(ns "$1" r)
	s=$(ns "$1" s)
	if [ -f "$tmp/built.$1" ]; then
		nat "$1" r -F
		nat "$1" r -6 -F
		nat "$1" s -F
		ip netns exec "$r" conntrack -F -f ipv4 2>/dev/null
		ip netns exec "$r" conntrack -F -f ipv6 2>/dev/null
		ip netns exec "$s" conntrack -F -f ipv4 2>/dev/null
		return 0
	fi
	ct_ns "$c" "$r" "$s"
	ct_link "$c" eth0 "$C/24" "$r" inside "$R_IN/24"
	ct_link "$s" eth0 "$S/24" "$r" outside "$R_OUT/24"
	ct_addr "$c" eth0 "$C6/64"
	ct_addr "$r" inside "$R6_IN/64"
	ct_addr "$r" outside "$R6_OUT/64"
	ct_addr "$s" eth0 "$S6/64"
	ip -n "$c" route add default via "$R_IN"
	ip -n "$s" route add default via "$R_OUT"
	ip -n "$c" -6 route add default via "$R6_IN"
	ip -n "$s" -6 route add default via "$R6_OUT"
	ip netns exec "$r" sysctl -qw net.ipv4.ip_forward=1
	ip netns exec "$r" sysctl -qw net.ipv6.conf.all.forwarding=1
	touch "$tmp/built.$1"
}

# nat SIDE NS [-6] RULE...: one nat rule, with nf-hipac (h) or
# iptables-legacy (ip6tables-legacy)
nat() {
	local side=$1 n fam=()

	n=$(ns "$1" "$2")
	shift 2
	[ "${1:-}" = -6 ] && fam=(-6) && shift
	rules "$side" "$n" "${fam[@]}" -t nat "$@"
}

# tuples SIDE [FAMILY]: the router's connections (ipv4 or ipv6) as
# conntrack -L prints them, without protocol state and timeouts
tuples() {
	ip netns exec "$(ns "$1" r)" conntrack -L -f "${2:-ipv4}" 2>/dev/null |
		grep -o 'src=.*' | sed 's/ \[[A-Z]*\]//g; s/ mark=.*//' | sort
}

# compare WHAT: the outputs of both sides in $tmp/out.{h,i} are equal
compare() {
	same "$1: nf_hipac and iptables-legacy" "$tmp/out.i" "$tmp/out.h"
}

snat_case() {
	local side=$1

	topo "$side"
	serve "$(ns "$side" s)" tcp 7000
	serve "$(ns "$side" s)" udp 7001
	# a non-contiguous mask the client's address misses (10.78.1.1 &
	# 255.0.255.0 is 10.0.1.0), though its leading ones (10/8) hold
	nat "$side" r -A POSTROUTING -s 10.0.2.0/255.0.255.0 -j ACCEPT
	nat "$side" r -A POSTROUTING -o outside -j SNAT --to-source "$R_OUT"
	{
		seen "$(ns "$side" c)" tcp -s 40000 "$S" 7000
		seen "$(ns "$side" c)" udp -s 40000 "$S" 7001
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
	serve "$(ns "$side" s)" tcp 7000
	nat "$side" r -A POSTROUTING -o outside -p tcp -j MASQUERADE \
		--to-ports 50000-50010
	{
		seen "$(ns "$side" c)" tcp -s 40000 "$S" 7000
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
	serve "$(ns "$side" s)" tcp 7000
	nat "$side" r -A PREROUTING -i inside -p tcp --dport 8080 -j DNAT \
		--to-destination "$S:7000"
	[ "$snat" ] && nat "$side" r -A POSTROUTING -o outside -j SNAT \
		--to-source "$R_OUT"
	{
		seen "$(ns "$side" c)" tcp -s 40000 "$R_IN" 8080
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
	serve "$(ns "$side" s)" tcp 7000
	nat "$side" s -A PREROUTING -p tcp --dport 9000 -j REDIRECT --to-ports 7000
	seen "$(ns "$side" c)" tcp -s 40000 "$S" 9000 >"$tmp/out.$side"
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
	serve "$(ns "$side" s)" udp 7001
	# the nat table in use, with a rule for nothing of this traffic
	nat "$side" r -A POSTROUTING -o inside -j MASQUERADE
	{
		seen "$(ns "$side" c)" udp -s 40001 "$S" 7001
		nat "$side" r -A POSTROUTING -o outside -j SNAT --to-source "$R_OUT"
		seen "$(ns "$side" c)" udp -s 40001 "$S" 7001
		seen "$(ns "$side" c)" udp -s 40002 "$S" 7001
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

# --- the source port: kept when free, changed on a collision; one
# internal address:port keeps its mapping across destinations ---

C2=10.78.1.2
S2=10.78.2.2

# port_of LINE: the port of a "peer ADDR PORT" line
port_of() { echo "${1##* }"; }

collision_case() {
	local side=$1 c s p

	topo "$side"
	c=$(ns "$side" c)
	s=$(ns "$side" s)
	ip -n "$c" addr replace "$C2/24" dev eth0
	ip -n "$s" addr replace "$S2/24" dev eth0
	serve "$s" udp -a "$S" 7001
	serve "$s" udp -a "$S2" 7001
	nat "$side" r -A POSTROUTING -o outside -j SNAT --to-source "$R_OUT"
	{
		seen "$c" udp -b "$C" -s 40000 "$S" 7001
		seen "$c" udp -b "$C2" -s 40000 "$S" 7001
		seen "$c" udp -b "$C" -s 40000 "$S2" 7001
		tuples "$side"
	} >"$tmp/raw.$side"
	stop_servers
	# the port a collision gets is drawn at random: mask it
	p=$(port_of "$(sed -n 2p "$tmp/raw.$side")")
	echo "$p" >"$tmp/port.$side"
	sed "s/\b$p\b/CHANGED/g" "$tmp/raw.$side" >"$tmp/out.$side"
}

test_port_collision() {
	local p

	for side in $SIDES; do collision_case "$side"; done
	cat "$tmp/raw.h"
	p=$(cat "$tmp/port.h")
	[ "$(sed -n 1p "$tmp/raw.h")" = "peer $R_OUT 40000" ] ||
		fail "the first connection did not keep its free port 40000"
	{ [ "$p" != 40000 ] && [ "$p" -ge 1024 ]; } 2>/dev/null ||
		fail "the colliding connection got port '$p'"
	[ "$(sed -n 3p "$tmp/raw.h")" = "peer $R_OUT 40000" ] ||
		fail "$C:40000 to another destination lost its mapping $R_OUT:40000"
	compare "port collision"
}

# --- --random, --random-fully: the port changes even when free ---

random_case() {
	local side=$1 c s

	topo "$side"
	c=$(ns "$side" c)
	s=$(ns "$side" s)
	serve "$s" udp 7001
	serve "$s" udp 7002
	nat "$side" r -A POSTROUTING -o outside -p udp --dport 7001 \
		-j SNAT --to-source "$R_OUT" --random
	nat "$side" r -A POSTROUTING -o outside -p udp --dport 7002 \
		-j MASQUERADE --random-fully
	{
		seen "$c" udp -s 40000 "$S" 7001
		seen "$c" udp -s 40001 "$S" 7002
	} >"$tmp/raw.$side"
	stop_servers
	sed -E 's/ 4000[01]$/ kept/; t; s/ [0-9]+$/ random/' "$tmp/raw.$side" \
		>"$tmp/out.$side"
}

test_random() {
	for side in $SIDES; do random_case "$side"; done
	cat "$tmp/raw.h"
	printf 'peer %s random\npeer %s random\n' "$R_OUT" "$R_OUT" >"$tmp/want"
	same "--random and --random-fully draw the port" "$tmp/want" "$tmp/out.h"
	compare "--random"
}

# --- --persistent: a client gets the same address of a range whatever
# the destination (without it the destination is hashed in too) ---

R_OUT2=10.78.2.253

persistent_case() {
	local side=$1 persistent=$2 c s i

	topo "$side"
	c=$(ns "$side" c)
	s=$(ns "$side" s)
	ip -n "$(ns "$side" r)" addr replace "$R_OUT2/24" dev outside
	for i in 1 2 3 4 5 6 7 8; do
		[ "$i" = 1 ] || ip -n "$s" addr replace "10.78.2.$i/24" dev eth0
		serve "$s" udp -a "10.78.2.$i" 7001
	done
	nat "$side" r -A POSTROUTING -o outside -j SNAT \
		--to-source "$R_OUT2-$R_OUT" ${persistent:+"$persistent"}
	for i in 1 2 3 4 5 6 7 8; do
		seen "$c" udp -s "4000$i" "10.78.2.$i" 7001
	done >"$tmp/out.$side"
	stop_servers
}

# addresses FILE: the distinct addresses the servers saw
addresses() {
	awk '{ print $2 }' "$1" | sort -u | wc -l
}

test_persistent() {
	for side in $SIDES; do persistent_case "$side" --persistent; done
	cat "$tmp/out.h"
	[ "$(addresses "$tmp/out.h")" = 1 ] ||
		fail "--persistent: the client came from several addresses"
	grep -q none "$tmp/out.h" && fail "--persistent: a flow got no answer"
	compare "--persistent"
	for side in $SIDES; do persistent_case "$side" ""; done
	cat "$tmp/out.h"
	[ "$(addresses "$tmp/out.h")" = 2 ] ||
		fail "without --persistent the 8 destinations used one address"
	compare "SNAT to a range"
}

# --- IPv6: SNAT, DNAT and the A->B | D->C tuple ---


nat6_case() {
	local side=$1 c

	topo "$side"
	c=$(ns "$side" c)
	serve "$(ns "$side" s)" tcp -6 7000
	serve "$(ns "$side" s)" udp -6 7001
	nat "$side" r -6 -A POSTROUTING -o outside -p udp -j SNAT \
		--to-source "[$R6_OUT]:50000-50010"
	nat "$side" r -6 -A PREROUTING -i inside -p tcp --dport 8080 -j DNAT \
		--to-destination "[$S6]:7000"
	nat "$side" r -6 -A POSTROUTING -o outside -p tcp -j MASQUERADE
	{
		seen "$c" udp -s 40000 "$S6" 7001
		seen "$c" tcp -s 40000 "$R6_IN" 8080
		tuples "$side" ipv6
	} | sed -E 's/(port=|peer [0-9a-f:]+ )500(0[0-9]|10)\b/\150XXX/g' \
		>"$tmp/out.$side"
	stop_servers
}

test_ipv6_nat() {
	local want

	for side in $SIDES; do nat6_case "$side"; done
	cat "$tmp/out.h"
	grep -qx "peer $R6_OUT 50XXX" "$tmp/out.h" ||
		fail "IPv6 SNAT: the server did not see $R6_OUT:50000-50010"
	want="src=$C6 dst=$R6_IN sport=40000 dport=8080 src=$S6 dst=$R6_OUT sport=7000 dport=40000"
	grep -qx "$want" "$tmp/out.h" || fail "no IPv6 tuple A->B | D->C: $want"
	compare "IPv6 NAT"
}

# --- unloading the module with translated connections alive: they go
# (nf_ct_iterate_cleanup_net) and come back untranslated; no splat ---

test_unload_with_nat() {
	local c r

	topo h
	c=$(ns h c)
	r=$(ns h r)
	serve "$(ns h s)" udp 7001
	serve "$(ns h s)" tcp 7000
	nat h r -A POSTROUTING -o outside -p udp -j SNAT --to-source "$R_OUT"
	nat h r -A PREROUTING -i inside -p tcp --dport 8080 -j DNAT \
		--to-destination "$S:7000"
	seen "$c" udp -s 40000 "$S" 7001 >"$tmp/before"
	seen "$c" tcp -s 40001 "$R_IN" 8080 >>"$tmp/before"
	cat "$tmp/before"
	printf 'peer %s 40000\npeer %s 40001\n' "$R_OUT" "$C" >"$tmp/want"
	same "NAT before the unload" "$tmp/want" "$tmp/before"
	ip netns exec "$r" conntrack -L 2>/dev/null | grep -q "dst=$R_OUT sport=7001" ||
		fail "no SNAT connection in conntrack -L before the unload"
	timeout 60 "$KLAB_ROOT/scripts/modules" unload nf_hipac ||
		fail "rmmod nf_hipac with NAT connections"
	ip netns exec "$r" conntrack -L 2>/dev/null >"$tmp/after"
	cat "$tmp/after"
	grep -q "dst=$R_OUT\|sport=8080\|dport=8080" "$tmp/after" &&
		fail "translated connections outlived the module"
	# the same UDP flow, now a new connection with no NAT
	seen "$c" udp -s 40000 "$S" 7001 >"$tmp/again"
	cat "$tmp/again"
	[ "$(cat "$tmp/again")" = "peer $C 40000" ] ||
		fail "the flow kept its translation after the unload"
	stop_servers
	klab_load nf_hipac || fail "reloading nf_hipac"
}

ct_start 11
ktap_run snat test_snat
ktap_run masquerade test_masquerade
ktap_run dnat_port_forward test_dnat_port_forward
ktap_run dnat_snat_tuple test_dnat_snat_tuple
ktap_run redirect test_redirect
ktap_run rule_after_connection test_rule_after_connection
ktap_run port_collision test_port_collision
ktap_run random test_random
ktap_run persistent test_persistent
ktap_run ipv6_nat test_ipv6_nat
ktap_run unload_with_nat test_unload_with_nat
ktap_finish
