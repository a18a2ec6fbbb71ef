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
# are in the server.  The namespaces are built once (each `ip netns exec`
# is a process, slow under TCG); every case starts from side_reset: no
# servers, its own rules, an empty conntrack table, and the packets
# counted from there.

# The test functions run through ktap_run.
# shellcheck disable=SC2317
# shellcheck source=ct_lib.sh
source "$(dirname "$0")/ct_lib.sh"

C_ADDR=10.77.0.1
S_ADDR=10.77.0.2

# side_setup SIDE: a client and a server namespace joined by veth.  Both
# ends acknowledge every TCP segment at once (the route's quickack): a
# delayed ACK rides on the next segment or not as timing has it, and one
# run of the same traffic had one pure ACK more than the other
side_setup() {
	local n

	ct_ns "klab_ct_c$1" "klab_ct_s$1"
	# no IPv6 on the link: its router and listener reports leave at
	# random times and would make the two runs' traffic differ; no TCP
	# metrics kept from one case's connections for the next one's
	for n in "klab_ct_c$1" "klab_ct_s$1"; do
		ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 \
			net.ipv4.tcp_no_metrics_save=1 || fail "sysctls of $n"
	done
	ct_link "klab_ct_c$1" veth0 "$C_ADDR/24" "klab_ct_s$1" veth0 "$S_ADDR/24"
	for n in "klab_ct_c$1" "klab_ct_s$1"; do
		ip -n "$n" route replace 10.77.0.0/24 dev veth0 quickack 1 ||
			fail "quickack route in $n"
	done
	# no ARP either: a neighbour turns stale after a random 15-45 s and
	# is probed again, so a slow run saw one ARP packet more than the
	# other (server rx 20 against 19)
	static_neigh "klab_ct_c$1" "$S_ADDR" "klab_ct_s$1"
	static_neigh "klab_ct_s$1" "$C_ADDR" "klab_ct_c$1"
}

# static_neigh NS ADDR PEER_NS: ADDR is PEER_NS's veth0, for good, in NS
static_neigh() {
	local mac

	mac=$(ip netns exec "$3" cat /sys/class/net/veth0/address) ||
		fail "no MAC of veth0 in $3"
	ip -n "$1" neigh replace "$2" lladdr "$mac" dev veth0 nud permanent ||
		fail "permanent neighbour $2 in $1"
}

STATS=/sys/class/net/veth0/statistics

# side_reset SIDE FILE: the side as the case before may have left it, made
# as a case wants it: no servers, the rules of FILE (restored: zero
# counters), no connection in the server's conntrack table (checked), and
# the server veth's packet counts noted for traffic
side_reset() {
	local s=klab_ct_s$1 left

	stop_servers
	restore "$1" "$s" "$2"
	# one process for the flush, its check and the counts
	ip netns exec "$s" sh -c "conntrack -F 2>/dev/null; conntrack -C;
		cat $STATS/rx_packets $STATS/tx_packets" >"$tmp/reset.$1" ||
		fail "conntrack -F in $s"
	left=$(sed -n 1p "$tmp/reset.$1")
	[ "$left" = 0 ] || fail "$left connections left in $s after conntrack -F"
	sed -n 2,3p "$tmp/reset.$1" | paste -sd' ' >"$tmp/start.$1"
}

# ruleset INPUT_POLICY OUTPUT_POLICY: the filter rules on stdin, with
# these policies, in restore format in $tmp/rules
ruleset() {
	{
		printf '*filter\n:INPUT %s [0:0]\n:FORWARD ACCEPT [0:0]\n' "$1"
		printf ':OUTPUT %s [0:0]\n' "$2"
		cat
		echo COMMIT
	} >"$tmp/rules"
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

# traffic SIDE: the packets the server's veth0 received and sent since
# side_reset, "RX TX"
traffic() {
	local rx tx rx0 tx0

	read -r rx0 tx0 <"$tmp/start.$1"
	read -r rx tx < <(ip netns exec "klab_ct_s$1" cat "$STATS/rx_packets" \
		"$STATS/tx_packets" | paste -sd' ')
	echo "$((rx - rx0)) $((tx - tx0))"
}

# both FILE TRAFFIC: run TRAFFIC (a function taking the side) against the
# rules of FILE with nf_hipac and with iptables-legacy; their counters
# must be the same
both() {
	local side try

	for try in 1 2 3; do
		for side in $SIDES; do
			side_reset "$side" "$1"
			"$2" "$side"
			stop_servers
			counters "$side" >"$tmp/counters.$side"
			traffic "$side" >"$tmp/traffic.$side"
		done
		# TCP's timing decides a few packets (a FIN's ACK alone or with
		# the FIN); counters compare only over the same traffic, and a
		# classifier that drops what it should pass never gets there
		cmp -s "$tmp/traffic.i" "$tmp/traffic.h" && break
		echo "# traffic (rx tx) differs: iptables-legacy $(cat "$tmp/traffic.i")," \
			"nf_hipac $(cat "$tmp/traffic.h"); again"
	done
	same "traffic of the nf_hipac and iptables-legacy runs" "$tmp/traffic.i" \
		"$tmp/traffic.h"
	same "counters of nf_hipac and iptables-legacy" "$tmp/counters.i" \
		"$tmp/counters.h"
}

# --- TCP: SYN NEW, SYN-ACK ESTABLISHED in reply, ASSURED after the
# handshake ---

tcp_traffic() {
	serve "klab_ct_s$1" tcp 7000
	client "$1" tcp -n 1 "$S_ADDR" 7000 || fail "tcp connection failed"
}

test_tcp_states() {
	ruleset ACCEPT ACCEPT <<-EOF
	-A INPUT -p tcp -m tcp --dport 7000 -m state --state NEW
	-A INPUT -p tcp -m tcp --dport 7000 --tcp-flags SYN,ACK SYN -m conntrack --ctstate NEW --ctdir ORIGINAL
	-A INPUT -p tcp -m tcp --dport 7000 -m conntrack ! --ctstatus ASSURED
	-A OUTPUT -p tcp -m tcp --sport 7000 --tcp-flags SYN,ACK SYN,ACK -m conntrack --ctstate ESTABLISHED --ctdir REPLY
	-A OUTPUT -p tcp -m tcp --sport 7000 -m conntrack ! --ctstatus ASSURED
	-A OUTPUT -p tcp -m tcp --sport 7000 -m conntrack --ctstatus SEEN_REPLY --ctdir ORIGINAL
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
	serve "klab_ct_s$1" udp 7001
	client "$1" udp -n 3 "$S_ADDR" 7001 || fail "udp exchange failed"
}

test_udp_states() {
	ruleset ACCEPT ACCEPT <<-EOF
	-A INPUT -p udp -m conntrack --ctstate NEW
	-A INPUT -p udp -m conntrack --ctstate ESTABLISHED ! --ctstatus ASSURED
	-A INPUT -p udp -m conntrack --ctstatus ASSURED
	-A OUTPUT -p udp -m conntrack --ctstate ESTABLISHED --ctstatus SEEN_REPLY --ctdir REPLY
	-A OUTPUT -p udp -m conntrack --ctstatus ASSURED
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
	ruleset ACCEPT ACCEPT <<-EOF
	-A INPUT -p icmp -m state --state NEW
	-A INPUT -p icmp -m state --state ESTABLISHED
	-A INPUT -p icmp -m conntrack --ctstatus ASSURED
	-A OUTPUT -p icmp -m conntrack --ctstate ESTABLISHED --ctdir REPLY
	-A OUTPUT -p icmp -m conntrack --ctstatus ASSURED
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

	serve "klab_ct_s$side" tcp 7000
	serve "klab_ct_s$side" udp 7001
	serve "klab_ct_c$side" tcp 7100
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
	ruleset DROP DROP <<-EOF
	-A INPUT -i lo -j ACCEPT
	-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT
	-A INPUT -m conntrack --ctstate INVALID -j DROP
	-A INPUT -p tcp -m tcp --dport 7000 -m state --state NEW -j ACCEPT
	-A INPUT -p udp -m udp --dport 7001 -m conntrack --ctstate NEW -j ACCEPT
	-A INPUT -p icmp -m conntrack --ctstate NEW --ctdir ORIGINAL -j ACCEPT
	-A OUTPUT -o lo -j ACCEPT
	-A OUTPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
	-A OUTPUT -m conntrack --ctstate NEW -j ACCEPT
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

	ruleset ACCEPT ACCEPT <<-EOF
	-A INPUT -m state --state NEW
	EOF
	side_reset h "$tmp/rules"
	tcp_traffic h
	udp_traffic h
	icmp_traffic h
	stop_servers
	ct_lines conntrack -L >"$tmp/conntrack"
	ct_lines klabctl ct list >"$tmp/klabctl"
	[ "$(wc -l <"$tmp/conntrack")" -ge 3 ] || fail "conntrack -L lists too little"
	same "klabctl ct list and conntrack -L" "$tmp/conntrack" "$tmp/klabctl"
	ip netns exec klab_ct_sh klabctl -j ct list >"$tmp/json"
	n=$(jq -s 'flatten | length' "$tmp/json")
	[ "$n" = "$(wc -l <"$tmp/conntrack")" ] ||
		fail "klabctl -j ct list: $n connections"
	jq -e -s --arg c "$C_ADDR" 'flatten | map(select(.original.src == $c
		and .protocol == "udp" and .original.dport == 7001)) |
		length == 1' "$tmp/json" >/dev/null ||
		{ cat "$tmp/json"; fail "klabctl -j ct list lacks the udp flow"; }
	[ "$(ip netns exec klab_ct_sh klabctl ct count)" = "$n" ] ||
		fail "klabctl ct count disagrees"
}

# --- a full conntrack table drops new connections, and nothing breaks ---

# hold_tcp NS ADDR PORT N: open N TCP connections one after the other
# (each given 500 ms; a dropped SYN is retransmitted only after 1 s),
# keep them open while the next ones are tried, print how many opened
hold_tcp() {
	ip netns exec "$1" python3 - "$2" "$3" "$4" <<-'PY'
	import socket, sys
	held = []
	for _ in range(int(sys.argv[3])):
	    s = socket.socket()
	    s.settimeout(0.5)
	    try:
	        s.connect((sys.argv[1], int(sys.argv[2])))
	        held.append(s)
	    except OSError:
	        s.close()
	print(len(held))
	PY
}

# listen_tcp NS PORT: a listener that never accepts: the handshakes end in
# its backlog and the connections stay ESTABLISHED (and ASSURED, which
# conntrack's early drop spares)
listen_tcp() {
	ip netns exec "$1" python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("", int(sys.argv[1])))
s.listen(64)
print("ready", flush=True)
time.sleep(3600)' "$2" >"$tmp/listen" 2>&1 &
	echo $! >>"$tmp/pids"
	for _ in $(seq 50); do
		grep -q ready "$tmp/listen" && return 0
		sleep 0.1
	done
	fail "python listener not ready"
}

test_full_table() {
	local max limit=4 opened drops before

	ruleset DROP ACCEPT <<-EOF
	-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
	-A INPUT -p tcp -m tcp --dport 7000 -m conntrack --ctstate NEW -j ACCEPT
	EOF
	side_reset h "$tmp/rules"
	listen_tcp klab_ct_sh 7000
	before=$(ct_stat klab_ct_sh drop)
	max=$(sysctl -n net.netfilter.nf_conntrack_max)
	# the limit is global, the count each namespace's own
	[ "${KLAB_CT_PLANT:-}" = full_table ] ||
		sysctl -qw net.netfilter.nf_conntrack_max="$limit"
	opened=$(hold_tcp klab_ct_ch "$S_ADDR" 7000 8)
	sysctl -qw net.netfilter.nf_conntrack_max="$max"
	stop_servers
	drops=$(( $(ct_stat klab_ct_sh drop) - before ))
	echo "nf_conntrack_max $limit: $opened of 8 connections opened, drop +$drops"
	[ "$opened" = "$limit" ] || fail "$opened connections opened, want $limit"
	[ "$drops" -ge 4 ] || fail "conntrack's drop counter rose by $drops"
	expect_count INPUT 2 "$limit" "only admitted connections are NEW in the rules"
}

# --- klabctl ct get, flush and watch against conntrack -G, -L and -E ---

# events FILE: event lines, whitespace squeezed (the timeouts are the
# event's, the same in every listener)
# Events as both tools print them.  The name after "progname=" is looked up
# in /proc when the event arrives, and the klabctl that caused it may have
# exited by then (conntrack -E loses that race too), so it is left out.
events() {
	sed -E 's/^ +//; s/ +/ /g; s/ progname=[^ ]+$//' "$1"
}

# all_destroyed FILE...: each event file ends with a DESTROY event and
# has one for each NEW event (a connection flushed is destroyed)
all_destroyed() {
	local f

	for f; do
		tail -1 "$f" | grep -q '\[DESTROY\]' &&
			[ "$(grep -c '\[DESTROY\]' "$f")" = "$(grep -c '\[NEW\]' "$f")" ] ||
			return 1
	done
}

test_ct_tools() {
	local ns=klab_ct_sh tuple

	ruleset ACCEPT ACCEPT <<-EOF
	-A INPUT -m state --state NEW
	EOF
	side_reset h "$tmp/rules"
	ip netns exec "$ns" stdbuf -oL conntrack -E >"$tmp/ev.conntrack" 2>/dev/null &
	echo $! >>"$tmp/pids"
	wait_for "conntrack -E subscribed to conntrack events" nl_listening $!
	ip netns exec "$ns" stdbuf -oL klabctl ct watch >"$tmp/ev.klabctl" 2>&1 &
	echo $! >>"$tmp/pids"
	wait_for "klabctl ct watch subscribed to conntrack events" nl_listening $!
	serve "$ns" udp 7001
	client h udp -s 40000 -n 3 "$S_ADDR" 7001 || fail "udp exchange failed"
	tcp_traffic h
	tuple=(-p udp -s "$C_ADDR" -d "$S_ADDR" --sport 40000 --dport 7001)
	ip netns exec "$ns" conntrack -G "${tuple[@]}" 2>/dev/null |
		awk '{ $3 = ""; print }' >"$tmp/get.conntrack"
	ip netns exec "$ns" klabctl ct get "${tuple[@]}" |
		awk '{ $3 = ""; print }' >"$tmp/get.klabctl"
	cat "$tmp/get.klabctl"
	[ -s "$tmp/get.conntrack" ] || fail "conntrack -G found no udp flow"
	same "klabctl ct get and conntrack -G" "$tmp/get.conntrack" "$tmp/get.klabctl"

	ip netns exec "$ns" klabctl ct flush -p udp || fail "klabctl ct flush -p udp"
	[ "$(ip netns exec "$ns" conntrack -L -p udp 2>/dev/null | wc -l)" = 0 ] ||
		fail "conntrack -L still lists udp flows after klabctl ct flush -p udp"
	[ "$(ip netns exec "$ns" conntrack -C)" -ge 1 ] ||
		fail "klabctl ct flush -p udp took the tcp connection too"
	ip netns exec "$ns" klabctl ct flush || fail "klabctl ct flush"
	[ "$(ip netns exec "$ns" conntrack -C)" = 0 ] ||
		fail "conntrack -C after klabctl ct flush: not 0"
	wait_for "conntrack -E and klabctl ct watch printing the flushes' DESTROY events" \
		all_destroyed "$tmp/ev.conntrack" "$tmp/ev.klabctl"
	stop_servers
	events "$tmp/ev.conntrack" >"$tmp/ev.c"
	events "$tmp/ev.klabctl" >"$tmp/ev.k"
	cat "$tmp/ev.k"
	grep -Eq "^\[NEW\] udp 17 [0-9]+ src=$C_ADDR dst=$S_ADDR sport=40000 dport=7001" "$tmp/ev.k" ||
		fail "klabctl ct watch: no NEW event of the udp flow"
	grep -Eq "^\[DESTROY\] udp 17 ([0-9]+ )?src=$C_ADDR" "$tmp/ev.k" ||
		fail "klabctl ct watch: no DESTROY event of the flushed udp flow"
	grep -Eq "^\[DESTROY\] udp .* \[USERSPACE\] portid=[0-9]+$" "$tmp/ev.k" ||
		fail "klabctl ct watch: the flush's DESTROY does not say a process caused it"
	same "klabctl ct watch and conntrack -E" "$tmp/ev.c" "$tmp/ev.k"
}

ct_start 7
for side in $SIDES; do side_setup "$side"; done
ktap_run tcp_states test_tcp_states
ktap_run udp_states test_udp_states
ktap_run icmp_never_assured test_icmp_never_assured
ktap_run stateful_firewall_vs_iptables test_stateful_firewall_vs_iptables
ktap_run ct_list_agrees test_ct_list_agrees
ktap_run full_table test_full_table
ktap_run ct_tools_agree test_ct_tools
ktap_finish
