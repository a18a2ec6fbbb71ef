#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The notes' send path (fact C18), traced on the stock kernel down to this
# driver: tcp_sendmsg ... ip_queue_xmit, netfilter's OUTPUT hook,
# dev_queue_xmit, the qdisc, the NET_TX softirq and the driver's
# ndo_start_xmit.  Kprobes with a stacktrace trigger, in a tracing
# instance of their own, record the kernel stack at the driver's xmit and
# at netfilter's hook walk while a TCP transfer crosses a pair whose
# 64-descriptor TX rings fill, so some frames wait in the qdisc for the
# softirq that BQL's wake-up schedules.
#
# And the notes' receive path (fact C19), traced from this driver up: the
# wire writes the RX ring, the vector's interrupt, the NET_RX softirq,
# the NAPI poll handing the skb to GRO, netif_receive_skb, the IP layer,
# ip_local_deliver and tcp_v4_rcv, in that order on one CPU for one TCP
# segment (the same skb from napi_gro_receive to tcp_v4_rcv), the poll
# doing at most 64.  On 6.1 NAPI's GRO hands its skbs up in lists
# (gro_normal_list), so the IP layer's entry is ip_list_rcv, which runs
# ip_rcv's checks (ip_rcv_core) without ip_rcv.  And ARP: a ping leaves
# the sender a REACHABLE neighbour with the peer's address (A15).
source "$(dirname "$0")/igb_lib.sh"

GROUP=klab_send_path
STACKS=$IGB_OUT/send_path.stacks
# kprobes, each with its stack
PROBES=(
	"p xmit kigb_xmit_frame"
	"p nf_hook nf_hook_slow"
)

# stacks EVENT FUNCTION...: how many of EVENT's stacks hold every FUNCTION
stacks() {
	awk -v ev="$1" -v want="${*:2}" '
		function done() { if (on && n == need) hits++; on = 0 }
		BEGIN { need = split(want, w, " ") }
		/ <stack trace>$/ { next }
		/^ => / {
			if (!on)
				next
			f = $2; sub(/\+0x.*/, "", f)
			for (i = 1; i <= need; i++)
				if (f == w[i] && !seen[i]++)
					n++
			next
		}
		{ done() }
		$0 ~ (" " ev ": ") { on = 1; n = 0; delete seen }
		END { done(); print hits + 0 }
	' "$STACKS"
}

test_send_path() {
	local all nf tx

	set -e
	ina tc qdisc replace dev a0 root pfifo limit 4096
	# 1500-byte frames: with TSO the 1 MiB leaves in a few dozen 64 KiB
	# frames, which did not fill BQL's limit once (no xmit from NET_TX)
	ina ethtool -K a0 tso off
	# a rule in OUTPUT: the namespace's hook walk now runs nf_hook_slow
	ina iptables-legacy -A OUTPUT -p tcp -j ACCEPT
	trace_up $GROUP stacks "${PROBES[@]}"
	inb "$PKT" server 5001 1048576 > "$IGB_OUT/server.out" &
	srv=$!
	ina "$PKT" client 10.99.0.2 5001 1048576
	wait $srv || { cat "$IGB_OUT/server.out"; fail "transfer"; }
	trace_down $GROUP "$STACKS"
	all=$(stacks xmit tcp_sendmsg __ip_queue_xmit ip_finish_output2 \
		__dev_queue_xmit sch_direct_xmit dev_hard_start_xmit)
	nf=$(stacks nf_hook tcp_sendmsg __ip_queue_xmit __ip_local_out)
	tx=$(stacks xmit net_tx_action sch_direct_xmit dev_hard_start_xmit)
	echo "driver xmits: $(grep -c " xmit: " "$STACKS"); from tcp_sendmsg" \
		"through ip_queue_xmit, dev_queue_xmit and the qdisc: $all;" \
		"from the NET_TX softirq: $tx; OUTPUT hook walks inside" \
		"tcp_sendmsg's ip_queue_xmit: $nf"
	[ "$all" -gt 0 ] || fail "no xmit stack from tcp_sendmsg through the qdisc"
	[ "$nf" -gt 0 ] || fail "no netfilter OUTPUT walk inside ip_queue_xmit"
	[ "$tx" -gt 0 ] || fail "no xmit from the NET_TX softirq"
}

RECV_GROUP=klab_recv_path
RECV_TRACE=$IGB_OUT/recv_path.trace
RECV_PROBES=(
	"p dma kigb_wire_tx"
	"p gro napi_gro_receive skb=%si:x64"
	"p ip_list ip_list_rcv"
	"p ip_rcv ip_rcv skb=%di:x64"
	"p deliver ip_local_deliver skb=%di:x64"
	"p tcp tcp_v4_rcv skb=%di:x64"
)
RECV_EVENTS=(
	'irq/irq_handler_entry name == "b0-TxRx-0"'
	"irq/softirq_entry vec == 3"
	"net/netif_receive_skb"
	"napi/napi_poll"
)

# segments: "SEGMENTS ENTRY MOST_WORK": how many TCP segments took the
# whole path in order on one CPU, which IP entry they took, and the most
# work of the polls that carried them
segments() {
	awk '
		function arg(name,   i) {
			for (i = 1; i <= NF; i++)
				if (index($i, name "=") == 1)
					return substr($i, length(name) + 2)
			return ""
		}
		{
			for (i = 1; i <= NF; i++)
				if ($i ~ /^\[[0-9]+\]$/) { c = $i; break }
		}
		# the receiver answers from inside the path: its own dma
		/ dma: /			{ if (st[c] < 2) st[c] = 1; next }
		/ irq_handler_entry: /		{ if (st[c] == 1) st[c] = 2; next }
		/ softirq_entry: /		{ if (st[c] == 2) st[c] = 3; next }
		/ gro: / && st[c] == 3		{ st[c] = 4; skb[c] = arg("skb"); next }
		/ netif_receive_skb: / && st[c] == 4 {
			if (arg("dev") == "b0") st[c] = 5
			next
		}
		/ ip_list: / && st[c] == 5	{ st[c] = 6; via[c] = "ip_list_rcv"; next }
		/ ip_rcv: / && st[c] == 5 && arg("skb") == skb[c] {
			st[c] = 6; via[c] = "ip_rcv"; next
		}
		/ deliver: / && st[c] == 6 && arg("skb") == skb[c] { st[c] = 7; next }
		/ tcp: / && st[c] == 7 && arg("skb") == skb[c] { st[c] = 8; next }
		/ napi_poll: / && / device b0 / {
			for (i = 1; i <= NF; i++)
				if ($i == "work") w = $(i + 1)
			if (st[c] == 8) {
				n++; entry[via[c]]++
				if (w > most) most = w
			}
			# a poll ends what it started, complete or not
			if (st[c] >= 3) st[c] = 0
		}
		END {
			e = ""
			for (v in entry) e = e (e == "" ? "" : ",") v
			print n + 0, (e == "" ? "none" : e), most + 0
		}
	' "$RECV_TRACE"
}

test_arp_neighbour() {
	local n

	set -e
	ina $PING -c 1 -W 2 10.99.0.2 >/dev/null || fail "ping"
	n=$(ina ip neigh show 10.99.0.2 dev a0)
	echo "a0's neighbour: $n"
	[[ $n == *" lladdr $(inb cat /sys/class/net/b0/address) "* ]] ||
		fail "no neighbour with b0's address"
	[[ $n == *" REACHABLE"* ]] || fail "the neighbour is not REACHABLE"
}

test_recv_path() {
	local n entry most

	set -e
	# an interrupt for every frame: no throttle
	inb ethtool -C b0 adaptive-rx off rx-usecs 0
	trace_up $RECV_GROUP nostacks "${RECV_PROBES[@]}" -- \
		"${RECV_EVENTS[@]}"
	# bounded: a server left waiting would hold the test's output open
	inb timeout 60 "$PKT" server 5001 65536 > "$IGB_OUT/server.out" 2>&1 &
	srv=$!
	ina "$PKT" client 10.99.0.2 5001 65536
	wait $srv || { cat "$IGB_OUT/server.out"; fail "transfer"; }
	trace_down $RECV_GROUP "$RECV_TRACE"
	read -r n entry most < <(segments)
	echo "segments traced from the ring to tcp_v4_rcv in order: $n," \
		"through $entry, polls of at most $most"
	[ "$n" -gt 0 ] || fail "no segment took the whole path in order"
	[ "$entry" = ip_list_rcv ] || fail "the IP layer entered through $entry"
	[ "$most" -le 64 ] || fail "a poll did $most"
}

trap 'trace_down $GROUP; trace_down $RECV_GROUP' EXIT
igb_require
igb_pair_up queues 1 tx-ring 64
ktap_plan 3
igb_run "arp_neighbour_reachable" test_arp_neighbour
igb_run "recv_path_in_order" test_recv_path
igb_run "send_path" test_send_path
igb_pair_down
ktap_finish
