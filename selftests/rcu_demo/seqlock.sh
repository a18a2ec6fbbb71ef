#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Seqlock torture: no torn read for the kernel's seqlock_t, klab's seqlock
# and its latch; torn reads for busted_seqlock (readers that do not retry)
# on every run; readers do retry while the writer runs; the count is even
# once the writer stopped; the writer does not wait for readers.
. "$(dirname "$0")/rcu_lib.sh"

no_torn_reads() {
	local type=$1
	rcu_run seqlock-torture --type "$type" --duration 2
	# the latch's readers rarely meet the writer on their copy
	expect ".success and (.results[0] | .torn == 0 and .reads > 0 and
		.writes > 0 and .seq_even_at_end == 1 and
		(\"$type\" == \"klab_latch\" or .retries > 0))"
	rcu_console "$tmp/console.log"
	grep -q "$type-torture:--- End of test: SUCCESS" "$tmp/console.log" ||
		fail "no SUCCESS line"
}

busted_seqlock_caught() {
	rcu_run seqlock-torture --type busted_seqlock --duration 2
	expect '.success == false and .results[0].torn > 0'
	rcu_console "$tmp/console.log"
	grep -q 'busted_seqlock-torture: !!! reads: ' "$tmp/console.log" || fail "no !!! line"
	grep -q 'busted_seqlock-torture:--- End of test: FAILURE' "$tmp/console.log" ||
		fail "no FAILURE line"
}

# The writer takes only the writers' lock: one reader or four, its time
# inside stays about the same (generous bound: TCG timing is noisy)
writer_ignores_readers() {
	local one four
	rcu_run seqlock-torture --type klab_seqlock --duration 2 --readers 1
	one=$(jget '.results[0].writer_latency_avg_ns')
	rcu_run seqlock-torture --type klab_seqlock --duration 2 --readers 4
	four=$(jget '.results[0].writer_latency_avg_ns')
	echo "writer latency: $one ns with 1 reader, $four ns with 4"
	[ "$one" -gt 0 ] && [ "$four" -le $((one * 4 + 20000)) ] ||
		fail "writer latency grew with readers: $one -> $four ns"
}

main() {
	rcu_setup
	ktap_plan 5
	for t in seqlock klab_seqlock klab_latch; do
		ktap_run "seqlock-torture $t: no torn reads" no_torn_reads "$t"
	done
	ktap_run "busted_seqlock caught by the torn-read check" busted_seqlock_caught
	ktap_run "seqlock writer latency does not grow with readers" writer_ignores_readers
	ktap_finish
}

main "$@"
