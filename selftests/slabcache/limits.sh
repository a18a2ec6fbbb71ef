#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# GFP flags and bounds: atomic allocations with interrupts off (a sleep
# would be "scheduling while atomic"); __GFP_ZERO and init_on_alloc as
# SLUB applies them; sysfs tunables; the module's bounds on test caches,
# refused with ENOSPC and a message; admin-only commands.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/../lib/klab.sh"
. "$(dirname "${BASH_SOURCE[0]}")/slab_lib.sh"

nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)

require_root

test_atomic_allocations_with_irqs_off() {
	klabctl slab create at 512 >/dev/null || fail "create"
	klabctl -j slab alloc at 5000 --atomic >"$tmp/a" || fail "atomic alloc"
	expect_eq held "$(jq -r .held "$tmp/a")" 5000
	[ "$(sysval at slabs_full)" -gt 100 ] || fail "no new slabs were needed"
	! dmesg | grep -q "scheduling while atomic" || fail "slept with interrupts off"
	klabctl slab free at 5000 >/dev/null
	klabctl slab destroy at >/dev/null
}

test_zeroing_as_slub() {
	klabctl slab create pz 64 --flags poison >/dev/null || fail "create"
	# poisoned objects are zeroed only on __GFP_ZERO, even with init_on_alloc
	expect_eq "poisoned, no __GFP_ZERO: objects not zero" \
		"$(klabctl -j slab alloc pz 20 | jq -r .nonzero)" 20
	expect_eq "poisoned, __GFP_ZERO: objects not zero" \
		"$(klabctl -j slab alloc pz 20 --zero | jq -r .nonzero)" 0
	klabctl slab free pz 40 >/dev/null
	klabctl slab create z 64 >/dev/null || fail "create"
	klabctl slab alloc z 50 >/dev/null && klabctl slab free z 50 >/dev/null
	expect_eq "__GFP_ZERO: objects not zero" \
		"$(klabctl -j slab alloc z 50 --zero | jq -r .nonzero)" 0
	if [ "$(stat init_on_alloc)" = 1 ]; then
		expect_eq "init_on_alloc=1: objects not zero" \
			"$(klabctl -j slab alloc z 50 | jq -r .nonzero)" 0
	fi
	klabctl slab free z 100 >/dev/null
	klabctl slab destroy pz >/dev/null
	klabctl slab destroy z >/dev/null
}

test_sysfs_tunables() {
	klabctl slab create tn 128 >/dev/null || fail "create"
	echo 14 >"$sysfs_slab/tn/magazine_size" || fail "magazine_size"
	echo 3 >"$sysfs_slab/tn/depot_limit" || fail "depot_limit"
	echo 5 >"$sysfs_slab/tn/free_limit" || fail "free_limit"
	expect_eq magazine_size "$(sysval tn magazine_size)" 14
	expect_eq depot_limit "$(sysval tn depot_limit)" 3
	expect_eq free_limit "$(sysval tn free_limit)" 5
	! echo 255 2>/dev/null >"$sysfs_slab/tn/magazine_size" || fail "magazine_size 255 accepted"
	! echo x 2>/dev/null >"$sysfs_slab/tn/depot_limit" || fail "depot_limit x accepted"
	! echo 2 2>/dev/null >"$sysfs_slab/tn/shrink" || fail "shrink 2 accepted"
	expect_eq magazine_size "$(sysval tn magazine_size)" 14
	klabctl slab alloc tn 100 >/dev/null && klabctl slab free tn 100 >/dev/null
	[ "$(sysval tn depot_full)" -le 3 ] || fail "depot above its limit"
	# the per-CPU counters add up to the total
	for f in alloc_hit alloc_miss free_hit free_miss; do
		read -r total rest <"$sysfs_slab/tn/$f"
		sum=0
		for c in $rest; do sum=$((sum + ${c#C*=})); done
		expect_eq "$f: per-CPU sum" "$sum" "$total"
	done
	klabctl slab destroy tn >/dev/null
}

test_bounds_and_permissions() {
	local i

	echo 3 >/sys/module/slabcache/parameters/max_test_caches
	for i in 1 2 3; do
		klabctl slab create "b$i" 64 >/dev/null || fail "create b$i"
	done
	expect_exit 2 klabctl slab create b4 64
	grep -q "Error: too many test caches (module parameter max_test_caches)" "$tmp/err" ||
		fail "no extack message"
	klabctl slab destroy b3 >/dev/null
	expect_exit 2 klabctl slab create big 100000
	grep -q "max_object_size" "$tmp/err" || fail "no extack message"
	expect_exit 2 klabctl slab create b1 64
	grep -q "a cache of that name exists" "$tmp/err" || fail "no extack message"
	expect_exit 2 klabctl slab create 'bad/name' 64
	expect_exit 2 klabctl slab create odd 64 --align 24
	grep -q "power of two" "$tmp/err" || fail "no extack message"
	expect_exit 2 "${nobody[@]}" klabctl slab create np 64
	expect_exit 2 "${nobody[@]}" klabctl slab alloc b1 1
	"${nobody[@]}" klabctl slab show b1 >/dev/null || fail "show needs no privilege"
	expect_exit 2 klabctl slab destroy kslab-mag-6
	grep -q "no test cache of that name" "$tmp/err" || fail "no extack message"
	klabctl slab destroy b1 >/dev/null
	klabctl slab destroy b2 >/dev/null
	echo 16 >/sys/module/slabcache/parameters/max_test_caches
}

fresh_module
ktap_plan 4
ktap_run atomic_allocations_with_irqs_off test_atomic_allocations_with_irqs_off
ktap_run zeroing_as_slub test_zeroing_as_slub
ktap_run sysfs_tunables test_sysfs_tunables
ktap_run bounds_and_permissions test_bounds_and_permissions
ktap_finish
