#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# NAPI, rings and interrupts: no poll does more than 64 frames and a burst
# of N takes at least N/64 polls; ring indices wrap; a small TX ring stops
# and wakes its queue without losing or duplicating a frame; interrupts
# rise with traffic and fall per frame as rx-usecs rises.
source "$(dirname "$0")/igb_lib.sh"

qv0() { show "$NSB" b0 | jq ".q_vectors[0].$1 // 0"; }

test_budget() {
	set -e
	inb ethtool -C b0 adaptive-rx off rx-usecs 10000
	polls0=$(qv0 polls)
	rx0=$(stat "$NSB" b0 rx_packets)
	n=1000
	ina "$PKT" burst a0 "$(mac "$NSB" b0)" $n
	sleep 0.5
	rx=$(( $(stat "$NSB" b0 rx_packets) - rx0 ))
	polls=$(( $(qv0 polls) - polls0 ))
	hist=$(show "$NSB" b0 | jq -c '.q_vectors[0].poll_work')
	echo "frames $rx polls $polls work histogram $hist"
	[ "$rx" = $n ] || fail "received $rx of $n"
	jq -e 'has("more") | not' <<<"$hist" >/dev/null || fail "a poll did more than 64"
	jq -e '[keys[] | tonumber] | max <= 64' <<<"$hist" >/dev/null
	[ "$polls" -ge $(( (n + 63) / 64 )) ] || fail "$n frames in $polls polls"
	full=$(qv0 polls_full)
	[ "$(jq '."64" // 0' <<<"$hist")" = "$full" ] || fail "polls_full != polls of 64"
	[ "$full" -ge 1 ] || fail "no poll used its budget"
	# every completed poll unmasked once; each interrupt needed that
	ints=$(qv0 interrupts)
	[ "$ints" -le $(( $(qv0 napi_complete) + 1 )) ] || fail "interrupts > completes + 1"
	inb ethtool -C b0 adaptive-rx on
}

test_ring_wrap() {
	set -e
	inb ethtool -G b0 rx 64
	ina ethtool -G a0 tx 64
	wait_link
	ntc0=$(show "$NSB" b0 | jq '[.rings[] | select(.kind == "rx")][0].next_to_clean')
	tw0=$(show "$NSB" b0 | jq '[.rings[] | select(.kind == "rx")][0].tail_writes')
	p0=$(qv0 polls)
	rx0=$(stat "$NSB" b0 rx_packets)
	n=500
	ina "$PKT" burst a0 "$(mac "$NSB" b0)" $n
	sleep 0.5
	r=$(show "$NSB" b0 | jq -c '[.rings[] | select(.kind == "rx")][0]')
	echo "rx ring after $n frames: $r"
	[ $(( $(stat "$NSB" b0 rx_packets) - rx0 )) = $n ] || fail "lost frames"
	[ "$(jq .next_to_clean <<<"$r")" = $(( (ntc0 + n) % 64 )) ] ||
		fail "next_to_clean did not wrap to $(( (ntc0 + n) % 64 ))"
	jq -e '.next_to_use < 64 and .head < 64 and .tail < 64 and .free < 64' \
		<<<"$r" >/dev/null
	# refills come in batches of 16, plus one at the end of a poll
	tw=$(( $(jq .tail_writes <<<"$r") - tw0 ))
	polls=$(( $(qv0 polls) - p0 ))
	echo "tail writes $tw polls $polls"
	[ "$tw" -le $(( n / 16 + polls + 1 )) ] || fail "$tw tail writes for $n"
	[ "$tw" -ge $(( n / 64 )) ] || fail "too few tail writes"
	inb ethtool -G b0 rx 256
	ina ethtool -G a0 tx 256
	wait_link
}

test_stop_wake() {
	set -e
	ina ethtool -G a0 tx 64
	inb ethtool -G b0 rx 64
	wait_link
	# TX completions are cleaned only every 5 ms: the ring fills
	ina ethtool -C a0 adaptive-rx off rx-usecs 5000 tx-usecs 5000
	stops0=$(stat "$NSA" a0 tx_queue_0_stops)
	wakes0=$(stat "$NSA" a0 tx_queue_0_restart_queue)
	rx0=$(stat "$NSB" b0 rx_packets)
	n=2000
	ina "$PKT" burst a0 "$(mac "$NSB" b0)" $n
	sleep 0.5
	rx=$(( $(stat "$NSB" b0 rx_packets) - rx0 ))
	stops=$(( $(stat "$NSA" a0 tx_queue_0_stops) - stops0 ))
	wakes=$(( $(stat "$NSA" a0 tx_queue_0_restart_queue) - wakes0 ))
	echo "sent $n received $rx stops $stops wakes $wakes" \
		"missed $(stat "$NSB" b0 rx_missed_errors) pauses $(stat "$NSB" b0 rx_queue_0_pauses)"
	[ "$stops" -gt 0 ] || fail "the queue never stopped"
	[ "$wakes" -gt 0 ] || fail "the queue never woke"
	[ "$rx" = $n ] || fail "received $rx of $n"
	[ "$(stat "$NSB" b0 rx_missed_errors)" = 0 ] || fail "frames missed"
	ina ethtool -C a0 adaptive-rx on tx-usecs 0
	ina ethtool -G a0 tx 256
	inb ethtool -G b0 rx 256
	wait_link
}

test_itr_interrupts() {
	set -e
	n=1000
	softirq0=$(awk '/NET_RX/ { for (i = 2; i <= NF; i++) s += $i } END { print s }' /proc/softirqs)
	prev=
	for usecs in 0 200 2000; do
		inb ethtool -C b0 adaptive-rx off rx-usecs $usecs
		i0=$(irqs "$NSB" b0)
		ina "$PKT" burst a0 "$(mac "$NSB" b0)" $n
		sleep 0.3
		ints=$(( $(irqs "$NSB" b0) - i0 ))
		echo "rx-usecs $usecs: $ints interrupts for $n frames"
		[ "$ints" -gt 0 ] || fail "no interrupt for $n frames"
		if [ -n "$prev" ]; then
			[ "$ints" -lt "$prev" ] || fail "rx-usecs $usecs: $ints >= $prev"
		else
			first=$ints
		fi
		prev=$ints
	done
	[ "$first" -ge $(( 2 * prev )) ] || fail "ITR barely moderates: $first vs $prev"
	softirq=$(awk '/NET_RX/ { for (i = 2; i <= NF; i++) s += $i } END { print s }' /proc/softirqs)
	[ "$softirq" -gt "$softirq0" ] || fail "NET_RX softirqs did not rise"
	inb ethtool -C b0 adaptive-rx on
}

igb_require
igb_pair_up queues 1
ktap_plan 4
ktap_run "budget_64_and_burst_polls" test_budget
ktap_run "ring_indices_wrap" test_ring_wrap
ktap_run "stop_wake_without_loss" test_stop_wake
ktap_run "interrupts_fall_as_itr_rises" test_itr_interrupts
igb_pair_down
ktap_finish
