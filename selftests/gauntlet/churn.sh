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
# and MemFree is back within the noise bound.
#
#   churn.sh [MODULE...]    10 cycles each; 200 with KLAB_STRESS=1
#   CHURN_CYCLES=N          N cycles instead
#
# MemFree noise: every reading follows sync and drop_caches, with the
# module unloaded; the reference is the reading after cycle 1 (the first
# load has faulted in klabctl, the dependencies' lazily made objects and
# the per-CPU page lists), compared with the reading after the last
# cycle.  The drop between them is noise from the per-CPU page lists
# (pcp high marks: hundreds of pages per CPU), partly filled kmalloc
# slabs and the kernel log; measured under TCG with 2 vCPUs, 10 cycles:
# see MEMFREE_NOISE_KIB below.  A leak of one 4 KiB page per object made
# in a cycle (hundreds of objects) exceeds it within ten cycles.
# shellcheck source=gauntlet_lib.sh
. "$(dirname "$0")/gauntlet_lib.sh"
# shellcheck source=churn_drivers.sh
. "$(dirname "$0")/churn_drivers.sh"

require_root

CYCLES=${CHURN_CYCLES:-$(gauntlet_scale 10 200)}
# KiB: the largest drop measured with 10 and 200 cycles of every module,
# times 2 (the measurements are in the gauntlet's README section)
MEMFREE_NOISE_KIB=${MEMFREE_NOISE_KIB:-4096}
# time for the work to get going before rmmod (seconds)
DRIVE_S=0.3

tmp=$(mktemp -d)
trap 'stop_users none; rm -rf "$tmp"' EXIT

# one_cycle MODULE: load, make, drive, unload under the work
one_cycle() {
	klab_load "$1" || fail "load $1 (cycle $cycle)"
	"make_$1"
	"drive_$1"
	sleep "$DRIVE_S"
	rmmod_active "$1" stop_users "$1"
	stop_users "$1"
	! klab_loaded "$1" || fail "$1 still loaded after rmmod"
}

churn_module() {
	local mod=$1 t0=$SECONDS mem1 memn

	declare -F "make_$mod" "drive_$mod" >/dev/null ||
		fail "no churn entry for $mod: add make_$mod and drive_$mod to churn_drivers.sh"
	klab_unload "$mod" || fail "unload $mod before the first cycle"
	"$KLAB_ROOT/scripts/modules" deps "$mod" || fail "dependencies of $mod"
	census >"$tmp/before"
	for ((cycle = 1; cycle <= CYCLES; cycle++)); do
		one_cycle "$mod"
		[ "$cycle" = 1 ] && mem1=$(memfree_kib)
		if ((cycle % 10 == 0 || cycle == CYCLES)); then
			echo "churn: $mod: $cycle/$CYCLES cycles, $((SECONDS - t0)) s," \
				"rmmod refused $rmmod_busy times"
		fi
	done
	memn=$(memfree_kib)
	census >"$tmp/after"
	census_new "$tmp/before" "$tmp/after" >"$tmp/left"
	if [ -s "$tmp/left" ]; then
		sed 's/^/left behind: /' "$tmp/left"
		fail "$mod left objects behind"
	fi
	echo "churn: $mod: MemFree after cycle 1 $mem1 KiB, after cycle $CYCLES $memn KiB," \
		"drop $((mem1 - memn)) KiB (bound $MEMFREE_NOISE_KIB)"
	[ $((mem1 - memn)) -le "$MEMFREE_NOISE_KIB" ] ||
		fail "$mod: MemFree dropped $((mem1 - memn)) KiB in $((CYCLES - 1)) cycles"
}

mapfile -t mods < <(gauntlet_modules "$@")
ktap_plan "${#mods[@]}"
for m in "${mods[@]}"; do
	ktap_run "churn $m: $CYCLES load/drive/unload cycles" churn_module "$m"
done
ktap_finish
