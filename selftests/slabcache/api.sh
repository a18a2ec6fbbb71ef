#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Another module allocates through slabcache's exported API: the test
# module slabcache_test checks what it gets when it loads, holds objects
# while loaded, pins slabcache, and leaves nothing behind when it goes.
# Next to its cache it keeps a kmem_cache with a constructor, which SLUB
# does not merge, so /proc/slabinfo lists it.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/../lib/klab.sh"
. "$(dirname "${BASH_SOURCE[0]}")/slab_lib.sh"

require_root

# line FILE CACHE: that cache's line of a slabinfo file
line() {
	grep -E "^$2 " "$1"
}

test_module_allocates_through_the_api() {
	local l

	fresh_module
	insmod "$test_ko" objects=2000 size=192 || fail "insmod slabcache_test"
	dmesg | tail -3 | grep -q "slabcache_test: 2000 objects held" || fail "no load message"
	l=$(line /proc/slabcacheinfo slabcache_test) || fail "slabcache_test not in /proc/slabcacheinfo"
	echo "$l"
	set -- $l
	expect_eq "active_objs" "$2" 2000
	expect_eq "constructed objects" "$(sysval slabcache_test constructed)" "$3"
	grep -q "^sct_ctor+0x0/.* \[slabcache_test\]$" "$sysfs_slab/slabcache_test/ctor" ||
		fail "ctor: $(cat "$sysfs_slab/slabcache_test/ctor")"
	l=$(line /proc/slabinfo slabcache_test_slub) || fail "the SLUB cache with a ctor is not listed"
	echo "$l"
	set -- $l
	[ "$2" -ge 2000 ] || fail "SLUB shows $2 active objects"
	expect_eq "SLUB objperslab" "$5" $(($6 * 4096 / $4))
}

test_user_pins_slabcache() {
	klab_loaded slabcache_test || insmod "$test_ko" objects=10 || fail "insmod"
	expect_eq refcnt "$(cat /sys/module/slabcache/refcnt)" 1
	[ -e /sys/module/slabcache/holders/slabcache_test ] || fail "no holder link"
	expect_exit 1 rmmod slabcache
	rmmod slabcache_test || fail "rmmod slabcache_test"
	! grep -qE "^slabcache_test " /proc/slabcacheinfo || fail "cache left in /proc/slabcacheinfo"
	! grep -qE "^slabcache_test_slub " /proc/slabinfo || fail "SLUB cache left"
	[ ! -e "$sysfs_slab/slabcache_test" ] || fail "sysfs directory left"
	dmesg | tail -3 | grep -q "slabcache_test: .* leaked" && fail "leak reported"
	klab_unload slabcache || fail "rmmod slabcache"
	dmesg | tail -3 | grep -q "slabcache: unloading: 0 page(s) in slabs, 0 page(s) left" ||
		fail "pages left behind"
}

test_bad_parameters_fail_the_load() {
	klab_load slabcache || fail "load"
	expect_exit 1 insmod "$test_ko" size=4
	[ ! -e /sys/module/slabcache_test ] || fail "loaded anyway"
	expect_eq "caches" "$(stat caches)" 6
}

ktap_plan 3
ktap_run module_allocates_through_the_api test_module_allocates_through_the_api
ktap_run user_pins_slabcache test_user_pins_slabcache
ktap_run bad_parameters_fail_the_load test_bad_parameters_fail_the_load
ktap_finish
