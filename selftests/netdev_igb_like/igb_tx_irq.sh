#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The notes' fact B8: an skb freed from hard-IRQ context is not freed
# there; dev_consume_skb_irq() (__dev_kfree_skb_irq() on 6.1) puts it on
# the CPU's softnet_data.completion_queue and raises NET_TX_SOFTIRQ,
# whose net_tx_action() frees it, and then runs the output_queue (the
# qdiscs that __netif_schedule() queued, such as the one a TX wake-up
# schedules).
#
# With the private flag tx-clean-irq, a0's interrupt handler cleans its
# TX ring itself and frees each completed skb with dev_consume_skb_irq().
# The TX ring is 64 descriptors and TX interrupts come at most every
# 10 ms, so the queue stops; the handler's clean wakes it.  Traced in a
# tracing instance of its own, each with its stack: every call of
# __dev_kfree_skb_irq() (a kprobe, with the skb), the skb:consume_skb and
# skb:kfree_skb tracepoints (through event probes, which print the skb's
# address unhashed) and the driver's xmit; and NET_TX's softirq_entry and
# softirq_exit, which delimit each run of net_tx_action.
source "$(dirname "$0")/igb_lib.sh"

INST=$TRACING/instances/klab_tx_irq
GROUP=klab_tx_irq
TRACE=$IGB_OUT/tx_irq.trace
# dynamic events: NAME DEFINITION
PROBES=(
	"queue p:$GROUP/queue __dev_kfree_skb_irq skb=%di:x64"
	"consume e:$GROUP/consume skb.consume_skb skb=\$skbaddr:x64"
	"drop e:$GROUP/drop skb.kfree_skb skb=\$skbaddr:x64"
	"xmit p:$GROUP/xmit kigb_xmit_frame"
)
NET_TX_VEC=2

tx_irq_probes() {
	local p

	for p in "${PROBES[@]}"; do
		echo "${p#* }" >> "$TRACING/dynamic_events"
	done
	mkdir "$INST"
	echo 8192 > "$INST/buffer_size_kb"
	for p in "${PROBES[@]}"; do
		echo stacktrace > "$INST/events/$GROUP/${p%% *}/trigger"
	done
	echo 1 > "$INST/events/$GROUP/enable"
	echo "vec == $NET_TX_VEC" > "$INST/events/irq/softirq_entry/filter"
	echo "vec == $NET_TX_VEC" > "$INST/events/irq/softirq_exit/filter"
	echo 1 > "$INST/events/irq/softirq_entry/enable"
	echo 1 > "$INST/events/irq/softirq_exit/enable"
}

tx_irq_cleanup() {
	local p

	[ -d "$INST" ] || return 0
	echo 0 > "$INST/tracing_on"
	echo 0 > "$INST/events/enable"
	for p in "${PROBES[@]}"; do
		echo '!stacktrace' > "$INST/events/$GROUP/${p%% *}/trigger"
	done
	rmdir "$INST"
	for p in "${PROBES[@]}"; do
		echo "-:$GROUP/${p%% *}" >> "$TRACING/dynamic_events"
	done
}

# completions: "QUEUED IN_HARDIRQ FREED_BY_NET_TX FREED_ELSEWHERE
# FREED_IN_IRQ NEVER_FREED FREED_AFTER_OUTPUT OUTPUT_AFTER_FREES": the
# skbs the interrupt handler (kigb_msix_ring) queued, how many of those
# calls ran in hard-IRQ context (the trace's 'h' flag: fired by the
# throttle's hrtimer; the others raise the vector from the wire, with
# interrupts off, through generic_handle_domain_irq_safe), how many of
# them the next free event shows freed by net_tx_action in a NET_TX run
# of the queuing CPU, and by anything else; the frees of any skb inside
# the interrupt handler; queued skbs never freed; frees in a NET_TX run
# after that run's output_queue had transmitted; and the NET_TX runs whose
# output_queue transmitted after freeing queued skbs.
completions() {
	awk -v vec="$NET_TX_VEC" '
		function arg(name,   i) {
			for (i = 1; i <= NF; i++)
				if (index($i, name "=") == 1)
					return substr($i, length(name) + 2)
			return ""
		}
		function has(c, f) { return index(st[c], " " f " ") > 0 }
		# an event is judged once its stack (the lines after it on
		# the same CPU) has been read
		function judge(c,   a) {
			a = addr[c]
			if (ev[c] == "queue" && has(c, "kigb_msix_ring")) {
				nq++
				if (fl[c] ~ /[hH]/) hard++
				q[a] = c
			} else if (ev[c] == "consume" || ev[c] == "drop") {
				if (has(c, "kigb_msix_ring")) inirq++
				if (a in q) {
					if (has(c, "net_tx_action") && run[c] &&
					    q[a] == c) {
						ok++
						freed[c] = 1
						if (sent[c]) late++
					} else {
						other++
					}
					delete q[a]
				}
			} else if (ev[c] == "xmit" && run[c] &&
				   has(c, "net_tx_action")) {
				if (freed[c] && !sent[c]) out++
				sent[c] = 1
			}
			ev[c] = ""
		}
		/ <stack trace>$/ { sc = cpu(); st[sc] = " "; next }
		/^ => / { f = $2; sub(/\+0x.*/, "", f); st[sc] = st[sc] f " "; next }
		function cpu(   i) {
			for (i = 1; i <= NF; i++)
				if ($i ~ /^\[[0-9]+\]$/) { fi = i + 1; return $i }
		}
		{
			c = cpu()
			if (ev[c] != "") judge(c)
		}
		/ softirq_entry: / { run[c] = 1; freed[c] = 0; sent[c] = 0; next }
		/ softirq_exit: / { run[c] = 0; next }
		/ (queue|consume|drop|xmit): / {
			for (i = fi; i <= NF; i++)
				if ($i ~ /^(queue|consume|drop|xmit):$/) {
					ev[c] = substr($i, 1, length($i) - 1)
					break
				}
			fl[c] = $fi; addr[c] = arg("skb"); st[c] = " "
		}
		END {
			for (c in ev) if (ev[c] != "") judge(c)
			for (a in q) never++
			print nq + 0, hard + 0, ok + 0, other + 0, inirq + 0,
			      never + 0, late + 0, out + 0
		}
	' "$TRACE"
}

# secs FROM TO: seconds between two $EPOCHREALTIME readings
secs() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'
}

test_completion_queue() {
	local n attempt t0 t1 t2 t3 sirq0 sirq queued hard ok other inirq never late out

	set -e
	t0=$EPOCHREALTIME
	igb_local_up queues 1 tx-ring 64 rx-ring 64
	echo "pair up: $(secs "$t0" "$EPOCHREALTIME") s"
	ethtool --set-priv-flags a0 tx-clean-irq on
	ethtool --show-priv-flags a0 | grep -q "^tx-clean-irq *: on" ||
		fail "the private flag tx-clean-irq did not stick"
	# TX interrupts every 10 ms at most: a sender faster than about
	# 4,000 frames a second fills the 64-descriptor ring and stops the
	# queue, and the throttle's hrtimer fires the vector in hard-IRQ
	# context.  A run in which no skb was queued in hard-IRQ context, or
	# nothing transmitted from net_tx_action after its frees, did not test
	# the fact and is repeated with more frames; only such a run is judged.
	ethtool -C a0 adaptive-rx off rx-usecs 10000 tx-usecs 10000
	n=200
	for attempt in 1 2 3; do
		t0=$EPOCHREALTIME
		tx_irq_probes
		t1=$EPOCHREALTIME
		sirq0=$(softirqs NET_TX)
		xfer -n $n a0 b0 >/dev/null || fail "frames lost or duplicated"
		# the last queued skbs wait for one more NET_TX run
		sleep 1
		sirq=$(($(softirqs NET_TX) - sirq0))
		t2=$EPOCHREALTIME
		cat "$INST/trace" > "$TRACE"
		tx_irq_cleanup
		t3=$EPOCHREALTIME
		read -r queued hard ok other inirq never late out < <(completions)
		echo "probes $(secs "$t0" "$t1") s, traffic $(secs "$t1" "$t2") s," \
			"trace read $(secs "$t2" "$t3") s ($(wc -l < "$TRACE") lines)," \
			"parsed $(secs "$t3" "$EPOCHREALTIME") s"
		echo "attempt $attempt ($n frames): NET_TX softirqs +$sirq;" \
			"skbs queued by the interrupt handler: $queued" \
			"($hard in hard-IRQ context); freed by net_tx_action on the" \
			"queuing CPU: $ok, elsewhere: $other, never: $never;" \
			"frees inside the handler: $inirq; NET_TX runs freeing" \
			"then transmitting: $out, frees after a transmit: $late"
		[ "$hard" -gt 0 ] && [ "$out" -gt 0 ] && break
		n=$((n * 4))
	done
	[ "$queued" -gt 0 ] || fail "the interrupt handler queued no skb"
	[ "$hard" -gt 0 ] || fail "no skb queued in hard-IRQ context"
	[ "$inirq" = 0 ] || fail "skbs freed inside the interrupt handler"
	[ "$other" = 0 ] || fail "queued skbs freed outside net_tx_action"
	[ "$never" = 0 ] || fail "queued skbs never freed"
	[ "$ok" = "$queued" ] || fail "$ok of $queued queued skbs freed"
	[ "$sirq" -gt 0 ] || fail "NET_TX softirqs did not rise"
	[ "$out" -gt 0 ] || fail "no output_queue run after the frees"
	[ "$late" = 0 ] || fail "a NET_TX run freed after transmitting"
	ethtool --set-priv-flags a0 tx-clean-irq off
}

trap 'tx_irq_cleanup' EXIT
igb_require
ktap_plan 1
igb_run "tx_irq_frees_via_completion_queue" test_completion_queue
igb_pair_down
ktap_finish
