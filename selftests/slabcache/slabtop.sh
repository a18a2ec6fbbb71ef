#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# procps' slabtop reads /proc/slabcacheinfo as it reads /proc/slabinfo:
# bound over /proc/slabinfo, it lists slabcache's caches with their counts.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/../lib/klab.sh"
. "$(dirname "${BASH_SOURCE[0]}")/slab_lib.sh"

trap 'umount /proc/slabinfo 2>/dev/null; rm -rf "$tmp"' EXIT

require_root

test_slabtop_reads_slabcacheinfo() {
	local objs active slabs perslab

	command -v slabtop >/dev/null || { echo "# SKIP: no slabtop"; exit "$KSFT_SKIP"; }
	klab_load slabcache || fail "load"
	klabctl slab create top_a 700 >/dev/null || fail "create"
	klabctl slab alloc top_a 1000 >/dev/null || fail "alloc"
	mount --bind /proc/slabcacheinfo /proc/slabinfo || fail "bind mount"
	slabtop -o -s c >"$tmp/top" || fail "slabtop: exit $?"
	umount /proc/slabinfo
	cat "$tmp/top"
	grep -q "kslab-mag-126" "$tmp/top" || fail "magazine cache not listed"
	# OBJS ACTIVE USE OBJ-SIZE SLABS OBJ/SLAB CACHE-SIZE NAME
	read -r objs active _ _ slabs perslab _ _ < <(awk '$8 == "top_a"' "$tmp/top") ||
		fail "top_a not listed"
	expect_eq OBJS "$objs" "$(sysval top_a total_objs)"
	expect_eq ACTIVE "$active" 1000
	expect_eq SLABS "$slabs" $(($(sysval top_a slabs_full) + $(sysval top_a slabs_partial) + $(sysval top_a slabs_free)))
	expect_eq OBJ/SLAB "$perslab" "$(sysval top_a objs_per_slab)"
	klabctl slab free top_a 1000 >/dev/null
	klabctl slab destroy top_a >/dev/null
}

ktap_plan 1
ktap_run slabtop_reads_slabcacheinfo test_slabtop_reads_slabcacheinfo
ktap_finish
