#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers for slabcache's shell tests, and their scratch directory $tmp.
# Sourced (after ../lib/klab.sh), not run.

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

sysfs_slab=/sys/kernel/slabcache
test_ko=$KLAB_ROOT/modules/slabcache/test/slabcache_test.ko

# fresh_module [PARAM=VALUE]...: slabcache loaded anew (test_bugs=1 unless
# told otherwise), no test module
fresh_module() {
	rmmod slabcache_test 2>/dev/null
	klab_unload slabcache || fail "rmmod slabcache"
	insmod "$(klab_ko slabcache)" "${@:-test_bugs=1}" || fail "insmod slabcache $*"
}

# field NAME KEY: one value of a cache, from klabctl
field() {
	klabctl -j slab show "$1" | jq -er ".$2"
}

# stat KEY: a module-wide value, from klabctl slab stats
stat() {
	klabctl -j slab stats | jq -er ".$1"
}

# sysval NAME FILE: the first word of /sys/kernel/slabcache/NAME/FILE
sysval() {
	local v

	read -r v _ <"$sysfs_slab/$1/$2" || fail "read $1/$2"
	echo "$v"
}

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: got $2, want $3"
}

# dmesg_count PATTERN: kernel log lines matching PATTERN (grep -E)
dmesg_count() {
	dmesg | grep -cE "$1"
}

# wait_for SECONDS COMMAND...: until COMMAND succeeds, or fail
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.2
	done
}
