#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Giving memory back: drop_caches runs the shrinker, which empties every
# depot, every CPU's magazines and every free slab; the reaper trims free
# slabs to the cache's limit and the depot to its working set every 2 s;
# the shrink file; and the page counter back at zero when slabcache goes.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/../lib/klab.sh"
. "$(dirname "${BASH_SOURCE[0]}")/slab_lib.sh"

require_root

test_drop_caches_returns_every_free_slab() {
	local base

	# what other caches keep (the reaper leaves a free slab in each)
	echo 2 >/proc/sys/vm/drop_caches
	base=$(stat total_pages)
	klabctl slab create d 256 >/dev/null || fail "create"
	klabctl slab alloc d 5000 >/dev/null || fail "alloc"
	klabctl slab free d 5000 >/dev/null || fail "free"
	echo "pages: $base at first, $(stat total_pages) with every object free," \
		"$(sysval d cached_objs) objects in magazines, $(sysval d slabs_free) free slabs"
	[ "$(stat total_pages)" -gt "$base" ] || fail "no pages held before drop_caches"
	echo 2 >/proc/sys/vm/drop_caches
	echo "pages after drop_caches: $(stat total_pages)"
	expect_eq "pages after drop_caches" "$(stat total_pages)" "$base"
	expect_eq "cache pages" "$(sysval d pages)" 0
	expect_eq "objects in magazines" "$(sysval d cached_objs)" 0
	expect_eq "magazine bytes" "$(stat magazine_bytes)" 0
	klabctl slab destroy d >/dev/null
}

slabs_free_is() {
	[ "$(sysval r slabs_free)" = "$1" ]
}

test_reaper_trims_free_slabs() {
	local before freed

	klabctl slab create r 512 --magazine 0 >/dev/null || fail "create"
	klabctl slab alloc r 800 >/dev/null || fail "alloc"
	before=$(($(sysval r slabs_full) + $(sysval r slabs_partial)))
	klabctl slab free r 800 >/dev/null || fail "free"
	echo "$before slabs, now free; free_limit $(sysval r free_limit)"
	[ "$before" -gt 1 ] || fail "no free slabs to reap"
	wait_for 8 slabs_free_is "$(sysval r free_limit)" || fail "the reaper left $(sysval r slabs_free) free slabs"
	freed=$(sysval r reaped_pages)
	echo "reaped $freed pages"
	expect_eq "reaped pages" "$freed" $(((before - 1) << $(sysval r order)))
	klabctl slab destroy r >/dev/null
}

depot_is_empty() {
	[ "$(sysval w depot_full)" = 0 ] && [ "$(sysval w depot_empty)" = 0 ]
}

# Magazines the depot keeps but nobody uses go back within two intervals
test_reaper_trims_the_depot() {
	klabctl slab create w 64 --magazine 6 --depot-limit 32 >/dev/null || fail "create"
	klabctl slab alloc w 200 >/dev/null || fail "alloc"
	klabctl slab free w 200 >/dev/null || fail "free"
	echo "depot: $(sysval w depot_full) full, $(sysval w depot_empty) empty"
	[ "$(sysval w depot_full)" -gt 0 ] || fail "no full magazines in the depot"
	wait_for 8 depot_is_empty || fail "depot still holds $(sysval w depot_full) full magazines"
	klabctl slab destroy w >/dev/null
}

test_shrink_file_and_command() {
	klabctl slab create s 128 >/dev/null || fail "create"
	klabctl slab alloc s 1000 >/dev/null && klabctl slab free s 1000 >/dev/null
	echo 1 >"$sysfs_slab/s/shrink" || fail "write shrink"
	expect_eq "pages after shrink" "$(sysval s pages)" 0
	klabctl slab alloc s 1000 >/dev/null && klabctl slab free s 1000 >/dev/null
	[ "$(klabctl -j slab shrink s | jq -r .pages_freed)" -gt 0 ] || fail "shrink freed nothing"
	expect_eq "pages after klabctl shrink" "$(sysval s pages)" 0
	expect_exit 1 klabctl slab shrink s extra
	klabctl slab destroy s >/dev/null
}

test_unload_leaves_no_pages() {
	klabctl slab create u 300 >/dev/null || fail "create"
	klabctl slab alloc u 3000 >/dev/null && klabctl slab free u 3000 >/dev/null
	klabctl slab destroy u >/dev/null || fail "destroy"
	klab_unload slabcache || fail "rmmod"
	dmesg | grep "slabcache: unloading" | tail -1
	dmesg | tail -5 | grep -q "slabcache: unloading: 0 page(s) in slabs, 0 page(s) left" ||
		fail "pages left behind"
}

fresh_module
ktap_plan 5
ktap_run drop_caches_returns_every_free_slab test_drop_caches_returns_every_free_slab
ktap_run reaper_trims_free_slabs test_reaper_trims_free_slabs
ktap_run reaper_trims_the_depot test_reaper_trims_the_depot
ktap_run shrink_file_and_command test_shrink_file_and_command
ktap_run unload_leaves_no_pages test_unload_leaves_no_pages
ktap_finish
