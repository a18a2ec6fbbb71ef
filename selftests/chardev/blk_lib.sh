#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the RAM disk tests: configfs devices.  Sourced, not run.

cfs=/sys/kernel/config/klab_blk

# cfs_dev NAME [ATTR VALUE]...: make a configfs device, set ATTRs, power it
# on and print its disk name
cfs_dev() {
	local d=$cfs/$1
	shift
	mkdir "$d" || fail "mkdir $d"
	while [ $# -gt 1 ]; do
		echo "$2" >"$d/$1" || fail "$1=$2"
		shift 2
	done
	echo 1 >"$d/power" || fail "power on $d"
	echo "klab_blk$(cat "$d/index")"
}

cfs_del() {
	echo 0 >"$cfs/$1/power" && rmdir "$cfs/$1"
}

# cfs_stat NAME KEY: one counter from the device's configfs stats
cfs_stat() {
	awk -v k="$2" '$1 == k { print $2 }' "$cfs/$1/stats"
}

# cfs_reset: remove the configfs devices a failed test may have left (they
# pin the module), then make sure chardev is loaded
cfs_reset() {
	local d

	for d in "$cfs"/*; do
		[ -d "$d" ] || continue
		echo 0 >"$d/power"
		rmdir "$d"
	done
	klab_load chardev
}
