#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Connection state in nf_hipac's rules (-m state, -m conntrack --ctstate,
# --ctstatus, --ctdir) on the kernel's conntrack: the states and status
# bits of TCP, UDP and ICMP packets as the notes tell them, each counted by
# nf_hipac and by the same rules in iptables-legacy for the same traffic;
# and a stateful firewall that behaves as iptables-legacy's, packet for
# packet and counter for counter.
#
# Two namespaces per side, a client and a server joined by veth; the rules
# are in the server.

# The test functions run through ktap_run.
# shellcheck disable=SC2317
# shellcheck source=hipac_cli_lib.sh
source "$(dirname "$0")/hipac_cli_lib.sh"

PEER=$(dirname "$0")/ct_peer
[ -x "$PEER" ] || PEER=$KLAB_ROOT/build/selftests/nf_hipac/ct_peer
C_ADDR=10.77.0.1
S_ADDR=10.77.0.2
# side H: nf_hipac in the server; side I: iptables-legacy
SIDES="h i"

cleanup_ct() {
	local s

	for s in $SIDES; do
		ip netns del "klab_ct_c$s" 2>/dev/null
		ip netns del "klab_ct_s$s" 2>/dev/null
	done
	cleanup
}
trap cleanup_ct EXIT

# side_setup SIDE: a client and a server namespace joined by veth
side_setup() {
	local c=klab_ct_c$1 s=klab_ct_s$1

	fresh_ns "$c" "$s"
	ip -n "$c" link add veth0 type veth peer name veth0 netns "$s" ||
		fail "veth"
	ip -n "$c" addr add "$C_ADDR/24" dev veth0
	ip -n "$s" addr add "$S_ADDR/24" dev veth0
	for ns in "$c" "$s"; do
		ip -n "$ns" link set lo up
		ip -n "$ns" link set veth0 up
	done
}

# load SIDE FILE: the server's filter rules from a restore file
load() {
	local s=klab_ct_s$1

	if [ "$1" = h ]; then
		ip netns exec "$s" nf-hipac restore "$2" || fail "nf-hipac restore"
	else
		ip netns exec "$s" iptables-legacy-restore "$2" ||
			fail "iptables-legacy-restore"
	fi
}

# counters SIDE: the server's rules with their counters, as saved.  The
# policies' counters are left out: they count every packet no rule
# decided, and TCP itself may send one pure ACK more in one run than in
# the other (seen once: 5 packets on OUTPUT's policy against 4)
counters() {
	local s=klab_ct_s$1

	if [ "$1" = h ]; then
		ip netns exec "$s" nf-hipac save -c
	else
		ip netns exec "$s" iptables-legacy-save -t filter -c
	fi | grep -v '^[#:]'
}

# serve SIDE NS PROTO PORT: a ct_peer server, ready when this returns
serve() {
	local out=$tmp/serve.$1.$2.$3

	ip netns exec "klab_ct_$2$1" "$PEER" serve "$3" "$4" >"$out" &
	echo $! >>"$tmp/pids"
	for _ in $(seq 50); do
		grep -q ready "$out" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "ct_peer serve $3 $4 in klab_ct_$2$1 not ready"
}

stop_servers() {
	[ -f "$tmp/pids" ] || return 0
	xargs -r kill <"$tmp/pids" 2>/dev/null
	rm -f "$tmp/pids"
	wait 2>/dev/null
}

# client SIDE ARGS...: ct_peer connect from the client namespace
client() {
	local side=$1

	shift
	ip netns exec "klab_ct_c$side" "$PEER" connect "$@" >/dev/null
}

# rule_count SIDE CHAIN N: packets of rule N of the server's CHAIN
rule_count() {
	ip netns exec "klab_ct_s$1" nf-hipac -L "$2" -n -v -x --line-numbers |
		awk -v n="$3" '$1 == n { print $2 }'
}

# expect_count CHAIN N WANT WHAT: rule N of nf_hipac's CHAIN counted WANT
expect_count() {
	local got

	got=$(rule_count h "$1" "$2")
	[ "$got" = "$3" ] || fail "$4: $1 rule $2 counted '$got', want $3"
}

# both FILE TRAFFIC: run TRAFFIC (a function taking the side) against the
# rules of FILE with nf_hipac and with iptables-legacy; their counters
# must be the same
both() {
	local side

	for side in $SIDES; do
		side_setup "$side"
		load "$side" "$1"
		"$2" "$side"
		stop_servers
		counters "$side" >"$tmp/counters.$side"
	done
	same "counters of nf_hipac and iptables-legacy" "$tmp/counters.i" \
		"$tmp/counters.h"
}

# --- TCP: SYN NEW, SYN-ACK ESTABLISHED in reply, ASSURED after the
# handshake ---

tcp_traffic() {
	serve "$1" s tcp 7000
	client "$1" tcp -n 1 "$S_ADDR" 7000 || fail "tcp connection failed"
}

test_tcp_states() {
	cat >"$tmp/rules" <<-EOF
	*filter
	:INPUT ACCEPT [0:0]
	:FORWARD ACCEPT [0:0]
	:OUTPUT ACCEPT [0:0]
	-A INPUT -p tcp -m tcp --dport 7000 -m state --state NEW
	-A INPUT -p tcp -m tcp --dport 7000 --tcp-flags SYN,ACK SYN -m conntrack --ctstate NEW --ctdir ORIGINAL
	-A INPUT -p tcp -m tcp --dport 7000 -m conntrack ! --ctstatus ASSURED
	-A OUTPUT -p tcp -m tcp --sport 7000 --tcp-flags SYN,ACK SYN,ACK -m conntrack --ctstate ESTABLISHED --ctdir REPLY
	-A OUTPUT -p tcp -m tcp --sport 7000 -m conntrack ! --ctstatus ASSURED
	-A OUTPUT -p tcp -m tcp --sport 7000 -m conntrack --ctstatus SEEN_REPLY --ctdir ORIGINAL
	COMMIT
	EOF
	both "$tmp/rules" tcp_traffic
	expect_count INPUT 1 1 "the SYN is NEW"
	expect_count INPUT 2 1 "the SYN is NEW, ORIGINAL"
	expect_count INPUT 3 1 "ASSURED from the handshake's ACK on"
	expect_count OUTPUT 1 1 "the SYN-ACK is ESTABLISHED, REPLY"
	expect_count OUTPUT 2 1 "only the SYN-ACK is not ASSURED"
	expect_count OUTPUT 3 0 "the server sends nothing ORIGINAL"
}

# --- UDP: NEW, then ESTABLISHED; ASSURED exactly when iptables sees it ---

udp_traffic() {
	serve "$1" s udp 7001
	client "$1" udp -n 3 "$S_ADDR" 7001 || fail "udp exchange failed"
}

test_udp_states() {
	cat >"$tmp/rules" <<-EOF
	*filter
	:INPUT ACCEPT [0:0]
	:FORWARD ACCEPT [0:0]
	:OUTPUT ACCEPT [0:0]
	-A INPUT -p udp -m conntrack --ctstate NEW
	-A INPUT -p udp -m conntrack --ctstate ESTABLISHED ! --ctstatus ASSURED
	-A INPUT -p udp -m conntrack --ctstatus ASSURED
	-A OUTPUT -p udp -m conntrack --ctstate ESTABLISHED --ctstatus SEEN_REPLY --ctdir REPLY
	-A OUTPUT -p udp -m conntrack --ctstatus ASSURED
	COMMIT
	EOF
	both "$tmp/rules" udp_traffic
	expect_count INPUT 1 1 "the first datagram is NEW"
	expect_count OUTPUT 1 3 "SEEN_REPLY is set by conntrack before OUTPUT"
}

# --- ICMP echo never becomes ASSURED ---

icmp_traffic() {
	ip netns exec "klab_ct_c$1" ping -q -c 3 -i 0.2 -W 2 "$S_ADDR" \
		>/dev/null || fail "ping failed"
}

test_icmp_never_assured() {
	cat >"$tmp/rules" <<-EOF
	*filter
	:INPUT ACCEPT [0:0]
	:FORWARD ACCEPT [0:0]
	:OUTPUT ACCEPT [0:0]
	-A INPUT -p icmp -m state --state NEW
	-A INPUT -p icmp -m state --state ESTABLISHED
	-A INPUT -p icmp -m conntrack --ctstatus ASSURED
	-A OUTPUT -p icmp -m conntrack --ctstate ESTABLISHED --ctdir REPLY
	-A OUTPUT -p icmp -m conntrack --ctstatus ASSURED
	COMMIT
	EOF
	both "$tmp/rules" icmp_traffic
	expect_count INPUT 1 1 "the first echo request is NEW"
	expect_count INPUT 2 2 "the later ones ESTABLISHED"
	expect_count INPUT 3 0 "ICMP is never ASSURED"
	expect_count OUTPUT 1 3 "the replies are ESTABLISHED, REPLY"
	expect_count OUTPUT 2 0 "ICMP is never ASSURED"
}

# --- a stateful firewall: ESTABLISHED,RELATED accepted, NEW only from
# inside (the server) and to its services ---

fw_traffic() {
	local side=$1

	serve "$side" s tcp 7000
	serve "$side" s udp 7001
	serve "$side" c tcp 7100
	client "$side" tcp -n 2 "$S_ADDR" 7000 || fail "allowed tcp refused"
	client "$side" udp -n 2 "$S_ADDR" 7001 || fail "allowed udp refused"
	# a service the firewall does not open: the SYN is dropped
	! client "$side" tcp -w 300 "$S_ADDR" 7002 || fail "closed port reached"
	# from inside out: NEW allowed, the answers ESTABLISHED
	ip netns exec "klab_ct_s$side" "$PEER" connect tcp -n 1 "$C_ADDR" 7100 \
		>/dev/null || fail "outgoing tcp refused"
	ip netns exec "klab_ct_c$side" ping -q -c 2 -i 0.2 -W 2 "$S_ADDR" \
		>/dev/null || fail "ping refused"
}

test_stateful_firewall_vs_iptables() {
	cat >"$tmp/rules" <<-EOF
	*filter
	:INPUT DROP [0:0]
	:FORWARD ACCEPT [0:0]
	:OUTPUT DROP [0:0]
	-A INPUT -i lo -j ACCEPT
	-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT
	-A INPUT -m conntrack --ctstate INVALID -j DROP
	-A INPUT -p tcp -m tcp --dport 7000 -m state --state NEW -j ACCEPT
	-A INPUT -p udp -m udp --dport 7001 -m conntrack --ctstate NEW -j ACCEPT
	-A INPUT -p icmp -m conntrack --ctstate NEW --ctdir ORIGINAL -j ACCEPT
	-A OUTPUT -o lo -j ACCEPT
	-A OUTPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
	-A OUTPUT -m conntrack --ctstate NEW -j ACCEPT
	COMMIT
	EOF
	both "$tmp/rules" fw_traffic
	expect_count INPUT 4 1 "one NEW tcp connection let in"
	expect_count INPUT 5 1 "one NEW udp flow let in"
	expect_count OUTPUT 3 1 "one NEW connection from inside"
}

# --- klabctl ct list agrees with conntrack -L ---

# ct_lines TOOL...: the server's connections as TOOL lists them, without
# the timeouts (they tick between the two listings), sorted
ct_lines() {
	ip netns exec klab_ct_sh "$@" 2>/dev/null |
		awk '{ $3 = ""; print }' | sort
}

test_ct_list_agrees() {
	local n

	cat >"$tmp/rules" <<-EOF
	*filter
	:INPUT ACCEPT [0:0]
	:FORWARD ACCEPT [0:0]
	:OUTPUT ACCEPT [0:0]
	-A INPUT -m state --state NEW
	COMMIT
	EOF
	side_setup h
	load h "$tmp/rules"
	tcp_traffic h
	udp_traffic h
	icmp_traffic h
	stop_servers
	ct_lines conntrack -L >"$tmp/conntrack"
	ct_lines klabctl ct list >"$tmp/klabctl"
	[ "$(wc -l <"$tmp/conntrack")" -ge 3 ] || fail "conntrack -L lists too little"
	same "klabctl ct list and conntrack -L" "$tmp/conntrack" "$tmp/klabctl"
	n=$(ip netns exec klab_ct_sh klabctl -j ct list | jq -s 'flatten | length')
	[ "$n" = "$(wc -l <"$tmp/conntrack")" ] ||
		fail "klabctl -j ct list: $n connections"
	ip netns exec klab_ct_sh klabctl -j ct list | jq -e -s --arg c "$C_ADDR" '
		flatten | map(select(.original.src == $c and .protocol == "udp"
		and .original.dport == 7001)) | length == 1' >/dev/null ||
		fail "klabctl -j ct list lacks the udp flow"
	[ "$(ip netns exec klab_ct_sh klabctl ct count)" = "$n" ] ||
		fail "klabctl ct count disagrees"
}

hipac_cli_start 5
[ -x "$PEER" ] || fail "ct_peer is not built"
ktap_run tcp_states test_tcp_states
ktap_run udp_states test_udp_states
ktap_run icmp_never_assured test_icmp_never_assured
ktap_run stateful_firewall_vs_iptables test_stateful_firewall_vs_iptables
ktap_run ct_list_agrees test_ct_list_agrees
ktap_finish
