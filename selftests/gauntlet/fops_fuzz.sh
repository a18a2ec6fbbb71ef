#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fuzz every device node a module makes (fops_fuzz.c): for each module
# (all, or the ones named), the nodes are those that appear in /dev when
# it is loaded and its objects made (churn_drivers.sh's make_MODULE), not
# a list.  Every call returns (fops_fuzz's deadline), no splat (the VM's
# gate), and the module then unloads and leaves nothing behind (census).
# And every ioctl of include/uapi/klab/*.h is in the fuzzer's table.
#
#   fops_fuzz.sh [MODULE...]   3000 calls per node; 100 times as many with
#                              KLAB_STRESS=1
#   FUZZ_SEED=N                replay a run (its seed is printed)
# shellcheck source=gauntlet_lib.sh
. "$(dirname "$0")/gauntlet_lib.sh"
# shellcheck source=churn_drivers.sh
. "$(dirname "$0")/churn_drivers.sh"

require_root

FUZZ=$GAUNTLET_OUT/fops_fuzz
CALLS=$(gauntlet_scale 3000 300000)
SEED=${FUZZ_SEED:-$(date +%s)}
tmp=$(mktemp -d)
trap 'stop_users none; rm -rf "$tmp"' EXIT

# device_nodes: the character and block nodes under /dev
device_nodes() {
	find /dev \( -type c -o -type b \) | sort
}

t_table_complete() {
	local name missing=0

	[ -x "$FUZZ" ] || fail "missing $FUZZ (make selftests)"
	"$FUZZ" -l >"$tmp/known"
	for name in $(sed -n 's/^#define[ \t]\+\([A-Z0-9_]\+\)[ \t]\+_IO[RW]*(.*/\1/p' \
		"$KLAB_ROOT"/include/uapi/klab/*.h); do
		grep -qx "$name" "$tmp/known" && continue
		echo "$name is not in klab_ioctls.h"
		missing=1
	done
	echo "$(wc -l <"$tmp/known") ioctls known"
	[ "$missing" = 0 ] || fail "add the ioctls above to klab_ioctls.h"
}

t_fuzz_module() {
	local mod=$1

	gauntlet_baseline "$mod" "$tmp/before"
	device_nodes >"$tmp/nodes0"
	klab_load "$mod" || fail "load $mod"
	"make_$mod"
	device_nodes | comm -13 "$tmp/nodes0" - >"$tmp/nodes"
	if [ ! -s "$tmp/nodes" ]; then
		echo "$mod makes no device node"
		stop_users "$mod"
		klab_unload "$mod" || fail "unload $mod"
		exit "$KSFT_SKIP"
	fi
	echo "$mod's nodes: $(tr '\n' ' ' <"$tmp/nodes")"
	# shellcheck disable=SC2046 # one argument per node
	"$FUZZ" -s "$SEED" -n "$CALLS" -t "$(gauntlet_scale 60 3000)" \
		$(cat "$tmp/nodes") || fail "fuzzing $mod's nodes (seed $SEED)"
	rmmod_active "$mod" stop_users "$mod"
	stop_users "$mod"
	census_unchanged "$tmp/before" "$mod"
}

mapfile -t mods < <(gauntlet_modules "$@")
ktap_plan $((${#mods[@]} + 1))
ktap_run "every ioctl of the uAPI headers is fuzzed" t_table_complete
for m in "${mods[@]}"; do
	ktap_run "fuzz $m's device nodes" t_fuzz_module "$m"
done
ktap_finish
