#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Debug caches catch planted bugs: each bug (KLAB_SLAB_CMD_BUG, module
# parameter test_bugs=1) is reported with one kernel log line naming the
# cache, counted once, and the object quarantined; the kernel carries on
# and the cache keeps working.  Destroying a cache with objects allocated
# reports the exact leak.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/../lib/klab.sh"
. "$(dirname "${BASH_SOURCE[0]}")/slab_lib.sh"

require_root

# plant CACHE BUG COUNTER PATTERN [QUARANTINED]: the bug moves COUNTER by
# exactly one, logs one line matching PATTERN and quarantines that many
plant() {
	local c=$1 bug=$2 counter=$3 pattern=$4 quarantined=${5:-1}
	local before q_before lines

	before=$(sysval "$c" "$counter")
	q_before=$(sysval "$c" quarantined)
	lines=$(dmesg_count "cache $c: $pattern")
	klabctl slab bug "$c" "$bug" || fail "plant $bug"
	expect_eq "$bug: $counter" "$(sysval "$c" "$counter")" $((before + 1))
	expect_eq "$bug: quarantined" "$(sysval "$c" quarantined)" $((q_before + quarantined))
	expect_eq "$bug: log lines" "$(dmesg_count "cache $c: $pattern")" $((lines + 1))
	dmesg | grep -E "cache $c: $pattern" | tail -1
}

# the cache still hands out sound objects, and validation finds nothing
still_works() {
	local c=$1

	klabctl slab alloc "$c" 300 >/dev/null || fail "alloc after the bug"
	klabctl slab free "$c" 300 >/dev/null || fail "free after the bug"
	klabctl -j slab validate "$c" >"$tmp/v" || fail "validate"
	expect_eq "validation errors" "$(jq -r .errors "$tmp/v")" 0
	expect_eq "active objects" "$(sysval "$c" active_objs)" 0
}

test_red_zones() {
	klabctl slab create rz 100 --flags red_zone,store_user >/dev/null || fail "create"
	plant rz redzone-right corrupt_redzone "red zone overwritten: 1 byte\(s\) after the end of allocated object"
	plant rz redzone-left corrupt_redzone "red zone overwritten: 1 byte\(s\) before allocated object"
	dmesg | tail -1 | grep -q "allocated by kslab_test_bug" || fail "no owner in the report"
	still_works rz
}

test_write_after_free() {
	klabctl slab create p 256 --flags poison >/dev/null || fail "create"
	plant p use-after-free corrupt_poison "write after free: object .* changed at offset 128"
	still_works p
}

test_double_free() {
	klabctl slab create df 64 --flags red_zone,poison,store_user >/dev/null || fail "create"
	plant df double-free double_free "double free of free object"
	dmesg | tail -1 | grep -q "last freed by kslab_test_bug" || fail "no owner in the report"
	still_works df
	# a cache without debug catches the naive case (the last object freed)
	klabctl slab create plain 64 >/dev/null || fail "create"
	plant plain double-free double_free "double free of object .* second free ignored" 0
	still_works plain
}

test_invalid_free() {
	klabctl slab create inv 128 --flags red_zone >/dev/null || fail "create"
	plant inv foreign-free invalid_free "invalid free of .*: not in a slab of this cache" 0
	plant inv interior-free invalid_free "invalid free of .*: inside a slab of this cache but not at an object's start" 0
	still_works inv
	# without debug checks these bugs would corrupt the cache: refused
	klabctl slab create nodbg 128 >/dev/null || fail "create"
	expect_exit 2 klabctl slab bug nodbg foreign-free
	grep -q "this bug needs a debug cache" "$tmp/err" || fail "no extack message"
}

test_corrupt_free_list() {
	local objs

	klabctl slab create fl 100 --magazine 0 >/dev/null || fail "create"
	objs=$(sysval fl objs_per_slab)
	plant fl freelist corrupt_freelist "free list of slab .* corrupted" "$objs"
	still_works fl
}

test_leak_reported_exactly() {
	klabctl slab create lk 200 --flags red_zone >/dev/null || fail "create"
	klabctl slab alloc lk 37 >/dev/null || fail "alloc"
	klabctl -j slab destroy lk >"$tmp/d" || fail "destroy"
	cat "$tmp/d"
	expect_eq leaked "$(jq -r .leaked "$tmp/d")" 37
	dmesg | tail -3 | grep -q "cache lk: destroyed with 37 object(s) allocated" ||
		fail "no leak report"
	[ "$(stat leaked_pages)" -gt 0 ] || fail "the leaked objects' pages were freed"
	[ ! -e "$sysfs_slab/lk" ] || fail "$sysfs_slab/lk left"
}

test_bugs_need_the_parameter() {
	fresh_module test_bugs=0
	klabctl slab create nb 64 --flags red_zone >/dev/null || fail "create"
	expect_exit 2 klabctl slab bug nb redzone-right
	grep -q "test_bugs=1" "$tmp/err" || fail "no extack message"
	expect_eq "corrupt_redzone" "$(sysval nb corrupt_redzone)" 0
}

fresh_module
ktap_plan 7
ktap_run red_zones test_red_zones
ktap_run write_after_free test_write_after_free
ktap_run double_free test_double_free
ktap_run invalid_free test_invalid_free
ktap_run corrupt_free_list test_corrupt_free_list
ktap_run leak_reported_exactly test_leak_reported_exactly
ktap_run bugs_need_the_parameter test_bugs_need_the_parameter
ktap_finish
