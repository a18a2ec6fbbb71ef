#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# NAPI, rings and interrupts: no poll does more than 64 frames and a burst
# of N takes at least N/64 polls; ring indices wrap; a small TX ring stops
# and wakes its queue without losing or duplicating a frame; interrupts
# come with traffic only, never closer together than the ITR interval,
# and fewer per frame as rx-usecs rises.
source "$(dirname "$0")/igb_lib.sh"

# rxring DEV: the first RX ring of klabctl igb show, as JSON
rxring() { jq -c '[.rings[] | select(.kind == "rx")][0]' <<<"$1"; }

test_budget() {
	set -e
	ethtool -C b0 adaptive-rx off rx-usecs 10000
	polls0=$(show b0 | jq '.q_vectors[0].polls')
	n=400
	xfer -n $n a0 b0
	j=$(show b0)
	hist=$(jq -c '.q_vectors[0].poll_work' <<<"$j")
	read -r polls full ints completes < <(jq -r '.q_vectors[0] |
		"\(.polls) \(.polls_full) \(.interrupts) \(.napi_complete)"' <<<"$j")
	polls=$((polls - polls0))
	echo "polls $polls full $full interrupts $ints completes $completes work histogram $hist"
	jq -e 'has("more") | not' <<<"$hist" >/dev/null || fail "a poll did more than 64"
	jq -e '[keys[] | tonumber] | max <= 64' <<<"$hist" >/dev/null
	[ "$polls" -ge $(( (n + 63) / 64 )) ] || fail "$n frames in $polls polls"
	[ "$(jq '."64" // 0' <<<"$hist")" = "$full" ] || fail "polls_full != polls of 64"
	[ "$full" -ge 1 ] || fail "no poll used its budget"
	# every completed poll unmasked once; each interrupt needed that
	[ "$ints" -le $((completes + 1)) ] || fail "interrupts > completes + 1"
	ethtool -C b0 adaptive-rx on
}

test_ring_wrap() {
	set -e
	ethtool -G b0 rx 64
	ethtool -G a0 tx 64
	# interrupts 10 ms apart: each poll finds a full ring to clean
	ethtool -C b0 adaptive-rx off rx-usecs 10000
	wait_link
	r0=$(rxring "$(show b0)")
	read -r ntc0 tw0 < <(jq -r '"\(.next_to_clean) \(.tail_writes)"' <<<"$r0")
	stats b0
	p0=${S[q_vector_0_polls]}
	n=200
	xfer -n $n a0 b0
	stats b0
	polls=$((S[q_vector_0_polls] - p0))
	r=$(rxring "$(show b0)")
	echo "rx ring after $n frames: $r"
	[ "$(jq .next_to_clean <<<"$r")" = $(( (ntc0 + n) % 64 )) ] ||
		fail "next_to_clean did not wrap to $(( (ntc0 + n) % 64 ))"
	# all but one descriptor posted again, the wire caught up
	jq -e '.next_to_use == (.next_to_clean + 63) % 64 and
		.head == .next_to_clean and .tail == .next_to_use and
		.free == 0' <<<"$r" >/dev/null || fail "ring indices after the wrap"
	# refills come in batches of 16, plus one at the end of a poll
	tw=$(( $(jq .tail_writes <<<"$r") - tw0 ))
	echo "tail writes $tw polls $polls"
	[ "$tw" -le $(( n / 16 + polls + 1 )) ] || fail "$tw tail writes for $n"
	[ "$tw" -ge $(( n / 64 )) ] || fail "too few tail writes"
	# the rings stay at 64 for test_stop_wake (a reinit is slow)
	ethtool -C b0 adaptive-rx on
}

test_stop_wake() {
	set -e
	# no-ops after test_ring_wrap
	ethtool -G a0 tx 64
	ethtool -G b0 rx 64
	# TX completions are cleaned only every 5 ms: the ring fills
	ethtool -C a0 adaptive-rx off rx-usecs 5000 tx-usecs 5000
	wait_link
	stats a0
	stops0=${S[tx_queue_0_stops]}
	wakes0=${S[tx_queue_0_restart_queue]}
	# make stress-igb sends many more (IGB_STOP_WAKE_FRAMES)
	n=${IGB_STOP_WAKE_FRAMES:-1000}
	if ! xfer -n $n a0 b0; then
		# where they went: the sender's qdisc, its ring, the wire
		tc -s qdisc show dev a0
		ethtool -S a0 | grep -v ': 0$'
		ethtool -S b0 | grep -v ': 0$'
		fail "frames lost or duplicated"
	fi
	stats a0
	stops=$((S[tx_queue_0_stops] - stops0))
	wakes=$((S[tx_queue_0_restart_queue] - wakes0))
	stats b0
	echo "stops $stops wakes $wakes missed ${S[rx_missed_errors]}" \
		"pauses ${S[rx_queue_0_pauses]} dropped ${S[rx_dropped]}"
	[ "$stops" -gt 0 ] || fail "the queue never stopped"
	[ "$wakes" -gt 0 ] || fail "the queue never woke"
	[ "${S[rx_missed_errors]}" = 0 ] || fail "frames missed"
	ethtool -C a0 adaptive-rx on tx-usecs 0
	ethtool -G a0 tx 256
	ethtool -G b0 rx 256
}

softirqs_net_rx() {
	local name rest f s=0

	while read -r name rest; do
		[ "$name" = NET_RX: ] || continue
		for f in $rest; do s=$((s + f)); done
	done < /proc/softirqs
	echo "$s"
}

test_itr_interrupts() {
	set -e
	n=1000
	wait_link
	sirq0=$(softirqs_net_rx)
	for usecs in 0 1000 10000; do
		ethtool -C b0 adaptive-rx off rx-usecs $usecs
		i0=$(irqs b0)
		xfer -n $n a0 b0 >/dev/null
		ints=$(( $(irqs b0) - i0 ))
		us=${XFER#* us }
		us=${us%% *}
		echo "rx-usecs $usecs: $ints interrupts for $n frames in $us us"
		[ "$ints" -gt 0 ] || fail "no interrupt for $n frames"
		# the throttle: never two interrupts within rx-usecs
		[ "$usecs" = 0 ] || [ "$ints" -le $((us / usecs + 2)) ] ||
			fail "$ints interrupts in $us us at rx-usecs $usecs"
		eval "ints_$usecs=$ints"
	done
	# fewer interrupts per frame as rx-usecs rises
	[ "$ints_0" -ge $((2 * ints_10000)) ] ||
		fail "rx-usecs 10000: $ints_10000 interrupts, not half of $ints_0"
	# and none without traffic
	i0=$(irqs b0)
	sleep 0.5
	[ "$(irqs b0)" = "$i0" ] || fail "interrupts without traffic"
	[ "$(softirqs_net_rx)" -gt "$sirq0" ] || fail "NET_RX softirqs did not rise"
	ethtool -C b0 adaptive-rx on
}

igb_require
igb_local_up queues 1
ktap_plan 5
igb_run "budget_64_and_burst_polls" test_budget
igb_run "ring_indices_wrap" test_ring_wrap
igb_run "stop_wake_without_loss" test_stop_wake
igb_run "interrupts_follow_itr" test_itr_interrupts
igb_pair_down
igb_run "page_pools_released" pp_check_released
ktap_finish
