#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Objects in slabs: colour offsets cycling through the slack; the
# constructor running once per object; exact active and total counts after
# allocations and frees.  (layout_test checks the geometry itself.)
set -u

. "$(dirname "${BASH_SOURCE[0]}")/../lib/klab.sh"
. "$(dirname "${BASH_SOURCE[0]}")/slab_lib.sh"

require_root

# Successive slabs put their first object at successive multiples of the
# cache line, up to the slack, then wrap
test_colours_cycle() {
	local offs k

	klabctl slab create c700 700 --magazine 0 >/dev/null || fail "create"
	expect_eq colours "$(sysval c700 colours)" 4
	expect_eq colour_range "$(sysval c700 colour_range)" 192
	klabctl -j slab alloc c700 $((23 * 6)) --offsets >"$tmp/alloc" || fail "alloc"
	offs=$(jq -r '[.offsets[range(0; 138; 23)]] | map(tostring) | join(" ")' "$tmp/alloc")
	echo "first objects of six slabs at offsets $offs"
	expect_eq "first-object offsets" "$offs" "0 64 128 192 0 64"
	# and every object of a slab follows at the stride
	k=$(jq -r '.offsets[1] - .offsets[0]' "$tmp/alloc")
	expect_eq stride "$k" "$(sysval c700 stride)"
	klabctl slab free c700 138 >/dev/null
	klabctl slab destroy c700 >/dev/null
}

# The constructor runs once per object when its slab is created
test_ctor_once_per_object() {
	local before after total constructed bad

	klabctl slab create k 256 --flags ctor >/dev/null || fail "create"
	before=$(stat test_ctor_calls)
	bad=0
	for round in 1 2 3; do
		klabctl -j slab alloc k 500 >"$tmp/a" || fail "alloc"
		bad=$((bad + $(jq -r .ctor_bad "$tmp/a")))
		klabctl slab free k 500 >/dev/null || fail "free"
	done
	after=$(stat test_ctor_calls)
	# every slab ever created, reaped ones too
	total=$(($(sysval k slabs_created) * $(sysval k objs_per_slab)))
	constructed=$(sysval k constructed)
	echo "1500 allocations, $total objects in the slabs created, $constructed constructed, $((after - before)) constructor calls"
	expect_eq "objects not in their constructed state" "$bad" 0
	expect_eq "constructor calls" $((after - before)) "$constructed"
	expect_eq "constructed objects" "$constructed" "$total"
	[ "$constructed" -lt 1500 ] || fail "the constructor ran on allocation"
	klabctl slab destroy k >/dev/null
}

# Exact counts: without magazines every slab is packed; with them the
# objects they cache are the only difference
test_exact_counts() {
	local objs slabs

	klabctl slab create e 100 --magazine 0 >/dev/null || fail "create"
	# the reaper must not take free slabs away while we count them
	echo 1000 >"$sysfs_slab/e/free_limit"
	klabctl slab alloc e 1000 >/dev/null || fail "alloc"
	objs=$(sysval e objs_per_slab)
	slabs=$(((1000 + objs - 1) / objs))
	expect_eq active "$(sysval e active_objs)" 1000
	expect_eq total "$(sysval e total_objs)" $((slabs * objs))
	expect_eq "full slabs" "$(sysval e slabs_full)" $((1000 / objs))
	expect_eq "partial slabs" "$(sysval e slabs_partial)" 1
	klabctl slab free e 400 >/dev/null || fail "free"
	expect_eq active "$(sysval e active_objs)" 600
	expect_eq total "$(sysval e total_objs)" $((slabs * objs))
	klabctl slab free e 600 >/dev/null
	expect_eq active "$(sysval e active_objs)" 0
	expect_eq "free slabs" "$(sysval e slabs_free)" "$slabs"
	klabctl slab destroy e >/dev/null

	klabctl slab create m 100 >/dev/null || fail "create"
	klabctl slab alloc m 1000 >/dev/null || fail "alloc"
	expect_eq active "$(sysval m active_objs)" 1000
	slabs=$(($(sysval m slabs_full) + $(sysval m slabs_partial) + $(sysval m slabs_free)))
	expect_eq "slabs for active + cached" "$slabs" \
		$(((1000 + $(sysval m cached_objs) + objs - 1) / objs))
	klabctl slab free m 300 >/dev/null
	expect_eq active "$(sysval m active_objs)" 700
	klabctl slab free m 700 >/dev/null
	expect_eq active "$(sysval m active_objs)" 0
	klabctl -j slab destroy m >"$tmp/d" || fail "destroy"
	expect_eq leaked "$(jq -r .leaked "$tmp/d")" 0
}

fresh_module
ktap_plan 3
ktap_run colours_cycle test_colours_cycle
ktap_run ctor_once_per_object test_ctor_once_per_object
ktap_run exact_counts test_exact_counts
ktap_finish
