#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers of the gauntlet's shell tests: which modules, how much work
# (short in make check, long with KLAB_STRESS=1), and a census of what
# the kernel shows userspace, to find what a module made and what it left
# behind.  Sourced, not run.

# shellcheck source=../lib/klab.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/klab.sh"

GAUNTLET_OUT=${GAUNTLET_OUT:-$KLAB_ROOT/build/selftests/gauntlet}
# shellcheck disable=SC2034 # used by the scripts that source this file
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)

# gauntlet_scale SHORT LONG: SHORT, or LONG under KLAB_STRESS=1
gauntlet_scale() {
	if [ "${KLAB_STRESS:-0}" = 1 ]; then echo "$2"; else echo "$1"; fi
}

# gauntlet_modules [MODULE...]: the arguments, or every module in load order
gauntlet_modules() {
	if [ $# -gt 0 ]; then
		printf '%s\n' "$@"
	else
		"$KLAB_ROOT/scripts/modules" list
	fi
}

# census: one line per object the kernel shows: slab caches (with SLUB's
# merged aliases), IRQ actions, device nodes, class devices, disks,
# netdevs, configfs and /proc entries, kernel sysfs dirs, loaded modules.
# Counters are left out, so two censuses of an idle kernel are equal.
census() {
	local f

	awk 'NR > 2 { print "slabinfo", $1 }' /proc/slabinfo
	for f in /sys/kernel/slab/*; do echo "slab ${f##*/}"; done
	# "N: counts... chip hwirq-info action": everything but N and counts
	awk '$1 ~ /^[0-9]+:$/ {
		s = ""
		for (i = 2; i <= NF; i++) if ($i !~ /^[0-9]+$/ || s != "") s = s " " $i
		print "irq" s
	}' /proc/interrupts
	find /dev /sys/kernel/config /proc/net /proc/sys/net -mindepth 1 -maxdepth 2 \
		-not -path '/dev/pts/*' -not -path '/dev/shm/*' 2>/dev/null | sed 's/^/path /'
	for f in /sys/class/*/* /sys/block/* /sys/bus/*/devices/* /sys/kernel/* \
		/sys/devices/virtual/*/* /proc/[a-z]*; do
		echo "path $f"
	done
	for f in /sys/module/*; do
		[ -e "$f/initstate" ] && echo "module ${f##*/}"
	done
}

# census_new BEFORE AFTER: the lines of census AFTER not in census BEFORE
census_new() {
	sort "$1" >"$1.s"
	sort "$2" >"$2.s"
	comm -13 "$1.s" "$2.s"
}

# gauntlet_baseline MODULE FILE: MODULE unloaded, its dependencies
# loaded, and their census in FILE: what MODULE makes or leaves behind is
# what a later census has more.  MODULE must have an entry (make_MODULE,
# drive_MODULE) in churn_drivers.sh.
gauntlet_baseline() {
	local mod=$1

	declare -F "make_$mod" "drive_$mod" >/dev/null ||
		fail "no entry for $mod: add make_$mod and drive_$mod to churn_drivers.sh"
	klab_unload "$mod" || fail "unload $mod"
	"$KLAB_ROOT/scripts/modules" deps "$mod" || fail "dependencies of $mod"
	census >"$2"
}

# census_unchanged BEFORE MODULE: a census now has nothing BEFORE has
# not, or the lines it has more are printed and MODULE fails
census_unchanged() {
	census >"$1.after"
	census_new "$1" "$1.after" >"$1.left"
	if [ -s "$1.left" ]; then
		sed 's/^/left behind: /' "$1.left"
		fail "$2 left objects behind"
	fi
}

# kernel_kib: "HELD FREE": memory the kernel holds that no cache drop gives back:
# MemTotal less MemFree, the page cache (with tmpfs, the guest's overlay)
# and buffers, reclaimable slab and the processes' anonymous pages, after
# dropping the page cache and reclaimable slab.  MemFree alone moves by
# tens of MB between two idle readings in the VM (the 9p root's cache,
# the overlay's tmpfs, processes that ran); a module's leaked pages,
# slab objects and vmalloc areas stay in this figure.  FREE: MemFree.
kernel_kib() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	awk '{ m[$1] = $2 } END {
		held = m["MemTotal:"] - m["MemFree:"] - m["Cached:"] - m["Buffers:"]
		print held - m["SReclaimable:"] - m["AnonPages:"], m["MemFree:"]
	}' /proc/meminfo
}

# kernel_parts: "SUM Name value...": the parts of kernel_kib's figure that
# /proc/meminfo names (KiB), read right after kernel_kib, and their sum.
# Every slab cache is shrunk first (its empty slabs and per-CPU partial
# lists given back), so SUnreclaim is the pages live objects sit on.
# Unlike kernel_kib's whole figure, which moved by +-12 MB between
# readings in 40 idle-to-idle churn cycles (pages of no named kind:
# per-CPU page lists, page pools, page fragment caches), these moved by
# under 200 KiB in total over the same cycles: a leaked slab object,
# vmalloc area, per-CPU block or thread stack shows here.
kernel_parts() {
	local f

	for f in /sys/kernel/slab/*/shrink; do
		echo 1 >"$f"
	done 2>/dev/null
	awk '$1 ~ /^(SUnreclaim|VmallocUsed|Percpu|KernelStack|PageTables):$/ {
		sum += $2; s = s " " $1 " " $2 } END { print sum s }' /proc/meminfo
}

# rmmod_active MODULE STOP...: unload MODULE while its users run.  rmmod
# fails with EBUSY while a user holds a reference (an open node, a
# configfs item); then the command STOP ends the users and rmmod is
# retried.
# A hang is a failure (60 s: TCG under load takes seconds, not minutes).
# Counts the refused first tries in rmmod_busy.
rmmod_busy=0
rmmod_active() {
	local mod=$1 i
	shift

	timeout 60 rmmod "$mod" 2>/dev/null && return 0
	[ $? = 124 ] && fail "rmmod $mod hung for 60 s"
	rmmod_busy=$((rmmod_busy + 1))
	"$@"
	for i in 1 2 3 4 5; do
		klab_loaded "$mod" || return 0
		timeout 60 rmmod "$mod" && return 0
		[ $? = 124 ] && fail "rmmod $mod hung for 60 s"
		sleep 0.$((i * 2))
	done
	fail "rmmod $mod: in use (refcnt $(cat "/sys/module/$mod/refcnt")) after its users stopped"
}
