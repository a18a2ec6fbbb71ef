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
# netdev_igb_like; over 40 cycles (2026-12-06) it read 29, 55, 44, 31
# and 53 MB after cycles 1, 10, 20, 30 and 40 of netdev_igb_like: noise,
# not a leak, which would only grow.  KERNEL_NOISE_KIB is
# twice the largest: it catches a leak of 5 MB a cycle in make check and
# of 240 KB a cycle in 200 cycles (KLAB_STRESS=1).  The census, not
# this figure, is the precise check of what a module leaves behind, with
# the named parts of the kernel's memory (kernel_parts: slab after a
# shrink, vmalloc, per-CPU, stacks, page tables), which are quiet enough
# for a tight bound.
# shellcheck source=gauntlet_lib.sh
. "$(dirname "$0")/gauntlet_lib.sh"
# shellcheck source=churn_drivers.sh
. "$(dirname "$0")/churn_drivers.sh"

require_root

CYCLES=${CHURN_CYCLES:-$(gauntlet_scale 10 200)}
# KiB: twice the largest growth measured over 10 cycles (see above)
KERNEL_NOISE_KIB=${KERNEL_NOISE_KIB:-49152}
# KiB: the named parts (kernel_parts) moved by under 200 KiB over 40
# cycles of netdev_igb_like and of chardev (2026-12-06, TCG, host load
# 12-16); twenty times that catches a slab leak of 400 KB a cycle in
# make check and of 20 KB a cycle in 200 cycles
PARTS_NOISE_KIB=${PARTS_NOISE_KIB:-4096}
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
	local mod=$1 t0=$SECONDS held1 free1 held free parts1 parts

	if declare -F "hold_$mod" >/dev/null; then "hold_$mod"; fi
	gauntlet_baseline "$mod" "$tmp/before"
	for ((cycle = 1; cycle <= CYCLES; cycle++)); do
		one_cycle "$mod"
		if [ "$cycle" = 1 ]; then
			read -r held1 free1 < <(kernel_kib)
			parts1=$(kernel_parts)
		fi
		if ((cycle % 10 == 0 || cycle == CYCLES)); then
			read -r held free < <(kernel_kib)
			parts=$(kernel_parts)
			echo "churn: $mod: $cycle/$CYCLES cycles, $((SECONDS - t0)) s," \
				"rmmod refused $rmmod_busy times, kernel-held $held KiB"
		fi
	done
	# the last cycle's progress line took the final reading
	[ -n "$held1" ] && [ -n "$held" ] || fail "no reading of /proc/meminfo"
	census_unchanged "$tmp/before" "$mod"
	if declare -F "release_$mod" >/dev/null; then "release_$mod"; fi
	echo "churn: $mod: after cycle 1 and $CYCLES: MemFree $free1, $free KiB;" \
		"kernel-held $held1, $held KiB: grew $((held - held1)) KiB (bound $KERNEL_NOISE_KIB)"
	echo "churn: $mod: after cycle 1: $parts1"
	echo "churn: $mod: after cycle $CYCLES: $parts"
	[ $((held - held1)) -le "$KERNEL_NOISE_KIB" ] ||
		fail "$mod: the kernel holds $((held - held1)) KiB more after $((CYCLES - 1)) cycles"
	[ $((${parts%% *} - ${parts1%% *})) -le "$PARTS_NOISE_KIB" ] ||
		fail "$mod: slab, vmalloc, per-CPU, stacks and page tables grew by" \
			"$((${parts%% *} - ${parts1%% *})) KiB after $((CYCLES - 1)) cycles"
}

mapfile -t mods < <(gauntlet_modules "$@")
ktap_plan "${#mods[@]}"
for m in "${mods[@]}"; do
	ktap_run "churn $m: $CYCLES load/drive/unload cycles" churn_module "$m"
done
ktap_finish
