#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Load, drive, unload while active: for each module (all of
# `scripts/modules list`, or the ones named), N cycles of insmod, its
# objects made and real work started (churn_drivers.sh), and rmmod while
# the work runs.  rmmod may refuse (EBUSY) while a user holds the module;
# the users are then stopped and rmmod retried.  A hang or a splat (the
# VM's gate) fails.  After the last cycle nothing of the module is left:
# the census (gauntlet_lib.sh: slab caches, IRQs, nodes, sysfs, configfs,
# /proc, netdevs) equals the one taken with only its dependencies loaded,
# and the memory the kernel holds is back within the noise bound.
#
#   churn.sh [MODULE...]    10 cycles each; 200 with KLAB_STRESS=1
#   CHURN_CYCLES=N          N cycles instead
#
# Memory: every reading follows sync and drop_caches, with the module
# unloaded, after cycle 1 (the first load faulted in klabctl and the
# dependencies' lazily made objects) and after the last cycle.  MemFree
# is printed but not checked: between two such readings in the VM it
# moved by up to 36 MB either way (the 9p root's page cache, the
# overlay's tmpfs, processes that ran).  Checked is what the kernel holds
# that no drop gives back (gauntlet_lib.sh's kernel_kib), but that is
# noisy too: over 10 cycles under TCG (2 vCPUs, host load 10-14) it grew
# 2.8 MB with rcu_demo, shrank 12.9 MB with chardev and grew 23 MB with
# netdev_igb_like (page pools hand their pages back up to seconds after
# the unload; not shown to be noise or a leak).  KERNEL_NOISE_KIB is
# twice the largest: it catches a leak of 5 MB a cycle in make check and
# of 240 KB a cycle in 200 cycles (KLAB_STRESS=1).  The census, not
# this figure, is the precise check of what a module leaves behind.
# shellcheck source=gauntlet_lib.sh
. "$(dirname "$0")/gauntlet_lib.sh"
# shellcheck source=churn_drivers.sh
. "$(dirname "$0")/churn_drivers.sh"

require_root

CYCLES=${CHURN_CYCLES:-$(gauntlet_scale 10 200)}
# KiB: twice the largest growth measured over 10 cycles (see above)
KERNEL_NOISE_KIB=${KERNEL_NOISE_KIB:-49152}
# time for the work to get going before rmmod (seconds)
DRIVE_S=0.3

tmp=$(mktemp -d)
trap 'stop_users none; rm -rf "$tmp"' EXIT

# one_cycle MODULE: load, make, drive, unload under the work
one_cycle() {
	# the dependencies are loaded: insmod alone (a process less is
	# tens of ms under TCG)
	insmod "$KLAB_ROOT/modules/$1/$1.ko" || fail "load $1 (cycle $cycle)"
	"make_$1"
	"drive_$1"
	sleep "$DRIVE_S"
	rmmod_active "$1" stop_users "$1"
	stop_users "$1"
	! klab_loaded "$1" || fail "$1 still loaded after rmmod"
}

churn_module() {
	local mod=$1 t0=$SECONDS held1 free1 held free

	gauntlet_baseline "$mod" "$tmp/before"
	for ((cycle = 1; cycle <= CYCLES; cycle++)); do
		one_cycle "$mod"
		[ "$cycle" = 1 ] && read -r held1 free1 < <(kernel_kib)
		if ((cycle % 10 == 0 || cycle == CYCLES)); then
			echo "churn: $mod: $cycle/$CYCLES cycles, $((SECONDS - t0)) s," \
				"rmmod refused $rmmod_busy times"
		fi
	done
	read -r held free < <(kernel_kib)
	[ -n "$held1" ] && [ -n "$held" ] || fail "no reading of /proc/meminfo"
	census_unchanged "$tmp/before" "$mod"
	echo "churn: $mod: after cycle 1 and $CYCLES: MemFree $free1, $free KiB;" \
		"kernel-held $held1, $held KiB: grew $((held - held1)) KiB (bound $KERNEL_NOISE_KIB)"
	[ $((held - held1)) -le "$KERNEL_NOISE_KIB" ] ||
		fail "$mod: the kernel holds $((held - held1)) KiB more after $((CYCLES - 1)) cycles"
}

mapfile -t mods < <(gauntlet_modules "$@")
ktap_plan "${#mods[@]}"
for m in "${mods[@]}"; do
	ktap_run "churn $m: $CYCLES load/drive/unload cycles" churn_module "$m"
done
ktap_finish
