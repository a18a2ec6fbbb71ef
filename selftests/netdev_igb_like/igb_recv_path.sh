#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The notes' receive path (fact C19), traced on the stock kernel from this
# driver up: the wire writes the RX ring, the vector's interrupt, the
# NET_RX softirq, the NAPI poll handing the skb to GRO, netif_receive_skb,
# the IP layer, ip_local_deliver and tcp_v4_rcv, in that order on one CPU
# for one TCP segment (the same skb from napi_gro_receive to tcp_v4_rcv),
# the poll doing at most 64.  On 6.1 NAPI's GRO hands its skbs up in
# lists (gro_normal_list), so the IP layer's entry is ip_list_rcv, which
# runs ip_rcv's checks (ip_rcv_core) without ip_rcv.  And ARP: a ping
# leaves the sender a REACHABLE neighbour with the peer's address (A15).
source "$(dirname "$0")/igb_lib.sh"

INST=$TRACING/instances/klab_recv_path
GROUP=klab_recv_path
TRACE=$IGB_OUT/recv_path.trace
# kprobes: NAME FUNCTION [FETCHARGS]
PROBES=(
	"dma kigb_wire_tx"
	"gro napi_gro_receive skb=%si:x64"
	"ip_list ip_list_rcv"
	"ip_rcv ip_rcv skb=%di:x64"
	"deliver ip_local_deliver skb=%di:x64"
	"tcp tcp_v4_rcv skb=%di:x64"
)

recv_path_probes() {
	local p

	for p in "${PROBES[@]}"; do
		echo "p:$GROUP/$p" >> "$TRACING/kprobe_events"
	done
	mkdir "$INST"
	echo 8192 > "$INST/buffer_size_kb"
	echo 1 > "$INST/events/$GROUP/enable"
	echo 'name == "b0-TxRx-0"' > "$INST/events/irq/irq_handler_entry/filter"
	echo 1 > "$INST/events/irq/irq_handler_entry/enable"
	echo "vec == 3" > "$INST/events/irq/softirq_entry/filter"
	echo 1 > "$INST/events/irq/softirq_entry/enable"
	echo 1 > "$INST/events/net/netif_receive_skb/enable"
	echo 1 > "$INST/events/napi/napi_poll/enable"
}

recv_path_cleanup() {
	local p

	[ -d "$INST" ] || return 0
	echo 0 > "$INST/tracing_on"
	echo 0 > "$INST/events/enable"
	rmdir "$INST"
	for p in "${PROBES[@]}"; do
		echo "-:$GROUP/${p%% *}" >> "$TRACING/kprobe_events"
	done
}

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
	' "$TRACE"
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
	recv_path_probes
	# bounded: a server left waiting would hold the test's output open
	inb timeout 60 "$PKT" server 5001 65536 > "$IGB_OUT/server.out" 2>&1 &
	srv=$!
	ina "$PKT" client 10.99.0.2 5001 65536
	wait $srv || { cat "$IGB_OUT/server.out"; fail "transfer"; }
	cat "$INST/trace" > "$TRACE"
	recv_path_cleanup
	read -r n entry most < <(segments)
	echo "segments traced from the ring to tcp_v4_rcv in order: $n," \
		"through $entry, polls of at most $most"
	[ "$n" -gt 0 ] || fail "no segment took the whole path in order"
	[ "$entry" = ip_list_rcv ] || fail "the IP layer entered through $entry"
	[ "$most" -le 64 ] || fail "a poll did $most"
}

trap recv_path_cleanup EXIT
igb_require
igb_pair_up queues 1
ktap_plan 2
igb_run "arp_neighbour_reachable" test_arp_neighbour
igb_run "recv_path_in_order" test_recv_path
igb_pair_down
ktap_finish
