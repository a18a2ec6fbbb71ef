#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fuzz every device node a module makes (fops_fuzz.c): for each module
# (all, or the ones named), the nodes are those that appear in /dev when
# it is loaded and its objects made (churn_drivers.sh's make_MODULE), not
# a list.  A module that imports none of the functions a device number
# comes from (NODE_APIS) cannot make a node: it is skipped before any
# load; one that imports one of them and makes no node fails.  Every
# call returns (fops_fuzz's deadline), no splat (the VM's gate), and the
# module then unloads and leaves nothing behind (census).
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

# The exported functions a device number comes from: devtmpfs makes a
# node only for a device that has one.  A module making nodes through a
# subsystem that numbers its devices itself (tty, input, uio...) would
# need that subsystem's registration added here: no klab module does.
NODE_APIS=(__register_chrdev register_chrdev_region alloc_chrdev_region
	misc_register __register_blkdev device_add_disk)

# imports_of MODULE...: "MODULE SYMBOL" for every symbol the modules'
# .ko files import, in one nm (a process costs seconds under TCG)
imports_of() {
	local m kos=()

	for m in "$@"; do kos+=("$KLAB_ROOT/modules/$m/$m.ko"); done
	nm -u -A "${kos[@]}" | awk '{ n = split($1, p, "/"); print p[n - 1], $NF }'
}

# node_apis MODULE: the functions of NODE_APIS that MODULE's .ko imports
# (from $tmp/imports)
node_apis() {
	awk -v m="$1" -v apis="${NODE_APIS[*]}" 'BEGIN { split(apis, a, " ")
		for (i in a) want[a[i]] = 1 }
		$1 == m && want[$2] { printf "%s ", $2 }' "$tmp/imports"
}

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
	local mod=$1 apis

	grep -q "^$mod " "$tmp/imports" || fail "no imports of $mod read (nm)"
	apis=$(node_apis "$mod")
	apis=${apis% }
	if [ -z "$apis" ]; then
		echo "$mod makes no device node"
		echo "(it imports none of: ${NODE_APIS[*]})"
		exit "$KSFT_SKIP"
	fi
	gauntlet_baseline "$mod" "$tmp/before"
	device_nodes >"$tmp/nodes0"
	klab_load "$mod" || fail "load $mod"
	"make_$mod"
	device_nodes | comm -13 "$tmp/nodes0" - >"$tmp/nodes"
	if [ ! -s "$tmp/nodes" ]; then
		stop_users "$mod"
		klab_unload "$mod"
		fail "$mod imports $apis but made no device node"
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
imports_of "${mods[@]}" >"$tmp/imports"
ktap_plan $((${#mods[@]} + 1))
ktap_run "every ioctl of the uAPI headers is fuzzed" t_table_complete
for m in "${mods[@]}"; do
	ktap_run "fuzz $m's device nodes" t_fuzz_module "$m"
done
ktap_finish
