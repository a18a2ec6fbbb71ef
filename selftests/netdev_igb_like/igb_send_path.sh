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
source "$(dirname "$0")/igb_lib.sh"

INST=$TRACING/instances/klab_send_path
GROUP=klab_send_path
STACKS=$IGB_OUT/send_path.stacks

send_path_probes() {
	echo "p:$GROUP/xmit kigb_xmit_frame" >> "$TRACING/kprobe_events"
	echo "p:$GROUP/nf_hook nf_hook_slow" >> "$TRACING/kprobe_events"
	mkdir "$INST"
	echo 8192 > "$INST/buffer_size_kb"
	echo stacktrace > "$INST/events/$GROUP/xmit/trigger"
	echo stacktrace > "$INST/events/$GROUP/nf_hook/trigger"
	echo 1 > "$INST/events/$GROUP/enable"
}

send_path_cleanup() {
	[ -d "$INST" ] || return 0
	echo 0 > "$INST/events/$GROUP/enable"
	echo '!stacktrace' > "$INST/events/$GROUP/xmit/trigger"
	echo '!stacktrace' > "$INST/events/$GROUP/nf_hook/trigger"
	rmdir "$INST"
	echo "-:$GROUP/xmit" >> "$TRACING/kprobe_events"
	echo "-:$GROUP/nf_hook" >> "$TRACING/kprobe_events"
}

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
	igb_pair_up queues 1 tx-ring 64
	ina tc qdisc replace dev a0 root pfifo limit 4096
	# a rule in OUTPUT: the namespace's hook walk now runs nf_hook_slow
	ina iptables-legacy -A OUTPUT -p tcp -j ACCEPT
	send_path_probes
	inb "$PKT" server 5001 1048576 > "$IGB_OUT/server.out" &
	srv=$!
	ina "$PKT" client 10.99.0.2 5001 1048576
	wait $srv || { cat "$IGB_OUT/server.out"; fail "transfer"; }
	cat "$INST/trace" > "$STACKS"
	send_path_cleanup
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

trap send_path_cleanup EXIT
igb_require
ktap_plan 1
igb_run "send_path" test_send_path
igb_pair_down
ktap_finish
