#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The notes' facts about conntrack and NAT under nf_hipac's rules, shown on
# the kernel's conntrack and NAT:
#
#   hook_order        B10, B17, A14, C20: where conntrack-in, NAT,
#                     nf_hipac's filter and confirm run, found by nft base
#                     chains on either side of each priority; NAT's
#                     direction rules; NAT once a flow; DNAT before routing
#   paths             C20, A14: which chains each path meets; SNAT where
#                     6.1 allows it
#   tuples_inverse    B15: TCP/UDP 5-tuples, ICMP (src, dst, type, code,
#                     id), the reply tuple the inverse without NAT
#   status_bits       B12, B17: the status word of real connections
#   expectation       B20, B12's EXPECTED: an FTP expectation and its child
#   table_sizes       B19: the hash size is not fixed at load in 6.1
#   seq_adjust        B12's SEQ_ADJUST: nf_nat_ftp lengthens a PORT line
#   status_update     B12's FIXED_TIMEOUT and DYING, and what ctnetlink
#                     answers to a status word that clears or sets bits
#   template          B12's TEMPLATE: a CT target's template before
#                     conntrack-in
#   hook_order_local  B10 on the local paths: INPUT and OUTPUT
#   queue_verdict     B12: an NFQUEUE verdict with conntrack data clears
#                     FIXED_TIMEOUT and HELPER
#   nat_unload        B12: unloading nf_nat clears SRC_NAT_DONE of a null
#                     binding (last: it unloads nf_hipac and nf_nat, then
#                     loads nf_hipac)
#
#   client 10.79.1.1 -- 10.79.1.254 router 10.79.2.254 -- 10.79.2.1 server

# The test functions run through ktap_run.
# shellcheck disable=SC2317
# shellcheck source=ct_lib.sh
source "$(dirname "$0")/ct_lib.sh"

C=10.79.1.1
R_IN=10.79.1.254
R_OUT=10.79.2.254
S=10.79.2.1
NC=klab_ctf_c
NR=klab_ctf_r
NS=klab_ctf_s
NE=klab_ctf_e
DUMP=$(dirname "$PEER")/ct_dump
QUEUE=$(dirname "$PEER")/ct_queue

# The status bits of include/uapi/linux/netfilter/nf_conntrack_common.h
# that want_status and the update steps name in their arithmetic; 6.1 adds
# bits 12-15 (UNTRACKED alias NAT_CLASH, HELPER, OFFLOAD, HW_OFFLOAD), which
# the notes' table lacks
# shellcheck disable=SC2034
readonly IPS_EXPECTED=0x1 IPS_SEEN_REPLY=0x2 IPS_ASSURED=0x4 IPS_CONFIRMED=0x8 \
	IPS_SRC_NAT=0x10 IPS_DST_NAT=0x20 IPS_SEQ_ADJUST=0x40 IPS_SRC_NAT_DONE=0x80 \
	IPS_DST_NAT_DONE=0x100 IPS_DYING=0x200 IPS_FIXED_TIMEOUT=0x400 \
	IPS_TEMPLATE=0x800 IPS_HELPER=0x2000

# The router's rules, for every case, loaded once (a rule command costs
# seconds under TCG).  Each case has ports of its own, so that its
# counters count its packets only.  The rules without a target count the
# packets they see; in the nat table, a connection's first packet only.
router_rules() {
	cat <<-EOF
	*filter
	:INPUT ACCEPT [0:0]
	:FORWARD ACCEPT [0:0]
	:OUTPUT ACCEPT [0:0]
	-A INPUT -p icmp -s $C
	-A INPUT -p udp
	-A FORWARD -p icmp -s $C
	-A FORWARD -p udp -d $S --dport 7000
	-A FORWARD -p udp --dport 7002 -j DROP
	-A OUTPUT -p icmp -d $S
	-A INPUT -p udp --dport 7022 -j DROP
	-A OUTPUT -p udp --dport 7032 -j DROP
	COMMIT
	*nat
	:PREROUTING ACCEPT [0:0]
	:INPUT ACCEPT [0:0]
	:OUTPUT ACCEPT [0:0]
	:POSTROUTING ACCEPT [0:0]
	-A PREROUTING -p icmp -s $C
	-A PREROUTING -i inside -p udp -d $R_IN --dport 8080 -j DNAT --to-destination $S:7000
	-A PREROUTING -i inside -p udp -d $R_IN --dport 8081 -j DNAT --to-destination $S:7001
	-A INPUT -p icmp -s $C
	-A INPUT -p icmp -d 10.79.1.253 -j SNAT --to-source 10.79.1.99
	-A OUTPUT -p icmp -d $S
	-A POSTROUTING -p icmp -d $S
	-A POSTROUTING -o outside -p udp --dport 7000 -j SNAT --to-source $R_OUT
	-A POSTROUTING -o outside -p udp --dport 7004 -j SNAT --to-source $R_OUT
	-A POSTROUTING -p udp -d 192.0.2.1 -j SNAT --to-source $R_OUT
	-A POSTROUTING -o outside -p tcp --dport 21 -j SNAT --to-source $R_OUT
	-A INPUT -p udp -d 10.79.1.253 --dport 7020 -j SNAT --to-source 10.79.1.99
	-A OUTPUT -p udp -d 10.79.2.9 --dport 7030 -j DNAT --to-destination $S:7031
	COMMIT
	EOF
}

topo() {
	ct_ns "$NC" "$NR" "$NS"
	ct_link "$NC" eth0 "$C/24" "$NR" inside "$R_IN/24"
	ct_link "$NS" eth0 "$S/24" "$NR" outside "$R_OUT/24"
	ip -n "$NR" addr add 10.79.1.253/24 dev inside
	ip -n "$NC" route add default via "$R_IN"
	ip -n "$NS" route add default via "$R_OUT"
	ip netns exec "$NR" sysctl -qw net.ipv4.ip_forward=1
	router_rules >"$tmp/router.rules"
	restore h "$NR" "$tmp/router.rules"
	# iptables' raw table: the FTP helper for seq_adjust, a zone
	# template for template, the TFTP helper (any helper: it sets
	# HELPER) for queue_verdict; its mangle table: the queue of
	# queue_verdict, for a connection's packets after its first
	modprobe nf_nat_ftp || fail "no nf_nat_ftp"
	modprobe nf_conntrack_tftp || fail "no nf_conntrack_tftp"
	ip netns exec "$NR" iptables-legacy-restore <<-EOF || fail "raw and mangle rules"
	*raw
	-A PREROUTING -p tcp --dport 21 -j CT --helper ftp
	-A PREROUTING -p udp --sport 40033 -j CT --zone 7
	-A PREROUTING -p udp --sport 40033 -m conntrack --ctstate NEW --ctstatus CONFIRMED
	-A PREROUTING -p udp --sport 40034 -j CT --helper tftp
	COMMIT
	*mangle
	-A FORWARD -p udp --sport 40034 -m state --state ESTABLISHED -j NFQUEUE --queue-num 7
	COMMIT
	EOF
	# conntrack in the server, without NAT
	rules h "$NS" -A INPUT -m state --state NEW
	serve "$NS" udp 7000
	serve "$NS" udp 7001
	serve "$NS" tcp 7010
	serve "$NS" udp 7011
	serve "$NS" udp 7031
	serve "$NR" udp -a 10.79.1.253 7020
}

# udp_from PORT DST DPORT [COUNT]: COUNT datagrams from the client's
# source PORT, each answered
udp_from() {
	ip netns exec "$NC" "$PEER" connect udp -s "$1" -n "${4:-1}" "$2" "$3" \
		>/dev/null || fail "udp $1 -> $2:$3 not answered"
}

# ct_status NS PROTO SPORT: the status word of NS's connection from SPORT
ct_status() {
	ip netns exec "$1" "$DUMP" | awk -v p="$2" -v s="$3" \
		'$1 == p && $4 == s { sub("status=", "", $6); print $6 }'
}

# want_status WHAT GOT WANT: the status word GOT is WANT
want_status() {
	[ "$(($2))" = "$(($3))" ] ||
		fail "$1: status $2, want $(printf '0x%x' "$(($3))")"
}

# nft_counts [TABLE]: the counters of the router's nft TABLE (probe),
# "COMMENT PACKETS" a line
nft_counts() {
	ip netns exec "$NR" nft list table ip "${1:-probe}" |
		sed -nE 's/.*counter packets ([0-9]+) .*comment "([^"]+)".*/\2 \1/p'
}

# rule_count TABLE CHAIN N: packets of the router's rule N of CHAIN
rule_count() {
	ip netns exec "$NR" nf-hipac -t "$1" -L "$2" -n -v -x --line-numbers |
		awk -v n="$3" '$1 == n { print $2 }'
}

# want_count TABLE CHAIN N WANT WHAT: rule N of the router's CHAIN counted WANT
want_count() {
	local got

	got=$(rule_count "$1" "$2" "$3")
	[ "$got" = "$4" ] || fail "$5: $1 $2 rule $3 counted '$got', want $4"
}

# --- B10, B17: the hook order, each priority between two nft chains ---

test_hook_order() {
	# chains just before and just after each hook the notes name; the
	# packets' fields show which of the two saw the hook's work done
	ip netns exec "$NR" nft -f - <<-EOF || fail "nft probe chains"
	table ip probe {
		chain ct_before {
			type filter hook prerouting priority -201
			udp dport 8080 ct state new,established counter comment "conntrack -201: tracked"
		}
		chain ct_after {
			type filter hook prerouting priority -199
			udp dport 8080 ct state new,established counter comment "conntrack -199: tracked"
		}
		chain dnat_before {
			type filter hook prerouting priority -101
			ip daddr $R_IN udp dport 8080 counter comment "dnat -101: original destination"
			ip daddr $R_OUT udp sport 7000 counter comment "reply -101: to the SNAT address"
		}
		chain dnat_after {
			type filter hook prerouting priority -99
			ip daddr $S udp dport 7000 counter comment "dnat -99: new destination"
			ip daddr $C udp sport 7000 counter comment "reply -99: to the client (SRC_NAT undone)"
		}
		chain filter_before {
			type filter hook forward priority -2
			udp dport 7002 counter comment "filter -2: before nf_hipac's drop"
		}
		chain filter_after {
			type filter hook forward priority 0
			udp dport 7002 counter comment "filter 0: after nf_hipac's drop"
		}
		chain snat_before {
			type filter hook postrouting priority 99
			ip saddr $C udp dport 7000 counter comment "snat 99: original source"
			ip saddr $S udp sport 7000 counter comment "reply 99: from the server"
		}
		chain snat_after {
			type filter hook postrouting priority 101
			ip saddr $R_OUT udp dport 7000 counter comment "snat 101: new source"
			ip saddr $R_IN udp sport 8080 counter comment "reply 101: from the DNAT address (DST_NAT undone)"
		}
		chain confirm_before {
			type filter hook postrouting priority 2147483646
			udp dport 7000 ct status confirmed counter comment "confirm INT_MAX-1: confirmed"
			udp dport 7000 counter comment "confirm INT_MAX-1: all"
		}
	}
	EOF
	# one flow of 10 datagrams, DNATed and SNATed, each answered (the
	# replies de-NATed), and one datagram nf_hipac drops
	ip netns exec "$NC" "$PEER" connect udp -s 40000 -n 10 "$R_IN" 8080 \
		>"$tmp/seen" || fail "the DNATed flow was not answered 10 times"
	grep -qx "peer $R_OUT 40000" "$tmp/seen" || fail "server did not see the SNAT address"
	ip netns exec "$NC" "$PEER" connect udp -s 40001 -w 200 "$S" 7002 \
		>/dev/null && fail "nf_hipac's FORWARD rule did not drop"
	nft_counts >"$tmp/got"
	cat "$tmp/got"
	# the first packet passes INT_MAX-1 unconfirmed, the later ones
	# belong to a confirmed connection
	cat >"$tmp/want" <<-EOF
	conntrack -201: tracked 0
	conntrack -199: tracked 10
	dnat -101: original destination 10
	reply -101: to the SNAT address 10
	dnat -99: new destination 10
	reply -99: to the client (SRC_NAT undone) 10
	filter -2: before nf_hipac's drop 1
	filter 0: after nf_hipac's drop 0
	snat 99: original source 10
	reply 99: from the server 10
	snat 101: new source 10
	reply 101: from the DNAT address (DST_NAT undone) 10
	confirm INT_MAX-1: confirmed 9
	confirm INT_MAX-1: all 10
	EOF
	same "the packets each side of each priority saw" "$tmp/want" "$tmp/got"

	# A14, C20: the DNATed flow was routed by its new address (FORWARD,
	# not INPUT); its NAT rules decided once, on the first packet; one
	# connection, and none left by the dropped datagram
	want_count filter INPUT 2 0 "the DNATed flow reached INPUT"
	want_count filter FORWARD 2 10 "FORWARD, the DNATed flow"
	want_count nat PREROUTING 2 1 "the DNAT rule, once a flow"
	want_count nat POSTROUTING 2 1 "the SNAT rule, once a flow"
	[ "$(ip netns exec "$NR" conntrack -C)" = 1 ] ||
		fail "$(ip netns exec "$NR" conntrack -C) connections in the router, want 1"
}

# --- C20, A14: the chains each path meets ---

# chain_counts: packets of the router's rule 1 of each chain, in order
chain_counts() {
	local t c out=

	for t in "nat PREROUTING" "nat INPUT" "filter INPUT" "filter FORWARD" \
		"filter OUTPUT" "nat OUTPUT" "nat POSTROUTING"; do
		c=$(rule_count "${t% *}" "${t#* }" 1)
		out+="${out:+ }${t#* }/${t% *}=$c"
	done
	echo "$out"
}

# path_counts WHAT NS DST WANT: after one ping from NS to DST, the
# chains' counts (chain_counts) are WANT
path_counts() {
	local got

	ip netns exec "$2" ping -q -c 1 -W 2 "$3" >/dev/null || fail "ping $3 from $2"
	got=$(chain_counts)
	echo "$1: $got"
	[ "$got" = "$4" ] || fail "$1 is not the path it should be: $got"
}

test_paths() {
	path_counts "local delivery" "$NC" "$R_IN" \
		"PREROUTING/nat=1 INPUT/nat=1 INPUT/filter=1 FORWARD/filter=0 OUTPUT/filter=0 OUTPUT/nat=0 POSTROUTING/nat=0"
	path_counts "+ forwarded" "$NC" "$S" \
		"PREROUTING/nat=2 INPUT/nat=1 INPUT/filter=1 FORWARD/filter=1 OUTPUT/filter=0 OUTPUT/nat=0 POSTROUTING/nat=1"
	path_counts "+ local output" "$NR" "$S" \
		"PREROUTING/nat=2 INPUT/nat=1 INPUT/filter=1 FORWARD/filter=1 OUTPUT/filter=1 OUTPUT/nat=1 POSTROUTING/nat=2"

	# SNAT: refused in PREROUTING (by iptables-legacy too) and OUTPUT; 6.1
	# takes it in INPUT as well as POSTROUTING
	ip netns exec "$NR" nf-hipac -t nat -A PREROUTING -j SNAT --to-source "$R_IN" \
		2>/dev/null && fail "nf-hipac took SNAT in PREROUTING"
	ip netns exec "$NR" nf-hipac -t nat -A OUTPUT -j SNAT --to-source "$R_IN" \
		2>/dev/null && fail "nf-hipac took SNAT in OUTPUT"
	ip netns exec "$NC" iptables-legacy -t nat -A PREROUTING -j SNAT --to-source "$C" \
		2>/dev/null && fail "iptables-legacy took SNAT in PREROUTING"
	ip netns exec "$NC" ping -q -c 1 -W 2 10.79.1.253 >/dev/null || fail "ping 10.79.1.253"
	ip netns exec "$NR" conntrack -L -p icmp 2>/dev/null >"$tmp/icmp"
	grep -q "src=10.79.1.253 dst=10.79.1.99 type=0" "$tmp/icmp" ||
		{ cat "$tmp/icmp"; fail "SNAT at INPUT did not translate"; }
}

# --- B15: tuples, and the reply tuple the inverse of the original ---

# tuple_fields: "key=value ..." of the tuples of a conntrack -L line
tuple_fields() {
	grep -oE '\b(src|dst|sport|dport|type|code|id)=[^ ]+' | paste -sd' '
}

test_tuples_inverse() {
	local l n

	ip netns exec "$NC" "$PEER" connect tcp -s 40010 "$S" 7010 >/dev/null ||
		fail "tcp connection failed"
	udp_from 40011 "$S" 7011
	ip netns exec "$NC" ping -q -c 1 -W 2 "$S" >/dev/null || fail "ping failed"
	# the server has no NAT; the router has a nat table that bound nothing
	for n in "$NS" "$NR"; do
		ip netns exec "$n" conntrack -L 2>/dev/null >"$tmp/list"
		l=$(grep -E "^tcp .* sport=40010 dport=7010 " "$tmp/list" | tuple_fields)
		[ "$l" = "src=$C dst=$S sport=40010 dport=7010 src=$S dst=$C sport=7010 dport=40010" ] ||
			fail "tcp tuples in $n: $l"
		l=$(grep -E "^udp .* sport=40011 dport=7011 " "$tmp/list" | tuple_fields)
		[ "$l" = "src=$C dst=$S sport=40011 dport=7011 src=$S dst=$C sport=7011 dport=40011" ] ||
			fail "udp tuples in $n: $l"
		l=$(grep -E "^icmp .* src=$C dst=$S " "$tmp/list" | head -1 | tuple_fields)
		echo "$n: icmp $l"
		[[ "$l" =~ ^src=$C\ dst=$S\ type=8\ code=0\ id=([0-9]+)\ src=$S\ dst=$C\ type=0\ code=0\ id=([0-9]+)$ ]] ||
			fail "icmp tuples in $n: $l"
		[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ] ||
			fail "icmp: the reply's id ${BASH_REMATCH[2]} is not the request's ${BASH_REMATCH[1]}"
	done
}

# --- B12, B17: status words, which only gain bits ---

# sleep_until_past TIME SECONDS: sleep until SECONDS have passed since
# TIME (an $EPOCHREALTIME), if they have not yet
sleep_until_past() {
	sleep "$(awk -v t="$1" -v s="$2" -v now="$EPOCHREALTIME" \
		'BEGIN { d = t + s - now; print (d > 0 ? d : 0) }')"
}

# within_two_seconds: a new SNAT flow from its own port answered twice
# within 2 s of its first packet is not ASSURED: 6.1's UDP asks for more
# than 2 s (stream_ts) besides the reply.  ct_peer's elapsed time, from
# before the first datagram to after the second answer, bounds the second
# datagram's age from above; a host too slow to answer twice within the
# 2 s has not tried it: try again with a new flow, and judge only a flow
# that met the window
within_two_seconds() {
	local sport ms s

	for sport in $(seq 40050 40069); do
		ms=$(ip netns exec "$NC" "$PEER" connect udp -s "$sport" -n 2 -t "$S" 7004 |
			awk '$1 == "elapsed_ms" { print $2 }')
		[ -n "$ms" ] || fail "udp $sport -> $S:7004 not answered twice"
		if [ "$ms" -lt 1900 ]; then
			s=$(ct_status "$NR" udp "$sport")
			echo "SNAT flow from $sport answered twice in $ms ms: $s"
			want_status "SNAT, answered twice within 2 s" "$s" \
				"IPS_CONFIRMED | IPS_SEEN_REPLY | IPS_SRC_NAT | IPS_SRC_NAT_DONE | IPS_DST_NAT_DONE"
			return
		fi
		echo "SNAT flow from $sport answered twice in $ms ms, not within 2 s: again"
	done
	fail "no SNAT flow of 20 was answered twice within 2 s of its first packet"
}

test_status_bits() {
	local s1 s2 s3 made

	# the server has no NAT hooks: no NAT_DONE; the router's nat table
	# decided both ways, changing nothing
	udp_from 40020 "$S" 7011
	want_status "no NAT hooks (server)" "$(ct_status "$NS" udp 40020)" \
		"IPS_SEEN_REPLY | IPS_CONFIRMED"
	want_status "no nat rule matched (router)" "$(ct_status "$NR" udp 40020)" \
		"IPS_SEEN_REPLY | IPS_CONFIRMED | IPS_SRC_NAT_DONE | IPS_DST_NAT_DONE"
	udp_from 40022 "$R_IN" 8081
	want_status "DNAT" "$(ct_status "$NR" udp 40022)" \
		"IPS_SEEN_REPLY | IPS_CONFIRMED | IPS_DST_NAT | IPS_SRC_NAT_DONE | IPS_DST_NAT_DONE"
	# an SNAT flow over its life: unanswered (nothing listens: the
	# server's ICMP error is no reply), answered, then older than 2 s,
	# which 6.1's UDP asks before ASSURED.  The answered step holds at
	# any speed: its datagram finds no SEEN_REPLY, and its answer's
	# handler runs before nf_conntrack_in sets SEEN_REPLY
	ip netns exec "$NC" "$PEER" connect udp -s 40023 -w 200 "$S" 7004 \
		>/dev/null && fail "udp to a closed port answered"
	# the flow was made before this time: 2 s (HZ ticks: 4 ms) after it
	# its next answered packet finds it old enough
	made=$EPOCHREALTIME
	s1=$(ct_status "$NR" udp 40023)
	serve "$NS" udp 7004
	udp_from 40023 "$S" 7004
	s2=$(ct_status "$NR" udp 40023)
	within_two_seconds
	sleep_until_past "$made" 2.1
	udp_from 40023 "$S" 7004
	s3=$(ct_status "$NR" udp 40023)
	echo "SNAT flow: $s1 $s2 $s3"
	want_status "SNAT, unanswered" "$s1" \
		"IPS_CONFIRMED | IPS_SRC_NAT | IPS_SRC_NAT_DONE | IPS_DST_NAT_DONE"
	want_status "SNAT, answered" "$s2" "$s1 | IPS_SEEN_REPLY"
	want_status "SNAT, answered after 2 s" "$s3" "$s2 | IPS_ASSURED"
}

# --- B20: an FTP expectation, its child, its master's end ---

# ftp STEP...: a python driver of FTP control and data connections on the
# loopback of $NE; "show" prints the expectations, conntrack -L and
# ct_dump between steps
ftp() {
	ip netns exec "$NE" env DUMP="$DUMP" python3 - "$@" <<-'PY'
	import socket, subprocess, sys, time
	srv = socket.socket()
	srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	srv.bind(("127.0.0.1", 21))
	srv.listen(8)
	ctl = None
	keep = []
	for step in sys.argv[1:]:
	    op, _, arg = step.partition(":")
	    if op == "control":         # a control connection from port ARG
	        c = socket.socket()
	        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
	        c.bind(("127.0.0.1", int(arg)))
	        c.connect(("127.0.0.1", 21))
	        a, _ = srv.accept()
	        # the helper reads a command only after a line it saw end
	        c.send(b"USER klab\r\n")
	        a.recv(100)
	        ctl = (c, a)
	    elif op == "port":          # PORT for data port ARG
	        p = int(arg)
	        ctl[0].send(b"PORT 127,0,0,1,%d,%d\r\n" % (p >> 8, p & 255))
	        ctl[1].recv(100)
	    elif op == "data":          # the server opens the data connection
	        l = socket.socket()
	        l.bind(("127.0.0.1", int(arg)))
	        l.listen(1)
	        keep += [l, socket.create_connection(("127.0.0.1", int(arg))), l.accept()[0]]
	    elif op == "show":
	        time.sleep(0.05)
	        out = subprocess.run("conntrack -L expect 2>/dev/null | wc -l; "
	                             "conntrack -L 2>/dev/null; \"$DUMP\"",
	                             shell=True, capture_output=True, text=True).stdout
	        print("== show\nexpectations " + out, end="", flush=True)
	    elif op == "delete":        # conntrack -D of the control connection from ARG
	        subprocess.run(["conntrack", "-D", "-p", "tcp", "--orig-port-src", arg],
	                       capture_output=True)
	PY
}

# shown N PATTERN: show step N of $tmp/ftp has a line matching PATTERN
shown() {
	awk -v n="$1" '/^== show/ { i++ } i == n' "$tmp/ftp" | grep -qE "$2"
}

test_expectation() {
	local m="sport=40021 dport=21 "

	modprobe nf_conntrack_ftp || fail "no nf_conntrack_ftp"
	ct_ns "$NE"
	ip netns exec "$NE" iptables-legacy -t raw -A OUTPUT -p tcp --dport 21 \
		-j CT --helper ftp || fail "CT --helper ftp"
	rules h "$NE" -A OUTPUT -p tcp -m state --state RELATED
	ftp control:40021 port:40000 show data:40000 show port:40001 show \
		delete:40021 show >"$tmp/ftp" || fail "ftp driver"
	cat "$tmp/ftp"
	shown 1 "^expectations 1$" || fail "PORT made no expectation"
	shown 1 "$m.* use=1$" || fail "the expectation holds a reference on its master"
	shown 2 "^expectations 0$" || fail "the data connection left its expectation"
	shown 2 "$m.* use=2$" || fail "the child holds no reference on its master"
	shown 2 "^tcp 127.0.0.1 127.0.0.1 [0-9]+ 40000 status=0x[0-9a-f]*[13579bdf] master=127.0.0.1:40021-127.0.0.1:21$" ||
		fail "the child is not EXPECTED with its master"
	[ "$(ip netns exec "$NE" nf-hipac -L OUTPUT -n -v -x | awk '/RELATED/ { print $1 }')" = 1 ] ||
		fail "the child's first packet was not RELATED in nf_hipac's rule"
	shown 3 "^expectations 1$" || fail "the second PORT made no expectation"
	shown 4 "^expectations 0$" || fail "the expectation outlived its master"
	shown 4 "$m" && fail "the master was not deleted"
	shown 4 " 40000 status=0x[0-9a-f]*[13579bdf] master=" ||
		fail "the child went with its master"
}

# --- B19: the conntrack hash is resized at run time in 6.1 ---

test_table_sizes() {
	local b want got param f=/proc/sys/net/netfilter/nf_conntrack_buckets

	b=$(sysctl -n net.netfilter.nf_conntrack_buckets)
	want=$((b / 2))
	sysctl -qw net.netfilter.nf_conntrack_buckets="$want" ||
		fail "nf_conntrack_buckets not writable"
	got=$(sysctl -n net.netfilter.nf_conntrack_buckets)
	param=$(cat /sys/module/nf_conntrack/parameters/hashsize)
	sysctl -qw net.netfilter.nf_conntrack_buckets="$b"
	echo "nf_conntrack_buckets $b -> $got (hashsize $param) -> $b"
	[ "$got" = "$want" ] || fail "nf_conntrack_buckets: $got, want $want"
	[ "$param" = "$want" ] || fail "hashsize parameter: $param, want $want"
	# only the first namespace resizes: the others read the size
	ip netns exec "$NC" sh -c "echo $want >$f" 2>/dev/null &&
		fail "a namespace other than init_net wrote $f"
	[ "$(ip netns exec "$NC" cat "$f")" = "$b" ] ||
		fail "the namespace reads another size"
}

# --- B12: SEQ_ADJUST, FIXED_TIMEOUT, DYING, TEMPLATE; no bit cleared ---

# ftp_server: a python FTP control server on the server's port 21 that
# prints each line it receives and answers it, until NOOP
ftp_server() {
	ip netns exec "$NS" timeout 120 python3 - <<-'PY'
	import socket
	s = socket.socket()
	s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	s.bind(("0.0.0.0", 21))
	s.listen(1)
	print("ready", flush=True)
	c, _ = s.accept()
	for line in c.makefile("rb"):
	    print(line.decode().rstrip("\r\n"), flush=True)
	    c.sendall(b"200 ok\r\n")
	    if line.startswith(b"NOOP"):
	        break
	PY
}

# ftp_client: USER, PORT for the client's data port 40070, NOOP from the
# client's port 40030, each sent after the answer to the one before
ftp_client() {
	ip netns exec "$NC" python3 - "$S" <<-'PY'
	import socket, sys
	c = socket.socket()
	c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
	c.bind(("0.0.0.0", 40030))
	c.settimeout(30)
	c.connect((sys.argv[1], 21))
	answers = c.makefile("rb")
	for cmd in (b"USER klab", b"PORT 10,79,1,1,156,142", b"NOOP"):
	    c.sendall(cmd + b"\r\n")
	    print(answers.readline().decode().rstrip("\r\n"), flush=True)
	PY
}

test_seq_adjust() {
	local s

	ftp_server >"$tmp/ftp_server" 2>&1 &
	echo $! >>"$tmp/pids"
	wait_for "the FTP server printing ready" grep -q ready "$tmp/ftp_server"
	# SNAT 10.79.1.1 -> 10.79.2.254 makes nf_nat_ftp write a PORT line two
	# bytes longer; the connection goes on only if the router shifts the
	# sequence numbers after it
	ftp_client >"$tmp/ftp_client" || fail "the FTP control connection broke"
	wait "$(tail -1 "$tmp/pids")"
	cat "$tmp/ftp_server" "$tmp/ftp_client"
	printf '%s\n' ready "USER klab" "PORT 10,79,2,254,156,142" NOOP >"$tmp/want"
	same "what the FTP server read" "$tmp/want" "$tmp/ftp_server"
	printf '200 ok\n200 ok\n200 ok\n' >"$tmp/want"
	same "what the FTP client read" "$tmp/want" "$tmp/ftp_client"
	s=$(ct_status "$NR" tcp 40030)
	echo "router: FTP control connection status=$s"
	want_status "FTP control, PORT rewritten (bits 0-11)" "$((s & 0xfff))" \
		"IPS_SEEN_REPLY | IPS_ASSURED | IPS_CONFIRMED | IPS_SRC_NAT | IPS_SEQ_ADJUST | IPS_SRC_NAT_DONE | IPS_DST_NAT_DONE"
}

# ct_update SPORT [-t TIMEOUT] STATUS...: ctnetlink's answers (ok, error
# NAME) to each STATUS in turn for the router's UDP flow from the
# client's SPORT to the server's port 7011, each with the status word after
ct_update() {
	local sport=$1

	shift
	ip netns exec "$NR" "$DUMP" update udp "$C" "$S" "$sport" 7011 "$@"
}

# long_timeout NS SPORT DPORT STATUS WHAT: NS's UDP flow from the
# client's SPORT to the server's DPORT gets a timeout of 1000 s (UDP's own
# is 30 s or 120 s) and the status word STATUS, which ctnetlink must take
long_timeout() {
	[ "$(ip netns exec "$1" "$DUMP" update udp "$C" "$S" "$2" "$3" -t 1000 "$4")" = \
		"ok status=$(printf '0x%x' "$(($4))")" ] || fail "ctnetlink refused $5"
}

# ct_timeout SPORT: the seconds left to the router's UDP flow from SPORT
ct_timeout() {
	ip netns exec "$NR" conntrack -L -p udp --orig-port-src "$1" 2>/dev/null |
		awk '{ print $3 }'
}

test_status_update() {
	local s0 s t

	# 6.1 gives a connection its event cache only if an event listener
	# exists when it is made (nf_conntrack_events 2, auto): listen first
	ip netns exec "$NR" timeout 60 "$DUMP" destroyed udp 40031 >"$tmp/destroyed" &
	echo $! >>"$tmp/pids"
	wait_for "ct_dump destroyed printing ready" grep -q ready "$tmp/destroyed"
	udp_from 40031 "$S" 7011
	udp_from 40032 "$S" 7011
	s0=$(ct_status "$NR" udp 40031)
	s=$((s0 | IPS_FIXED_TIMEOUT))
	# FIXED_TIMEOUT, which ctnetlink may set: a packet no longer renews
	# the timeout (UDP's is 30 s or 120 s); the same timeout without the
	# bit is renewed
	long_timeout "$NR" 40031 7011 "$s" FIXED_TIMEOUT
	long_timeout "$NR" 40032 7011 "$s0" "a timeout"
	udp_from 40031 "$S" 7011
	udp_from 40032 "$S" 7011
	t="$(ct_timeout 40031) $(ct_timeout 40032)"
	echo "timeouts after a packet: fixed, not fixed: $t"
	[ "${t% *}" -gt 900 ] || fail "FIXED_TIMEOUT: the timeout was renewed: ${t% *} s"
	[ "${t#* }" -le 120 ] || fail "without FIXED_TIMEOUT the timeout stayed ${t#* } s"

	# status words that set ASSURED, then clear SEEN_REPLY, clear
	# ASSURED, set EXPECTED, set DYING, clear FIXED_TIMEOUT and both
	# NAT_DONE, set SEQ_ADJUST, TEMPLATE and SRC_NAT: each answer and the
	# word it leaves
	ct_update 40031 "$((s | IPS_ASSURED))" \
		"$((s & ~IPS_SEEN_REPLY | IPS_ASSURED))" "$s" \
		"$((s | IPS_EXPECTED | IPS_ASSURED))" "$((s | IPS_DYING | IPS_ASSURED))" \
		"$((s & ~(IPS_FIXED_TIMEOUT | IPS_SRC_NAT_DONE | IPS_DST_NAT_DONE) | IPS_ASSURED))" \
		"$((s | IPS_SEQ_ADJUST | IPS_TEMPLATE | IPS_SRC_NAT | IPS_ASSURED))" >"$tmp/got"
	s=$(printf '0x%x' $((s | IPS_ASSURED)))
	cat "$tmp/got"
	cat >"$tmp/want" <<-EOF
	ok status=$s
	error EBUSY status=$s
	error EBUSY status=$s
	error EBUSY status=$s
	error EBUSY status=$s
	ok status=$s
	ok status=$s
	EOF
	same "ctnetlink's answers and the status words" "$tmp/want" "$tmp/got"

	# DYING: set by the delete, in the DESTROY event with every other bit
	ip netns exec "$NR" conntrack -D -p udp --orig-port-src 40031 >/dev/null 2>&1 ||
		fail "conntrack -D"
	wait "$(tail -1 "$tmp/pids")" || fail "no DESTROY event"
	cat "$tmp/destroyed"
	grep -q "^udp $C $S 40031 7011 status=$(printf '0x%x' $((s | IPS_DYING)))$" \
		"$tmp/destroyed" || fail "the DESTROY event is not status $s | DYING"
}

test_template() {
	local s

	# a CT target's template (IPS_TEMPLATE | IPS_CONFIRMED), on the skb
	# between raw (-300) and conntrack-in (-200): xt_conntrack reads it
	# (NEW, CONFIRMED); nft's ct expressions other than state refuse a
	# template (nf_ct_is_template()); conntrack-in replaces it with a
	# connection in its zone
	ip netns exec "$NR" nft -f - <<-EOF || fail "nft template chains"
	table ip probe_template {
		chain between {
			type filter hook prerouting priority -250
			udp sport 40033 ct state new counter comment "-250: state new"
			udp sport 40033 ct zone 7 counter comment "-250: zone 7 read"
			udp sport 40033 ct status confirmed counter comment "-250: status read"
		}
		chain after {
			type filter hook prerouting priority -199
			udp sport 40033 ct zone 7 ct status confirmed counter comment "-199: zone 7, confirmed"
			udp sport 40033 ct zone 7 counter comment "-199: zone 7"
		}
	}
	EOF
	ip netns exec "$NC" "$PEER" connect udp -s 40033 -w 200 "$S" 7013 >/dev/null
	nft_counts probe_template >"$tmp/got"
	ip netns exec "$NR" iptables-legacy -t raw -L PREROUTING -n -v -x |
		awk '/ctstatus CONFIRMED/ { print "raw: ctstate NEW ctstatus CONFIRMED " $1 }' >>"$tmp/got"
	cat "$tmp/got"
	cat >"$tmp/want" <<-EOF
	-250: state new 1
	-250: zone 7 read 0
	-250: status read 0
	-199: zone 7, confirmed 0
	-199: zone 7 1
	raw: ctstate NEW ctstatus CONFIRMED 1
	EOF
	same "what the template showed each side of conntrack-in" "$tmp/want" "$tmp/got"
	s=$(ct_status "$NR" udp 40033)
	echo "router: zone 7 connection status=$s"
	want_status "the connection made from the template" "$s" \
		"IPS_CONFIRMED | IPS_SRC_NAT_DONE | IPS_DST_NAT_DONE"
}

# --- B12: an NFQUEUE verdict with NFQA_CT changes the status word ---

test_queue_verdict() {
	local s v

	udp_from 40034 "$S" 7011
	s=$(ct_status "$NR" udp 40034)
	[ $((s & IPS_HELPER)) != 0 ] || fail "the connection got no helper: status $s"
	s=$((s | IPS_ASSURED | IPS_FIXED_TIMEOUT))
	long_timeout "$NR" 40034 7011 "$s" "ASSURED | FIXED_TIMEOUT"
	# the verdict's word lacks FIXED_TIMEOUT and HELPER, which
	# ctnetlink_update_status clears, and CONFIRMED and both NAT_DONE,
	# which it leaves (the unchangeable bits); SEEN_REPLY and ASSURED
	# stay in it, as clearing them is EBUSY and would drop the whole nest
	v=$((s & ~(IPS_FIXED_TIMEOUT | IPS_HELPER | IPS_CONFIRMED | IPS_SRC_NAT_DONE | IPS_DST_NAT_DONE)))
	ip netns exec "$NR" "$QUEUE" 7 "$v" >"$tmp/queue" 2>&1 &
	echo $! >>"$tmp/pids"
	wait_for "ct_queue bound to queue 7, printing ready" grep -q ready "$tmp/queue"
	# the connection's second packet is queued (mangle FORWARD) and
	# accepted by the verdict; the server answers it
	udp_from 40034 "$S" 7011
	wait "$(tail -1 "$tmp/pids")" || fail "ct_queue: $(cat "$tmp/queue")"
	cat "$tmp/queue"
	grep -qx "verdict $(printf '0x%x' "$v")" "$tmp/queue" || fail "no verdict given"
	v=$(ct_status "$NR" udp 40034)
	echo "status $(printf '0x%x' "$s") before the verdict, $v after"
	want_status "the connection after the verdict" "$v" \
		"$((s & ~(IPS_FIXED_TIMEOUT | IPS_HELPER)))"
}

# --- B12: unloading nf_nat clears SRC_NAT_DONE of a null binding and
# deletes the NATed connections ---

# unload_nf_nat: unload nf_hipac and every other user of nf_nat, then
# nf_nat; a namespace deleted by an earlier test may still hold a table
# (netns cleanup is asynchronous): retry for up to 10 s.  The client's
# connections, as they were just before nf_nat's unload, are in
# $tmp/client_before
unload_nf_nat() {
	local m

	klab_unload nf_hipac || return 1
	# the FTP helper rules hold nf_nat_ftp; the client's SNAT rule
	# holds xt_nat and iptable_nat
	ip netns exec "$NR" iptables-legacy -t raw -F
	ip netns exec "$NE" iptables-legacy -t raw -F 2>/dev/null
	ip netns exec "$NC" iptables-legacy -t nat -F
	for _ in $(seq 20); do
		for m in /sys/module/nf_nat/holders/*; do
			[ -e "$m" ] && rmmod "${m##*/}" 2>/dev/null
		done
		ip netns exec "$NC" "$DUMP" >"$tmp/client_before"
		rmmod nf_nat 2>/dev/null
		klab_loaded nf_nat || return 0
		sleep 0.5
	done
	return 1
}

test_nat_unload() {
	local null nat ipt held

	udp_from 40035 "$S" 7011
	udp_from 40036 "$S" 7000
	# a connection SNATed (its port changed) by iptables' nat table in
	# the client, which nf_hipac never saw: nf_hipac's unload cannot
	# remove it, nor iptable_nat's or xt_nat's (nf_nat_unregister_fn
	# only unhooks)
	ip netns exec "$NC" iptables-legacy -t nat -A POSTROUTING -p udp --sport 40037 \
		-j SNAT --to-source "$C:40038" || fail "the client's SNAT rule"
	udp_from 40037 "$S" 7011
	null=$(ct_status "$NR" udp 40035)
	nat=$(ct_status "$NR" udp 40036)
	ipt=$(ct_status "$NC" udp 40037)
	echo "before: null binding status=$null, SNAT status=$nat, client's SNAT status=$ipt"
	[ $((ipt & IPS_SRC_NAT)) != 0 ] || fail "the client's SNAT connection is not SRC_NAT: $ipt"
	want_status "a null binding's NAT bits" \
		"$((null & (IPS_SRC_NAT | IPS_DST_NAT | IPS_SRC_NAT_DONE | IPS_DST_NAT_DONE)))" \
		"IPS_SRC_NAT_DONE | IPS_DST_NAT_DONE"
	[ $((nat & IPS_SRC_NAT)) != 0 ] || fail "the SNAT connection is not SRC_NAT: $nat"
	# UDP's 30 s would let them expire while the modules go and come
	long_timeout "$NR" 40035 7011 "$null" "a longer timeout for the null binding"
	long_timeout "$NR" 40036 7000 "$nat" "a longer timeout for the SNAT connection"
	long_timeout "$NC" 40037 7011 "$ipt" "a longer timeout for the client's SNAT connection"
	if ! unload_nf_nat; then
		held=$(ls /sys/module/nf_nat/holders 2>/dev/null)
		klab_load nf_hipac >/dev/null
		echo "# SKIP: nf_nat stays loaded, refcnt $(cat /sys/module/nf_nat/refcnt), held by: ${held:-nobody}"
		exit "$KSFT_SKIP"
	fi
	echo "nf_nat unloaded"
	ip netns exec "$NR" "$DUMP" | grep -E "^udp .* (40035|40036) 70" | tee "$tmp/got"
	ip netns exec "$NC" "$DUMP" | grep -E "^udp .* 40037 7011 " | tee "$tmp/client"
	klab_load nf_hipac >/dev/null || fail "nf_hipac does not load again"
	# nf_nat's unload itself (nf_nat_proto_remove) deleted the client's
	# SNAT connection: it was there once every other module was gone
	echo "the client's, before nf_nat's unload:"
	grep " 40037 7011 " "$tmp/client_before" ||
		fail "the client's SNAT connection was gone before nf_nat's unload"
	grep -q " 40037 7011 " "$tmp/client" &&
		fail "the client's SNAT connection outlived nf_nat's unload"
	# nf_nat's unload would delete it (nf_nat_proto_remove), but
	# nf_hipac's own unload removes the connections it translated first
	# (nfh_ct_translated), so this shows only that it is gone
	grep -q " 40036 7000 " "$tmp/got" && fail "the SNAT connection outlived the unloads"
	grep -q " 40035 7011 " "$tmp/got" || fail "the null binding is gone"
	want_status "the null binding after nf_nat's unload" \
		"$(awk '$4 == 40035 { sub("status=", "", $6); print $6 }' "$tmp/got")" \
		"$((null & ~IPS_SRC_NAT_DONE))"
}

# --- B10: the hook order on the local paths ---

test_hook_order_local() {
	# as hook_order, for a flow delivered to the router (SNAT at INPUT)
	# and one the router sends (DNAT at OUTPUT); conntrack-in and DNAT of
	# the delivered flow are at PREROUTING, which hook_order probed
	ip netns exec "$NR" nft -f - <<-EOF || fail "nft probe chains"
	table ip probe_local {
		chain in_filter_before {
			type filter hook input priority -2
			udp dport 7022 counter comment "in filter -2: before nf_hipac's drop"
		}
		chain in_filter_after {
			type filter hook input priority 0
			udp dport 7022 counter comment "in filter 0: after nf_hipac's drop"
		}
		chain in_snat_before {
			type filter hook input priority 99
			ip saddr $C udp dport 7020 counter comment "in snat 99: original source"
		}
		chain in_snat_after {
			type filter hook input priority 101
			ip saddr 10.79.1.99 udp dport 7020 counter comment "in snat 101: new source"
		}
		chain in_confirm_before {
			type filter hook input priority 2147483646
			udp dport 7020 ct status confirmed counter comment "in confirm INT_MAX-1: confirmed"
			udp dport 7020 counter comment "in confirm INT_MAX-1: all"
		}
		chain out_ct_before {
			type filter hook output priority -201
			udp dport 7030 ct state new,established counter comment "out conntrack -201: tracked"
		}
		chain out_ct_after {
			type filter hook output priority -199
			udp dport 7030 ct state new,established counter comment "out conntrack -199: tracked"
		}
		chain out_dnat_before {
			type filter hook output priority -101
			ip daddr 10.79.2.9 udp dport 7030 counter comment "out dnat -101: original destination"
		}
		chain out_dnat_after {
			type filter hook output priority -99
			ip daddr $S udp dport 7031 counter comment "out dnat -99: new destination"
		}
		chain out_filter_before {
			type filter hook output priority -2
			udp dport 7032 counter comment "out filter -2: before nf_hipac's drop"
		}
		chain out_filter_after {
			type filter hook output priority 0
			udp dport 7032 counter comment "out filter 0: after nf_hipac's drop"
		}
		chain out_confirm_before {
			type filter hook postrouting priority 2147483646
			udp dport 7031 ct status confirmed counter comment "out confirm INT_MAX-1: confirmed"
			udp dport 7031 counter comment "out confirm INT_MAX-1: all"
		}
	}
	EOF
	ip netns exec "$NC" "$PEER" connect udp -s 40040 -n 3 10.79.1.253 7020 \
		>"$tmp/seen" || fail "the router's server did not answer 3 times"
	grep -qx "peer 10.79.1.99 40040" "$tmp/seen" || fail "the router's server did not see the SNAT address"
	ip netns exec "$NC" "$PEER" connect udp -s 40041 -w 200 10.79.1.253 7022 \
		>/dev/null && fail "nf_hipac's INPUT rule did not drop"
	ip netns exec "$NR" "$PEER" connect udp -s 40042 -n 3 10.79.2.9 7030 \
		>/dev/null || fail "the router's DNATed flow was not answered 3 times"
	ip netns exec "$NR" "$PEER" connect udp -s 40043 -w 200 "$S" 7032 \
		>/dev/null && fail "nf_hipac's OUTPUT rule did not drop"
	nft_counts probe_local >"$tmp/got"
	cat "$tmp/got"
	cat >"$tmp/want" <<-EOF
	in filter -2: before nf_hipac's drop 1
	in filter 0: after nf_hipac's drop 0
	in snat 99: original source 3
	in snat 101: new source 3
	in confirm INT_MAX-1: confirmed 2
	in confirm INT_MAX-1: all 3
	out conntrack -201: tracked 0
	out conntrack -199: tracked 3
	out dnat -101: original destination 3
	out dnat -99: new destination 3
	out filter -2: before nf_hipac's drop 1
	out filter 0: after nf_hipac's drop 0
	out confirm INT_MAX-1: confirmed 2
	out confirm INT_MAX-1: all 3
	EOF
	same "the packets each side of each local priority saw" "$tmp/want" "$tmp/got"
}

ct_start 12
topo
ktap_run hook_order test_hook_order
ktap_run paths test_paths
ktap_run tuples_inverse test_tuples_inverse
ktap_run status_bits test_status_bits
ktap_run expectation test_expectation
ktap_run table_sizes test_table_sizes
ktap_run seq_adjust test_seq_adjust
ktap_run status_update test_status_update
ktap_run template test_template
ktap_run hook_order_local test_hook_order_local
ktap_run queue_verdict test_queue_verdict
ktap_run nat_unload test_nat_unload
ktap_finish
