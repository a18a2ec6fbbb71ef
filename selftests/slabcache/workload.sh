#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The in-kernel workload (klabctl slab run): kthreads on both CPUs, a
# hard-irq timer and objects freed by other threads than their owner, for
# 20 s with every object's contents checked, then everything freed; and a
# short run on a debug cache, whose checks must find nothing.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/../lib/klab.sh"
. "$(dirname "${BASH_SOURCE[0]}")/slab_lib.sh"

require_root

test_both_cpus_20s() {
	local cpus

	klabctl slab create wl 200 >/dev/null || fail "create"
	klabctl -j slab run --cache wl --threads 4 --seconds 20 >"$tmp/run" ||
		fail "klabctl slab run: exit $?"
	cat "$tmp/run"
	jq -e '.errors == 0 and .leaked == 0 and .running == 0 and .allocs > 0 and
		.allocs == .frees and .irq_ops > 0 and .remote_frees > 0' "$tmp/run" >/dev/null ||
		fail "workload result"
	expect_eq "active objects after the run" "$(sysval wl active_objs)" 0
	# interrupts that landed inside a claim of their CPU's magazines
	echo "# nested_alloc $(sysval wl nested_alloc) nested_free $(sysval wl nested_free)"
	cpus=$(grep -o "C[0-9]*=" "$sysfs_slab/wl/alloc_hit" | wc -l)
	cat "$sysfs_slab/wl/alloc_hit"
	[ "$cpus" -ge "$(nproc)" ] || fail "allocations on $cpus CPUs only"
	klabctl -j slab validate wl | jq -e '.errors == 0' >/dev/null || fail "validate"
	klabctl slab destroy wl >/dev/null
}

test_debug_cache_finds_nothing() {
	klabctl -j slab run --threads 2 --seconds 3 --size 100 --flags red_zone,poison,store_user \
		>"$tmp/run" || fail "klabctl slab run: exit $?"
	cat "$tmp/run"
	jq -e '.errors == 0 and .leaked == 0 and .allocs > 0' "$tmp/run" >/dev/null ||
		fail "workload result"
}

test_one_run_at_a_time_within_bounds() {
	expect_exit 2 klabctl slab run --seconds 1000
	grep -q "run_max_ms" "$tmp/err" || fail "no extack message"
	klabctl slab run --seconds 5 --no-wait >/dev/null || fail "start"
	expect_exit 2 klabctl slab run --seconds 1
	grep -q "a run is in progress" "$tmp/err" || fail "no extack message"
	klabctl -j slab run --stop >/dev/null || fail "stop"
	wait_for 10 bash -c "klabctl -j slab run --status | jq -e '.running == 0' >/dev/null" ||
		fail "the run did not stop"
	klabctl -j slab run --status | jq -e '.errors == 0 and .leaked == 0' >/dev/null ||
		fail "stopped run"
}

fresh_module
ktap_plan 3
ktap_run both_cpus_20s test_both_cpus_20s
ktap_run debug_cache_finds_nothing test_debug_cache_finds_nothing
ktap_run one_run_at_a_time_within_bounds test_one_run_at_a_time_within_bounds
ktap_finish
