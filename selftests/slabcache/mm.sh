#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The notes' memory-management facts on the stock kernel, through
# slabcache's observer (klabctl slab mm): zone watermarks and sizes as
# /proc/zoneinfo shows them (A10); the buddy allocator's 11 orders, its
# blocks aligned to their size, a 512-page block split into 128 + 128 +
# 256 pages and coalesced (C8); 4 KiB pages, the four-level walk of a
# user address and the fault kinds of first touches and of a swapped-out
# page's touch, with swap on a chardev klab_blk RAM disk (C9).
set -u

. "$(dirname "${BASH_SOURCE[0]}")/../lib/klab.sh"
. "$(dirname "${BASH_SOURCE[0]}")/slab_lib.sh"

require_root

# zoneinfo NODE ZONE: "min low high boost spanned present managed" of
# that zone in /proc/zoneinfo
zoneinfo() {
	awk -v node="$1," -v zone="$2" '
		$1 == "Node" { on = ($2 == node && $4 == zone); next }
		on && $1 ~ /^(min|low|high|boost|spanned|present|managed)$/ &&
			NF == 2 { v[$1] = $2 }
		END {
			print v["min"], v["low"], v["high"], v["boost"],
			      v["spanned"], v["present"], v["managed"]
		}' /proc/zoneinfo
}

test_zones_match_zoneinfo() {
	local zones n i node zone mine theirs min low high boost spanned present managed

	klab_loaded slabcache || klab_load slabcache || fail "load"
	zones=$(klabctl -j slab mm zones) || fail "klabctl slab mm zones"
	n=$(jq '.zones | length' <<<"$zones")
	[ "$n" -ge 1 ] || fail "no populated zone"
	for ((i = 0; i < n; i++)); do
		read -r node zone min low high boost spanned present managed < <(jq -r \
			".zones[$i] | \"\(.node) \(.zone) \(.min) \(.low) \(.high) \(.boost) \(.spanned) \(.present) \(.managed)\"" \
			<<<"$zones")
		echo "node $node $zone: min $min low $low high $high boost $boost" \
			"spanned $spanned present $present managed $managed"
		[ "$min" -lt "$low" ] && [ "$low" -lt "$high" ] ||
			fail "$zone: not min < low < high"
		# the three include the boost, as zoneinfo prints them
		[ $((min - boost)) -gt 0 ] || fail "$zone: min $min without boost $boost is not positive"
		[ "$spanned" -ge "$present" ] && [ "$present" -ge "$managed" ] ||
			fail "$zone: not spanned >= present >= managed"
		mine="$min $low $high $boost $spanned $present $managed"
		theirs=$(zoneinfo "$node" "$zone")
		expect_eq "$zone against /proc/zoneinfo" "$mine" "$theirs"
	done
}

# The free blocks of 512 and 1024 pages (orders 9, 10) rarely change
# while the test is quiet: the module's counts are /proc/buddyinfo's.
test_buddyinfo_counts_match() {
	local zones n i node zone mine theirs try

	klab_loaded slabcache || klab_load slabcache || fail "load"
	for try in 1 2 3; do
		zones=$(klabctl -j slab mm zones) || fail "klabctl slab mm zones"
		mine=$(jq -r '.zones[] | "\(.node) \(.zone) \(.nr_free[9]) \(.nr_free[10])"' <<<"$zones")
		theirs=$(awk '{ sub(",", "", $2); print $2, $4, $14, $15 }' /proc/buddyinfo)
		[ "$mine" = "$theirs" ] && break
		echo "try $try: module <$mine> buddyinfo <$theirs>"
	done
	echo "$mine" | sed 's/^/node /; s/$/ (free blocks of order 9, 10)/'
	expect_eq "orders 9 and 10 against /proc/buddyinfo" "$mine" "$theirs"
	n=$(jq '.zones[0].nr_free | length' <<<"$zones")
	expect_eq "orders in buddyinfo" "$(awk 'NR == 1 { print NF - 4 }' /proc/buddyinfo)" "$n"
}

test_eleven_orders_aligned() {
	local buddy o pfn

	klab_loaded slabcache || klab_load slabcache || fail "load"
	buddy=$(klabctl -j slab mm buddy) || fail "klabctl slab mm buddy"
	echo "$buddy" >"$tmp/buddy.json"
	expect_eq "MAX_ORDER" "$(jq .max_order <<<"$buddy")" 11
	expect_eq "blocks" "$(jq '.blocks | length' <<<"$buddy")" 11
	for o in $(seq 0 10); do
		pfn=$(jq ".blocks[$o] | select(.order == $o) | .pfn" <<<"$buddy")
		[ -n "$pfn" ] || fail "no block of order $o"
		echo "order $o ($((1 << o)) pages): pfn $pfn, pfn % $((1 << o)) = $((pfn % (1 << o)))"
		expect_eq "order $o block aligned" $((pfn % (1 << o))) 0
	done
}

# pages ORDERS_JSON: free pages in blocks of 128 pages or more
pages() {
	jq '[to_entries[] | select(.key >= 7) | .value * pow(2; .key)] | add' <<<"$1"
}

test_512_split_and_coalesced() {
	local buddy before split merged a b c

	buddy=$(cat "$tmp/buddy.json" 2>/dev/null) || buddy=$(klabctl -j slab mm buddy) ||
		fail "klabctl slab mm buddy"
	read -r a b c < <(jq -r '.split_pfns | "\(.[0]) \(.[1]) \(.[2])"' <<<"$buddy")
	before=$(jq -c .nr_free_before <<<"$buddy")
	split=$(jq -c .nr_free_split <<<"$buddy")
	merged=$(jq -c .nr_free_merged <<<"$buddy")
	echo "drained $(jq .drained <<<"$buddy") free 128/256-page blocks first"
	echo "128 pages at $a, 128 at $b, 256 at $c; 512-page block at $((a & ~511))"
	echo "free blocks per order: before $before"
	echo "                       split  $split"
	echo "                       freed  $merged, merged to order $(jq .merged_order <<<"$buddy")"
	expect_eq "first 128 pages at a 512-page boundary" $((a % 512)) 0
	expect_eq "second 128 pages: its buddy" "$b" $((a + 128))
	expect_eq "256 pages: the other half" "$c" $((a + 256))
	expect_eq "order 7 free blocks after the split" "$(jq ".[7]" <<<"$split")" \
		$(($(jq ".[7]" <<<"$before") + 1))
	expect_eq "order 8 free blocks after the split" "$(jq ".[8]" <<<"$split")" \
		$(($(jq ".[8]" <<<"$before") + 1))
	expect_eq "free pages in large blocks after the split" "$(pages "$split")" \
		$(($(pages "$before") - 128))
	[ "$(jq .merged_order <<<"$buddy")" -ge 9 ] || fail "freed blocks not coalesced to 512 pages"
	expect_eq "free blocks of orders 7-10 once freed" \
		"$(jq -c '.[7:]' <<<"$merged")" "$(jq -c '.[7:]' <<<"$before")"
}

test_four_level_walk() {
	local w addr

	klab_loaded slabcache || klab_load slabcache || fail "load"
	w=$(klabctl -j slab mm walk) || fail "klabctl slab mm walk"
	addr=$(jq .addr <<<"$w")
	jq -r '"addr \(.addr) levels \(.levels): pgd \(.pgd) p4d \(.p4d) pud \(.pud) pmd \(.pmd) pte \(.pte) offset \(.offset); page \(.page_size) bytes; pfn \(.pfn), pagemap \(.pagemap_pfn)"' <<<"$w"
	expect_eq "page size" "$(jq .page_size <<<"$w")" 4096
	expect_eq "page shift" "$(jq .page_shift <<<"$w")" 12
	# 4 levels, or 5 where the CPU has LA57 (QEMU's TCG CPU has): the P4D
	# level is folded into the PGD with 4
	case $(jq .levels <<<"$w") in
	4)
		expect_eq "pgd index (bits 47-39)" "$(jq .pgd <<<"$w")" $(((addr >> 39) & 511))
		expect_eq "p4d index (folded)" "$(jq .p4d <<<"$w")" 0
		;;
	5)
		expect_eq "pgd index (bits 56-48)" "$(jq .pgd <<<"$w")" $(((addr >> 48) & 511))
		expect_eq "p4d index (bits 47-39)" "$(jq .p4d <<<"$w")" $(((addr >> 39) & 511))
		;;
	*) fail "levels: $(jq .levels <<<"$w")" ;;
	esac
	expect_eq "pud index (bits 38-30)" "$(jq .pud <<<"$w")" $(((addr >> 30) & 511))
	expect_eq "pmd index (bits 29-21)" "$(jq .pmd <<<"$w")" $(((addr >> 21) & 511))
	expect_eq "pte index (bits 20-12)" "$(jq .pte <<<"$w")" $(((addr >> 12) & 511))
	expect_eq "offset (bits 11-0)" "$(jq .offset <<<"$w")" $((addr & 4095))
	[ "$(jq .pfn <<<"$w")" -gt 0 ] || fail "pfn 0"
	expect_eq "pte's pfn against /proc/self/pagemap" "$(jq .pfn <<<"$w")" \
		"$(jq .pagemap_pfn <<<"$w")"
}

# One minor fault per page of anonymous memory; one major fault per page
# of a file read at random with its page cache dropped.  The process's
# own counts are exact; /proc/vmstat's count the whole system.
test_fault_kinds() {
	local f pages=32

	f=$(klabctl -j slab mm fault anon --pages $pages) || fail "anon faults"
	jq -r '"anon: \(.pages) pages: minflt \(.minflt) majflt \(.majflt); vmstat pgfault +\(.pgfault) pgmajfault +\(.pgmajfault)"' <<<"$f"
	[ "$(jq .minflt <<<"$f")" -ge $pages ] || fail "fewer minor faults than pages"
	[ "$(jq .minflt <<<"$f")" -le $((pages + 4)) ] || fail "more minor faults than pages"
	expect_eq "anon major faults" "$(jq .majflt <<<"$f")" 0
	[ "$(jq .pgfault <<<"$f")" -ge $pages ] || fail "vmstat pgfault below the pages"

	f=$(klabctl -j slab mm fault file --pages $pages --file "$(klab_ko slabcache)") ||
		fail "file faults"
	jq -r '"file: \(.pages) pages: minflt \(.minflt) majflt \(.majflt); vmstat pgfault +\(.pgfault) pgmajfault +\(.pgmajfault)"' <<<"$f"
	expect_eq "file major faults" "$(jq .majflt <<<"$f")" $pages
	[ "$(jq .pgmajfault <<<"$f")" -ge $pages ] || fail "vmstat pgmajfault below the pages"
}

# swap_off DISK: undo test_swap_fault's set-up, whatever got done
swap_off() {
	swapoff "/dev/$1" 2>/dev/null
	klabctl chardev blk del mmswap >/dev/null 2>&1
	[ -z "${cluster:-}" ] || echo "$cluster" >/proc/sys/vm/page-cluster
}

# Anonymous pages pushed out to swap (MADV_PAGEOUT, each written: pswpout)
# and touched again: one major fault per page, each reading its page back
# (pswpin).  The disk completes writes in its submit path (bio mode,
# irqmode none), so reclaim frees each page as soon as it is written (a
# write still in flight would leave it in the swap cache, and the touch
# would be a minor fault).  Swap readahead is off (page-cluster 0) so
# that no fault brings in its neighbours.  disk and cluster are global
# to the test's subshell, for its EXIT trap.
test_swap_fault() {
	local f pages=32

	klab_load chardev || fail "load chardev"
	f=$(klabctl -j chardev blk add mmswap size 16 queue-mode bio irqmode none) ||
		fail "klab_blk add"
	disk=$(jq -r '.devices[0].disk' <<<"$f")
	trap 'swap_off "$disk"' EXIT
	mkswap -q "/dev/$disk" || fail "mkswap /dev/$disk"
	swapon "/dev/$disk" || fail "swapon /dev/$disk"
	cluster=$(cat /proc/sys/vm/page-cluster)
	echo 0 >/proc/sys/vm/page-cluster

	f=$(klabctl -j slab mm fault swap --pages $pages) || fail "swap faults"
	jq -r '"swap: \(.pages) pages: pswpout +\(.pswpout); minflt \(.minflt) majflt \(.majflt); vmstat pgmajfault +\(.pgmajfault) pswpin +\(.pswpin)"' <<<"$f"
	[ "$(jq .pswpout <<<"$f")" -ge $pages ] || fail "fewer pages written to swap than paged out"
	expect_eq "swap major faults" "$(jq .majflt <<<"$f")" $pages
	[ "$(jq .pswpin <<<"$f")" -ge $pages ] || fail "vmstat pswpin below the pages"
	[ "$(jq .pgmajfault <<<"$f")" -ge $pages ] || fail "vmstat pgmajfault below the pages"
}

ktap_plan 7
ktap_run zones_match_zoneinfo test_zones_match_zoneinfo
ktap_run buddyinfo_counts_match test_buddyinfo_counts_match
ktap_run eleven_orders_aligned test_eleven_orders_aligned
ktap_run 512_split_and_coalesced test_512_split_and_coalesced
ktap_run four_level_walk test_four_level_walk
ktap_run fault_kinds test_fault_kinds
ktap_run swap_fault test_swap_fault
ktap_finish
