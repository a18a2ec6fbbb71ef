#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Show that a module's detectors fail on planted bugs.  Each NAME.patch in
# selftests/MODULE/plants/ plants one bug ("Plant:") and names the
# selftests of selftests/MODULE, with their arguments, that must catch it
# ("Detectors:", separated by ";").  Plants in different features can go
# into one build and one VM boot; the failing test cases then say which
# plant each detector caught.  A detector "splat-gate CMD..." runs CMD and
# catches its plant when the VM's splat gate fails the run (vm-run's exit
# 125: a WARN, BUG or Oops; the VM panics on it, so such a plant goes into
# a boot of its own).
#
#   selftests/lib/plants.sh MODULE NAME...	(NAME: a patch without .patch)
#
# The tree and its build (klabctl, the selftests, the VM's initramfs) are
# copied to a scratch directory, the patches applied there, the module
# alone rebuilt, with any other module a patch touches (selftests/gauntlet
# has no module of its own; klabctl is not rebuilt: a plant in
# modules/core/ reaches the module, not the simulator), and every named
# detector run in selftests/MODULE in one VM boot
# of the copy.  The worktree is not touched, so a VM of its own may run
# meanwhile.  Prints the detectors' output and one line per detector,
# "caught" (it failed) "MISSED" (it passed or skipped) or "NOT RUN" (the
# VM failed), then one line per plant and detector for tables:
# "plants: result MODULE/NAME<tab>DETECTOR<tab>caught|MISSED|NOT RUN".
# Exits 0 if every detector caught its plant.
#
#   KLAB_PLANT_DIR	scratch directory (default: a new one under /tmp,
#			removed at the end)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=scripts/splat.sh
. "$root/scripts/splat.sh"	# splat_find

[ $# -gt 1 ] || { sed -n '3,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2; }
mod=$1
shift
here=$root/selftests/$mod/plants

work=${KLAB_PLANT_DIR:-}
if [ -n "$work" ]; then
	mkdir -p "$work"
else
	work=$(mktemp -d /tmp/klab-plant.XXXXXX)
	trap 'rm -rf "$work"' EXIT
fi

echo "plants: copying $root to $work" >&2
tar -C "$root" --exclude=./.git --exclude=./build/userspace \
	--exclude=./build/vm/out --exclude=./build/vm/last -cf - . |
	tar -C "$work" -xf -

declare -a dets=()
declare -A owner=()	# detector -> the plants naming it
declare -A build=()	# the modules to rebuild
[ -d "$root/modules/$mod" ] && build[$mod]=1
for name in "$@"; do
	p=$here/$name.patch
	[ -f "$p" ] || { echo "plants: no $p" >&2; exit 2; }
	echo "plants: $name: $(sed -n 's/^Plant: //p' "$p")" >&2
	patch -d "$work" -p1 -s <"$p"
	# modules/core and modules/common are built into the modules
	while read -r m; do
		[[ $m == core || $m == common ]] || build[$m]=1
	done < <(sed -n 's|^+++ b/modules/\([^/]*\)/.*|\1|p' "$p")
	IFS=';' read -ra d <<<"$(sed -n 's/^Detectors: //p' "$p")"
	for x in "${d[@]}"; do
		x=$(echo "$x" | xargs)
		[[ " ${dets[*]/%/|} " == *" $x|"* ]] || dets+=("$x")
		owner[$x]+="$name "
	done
done

# those modules alone, with the include paths of the top Kbuild
[ ${#build[@]} -gt 0 ] || { echo "plants: no module to build" >&2; exit 2; }
kdir=$("$root/scripts/kdir")
grep -v '^obj-m' "$root/Kbuild" >"$work/Kbuild"
printf 'obj-m += modules/%s/\n' "${!build[@]}" >>"$work/Kbuild"
echo "plants: building ${!build[*]}" >&2
make -s -C "$kdir" M="$work" CONFIG_DEBUG_INFO_BTF_MODULES= modules >&2

cmd=""
for x in "${dets[@]}"; do
	cmd+="echo \"plants: detector '$x' begins\"; ./${x#splat-gate }; "
	cmd+="echo \"plants: detector '$x' exit \$?\"; "
done
kver=$(sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' "$kdir/include/generated/utsrelease.h")
set +e
# a loaded host may take minutes to boot the VM under TCG
VM_BOOT_TIMEOUT=${VM_BOOT_TIMEOUT:-900} KLAB_KVER=$kver \
	"$work/scripts/vm-run" -q -t 3600 -- "cd selftests/$mod && $cmd" |
	tee "$work/plants.log"
vm_rc=${PIPESTATUS[0]}
echo "plants: vm-run exit $vm_rc"
set -e

# result DETECTOR VERDICT: the table line of each plant naming DETECTOR
result() {
	local name

	for name in ${owner[$1]}; do
		printf 'plants: result %s/%s\t%s\t%s\n' "$mod" "$name" "$1" "$2"
	done
}

rc=0
results=()
for x in "${dets[@]}"; do
	# literal matches: a detector may be a path (../../build/...)
	st=$(awk -v p="plants: detector '$x' exit " \
		'index($0, p) == 1 { print substr($0, length(p) + 1) }' "$work/plants.log")
	if [[ $x == "splat-gate "* ]]; then
		if [ "$vm_rc" = 125 ]; then
			echo "plants: caught by $x (the splat gate, vm-run exit 125):"
			splat_find "$work/build/vm/last/console.log" |
				sed 's/^/plants:   /' || true
			results+=("$(result "$x" caught)")
		else
			echo "plants: MISSED by $x (vm-run exit $vm_rc, no splat)"
			results+=("$(result "$x" MISSED)")
			rc=1
		fi
	elif [ -z "$st" ]; then
		echo "plants: NOT RUN: $x (see vm-run's exit above)"
		results+=("$(result "$x" "NOT RUN")")
		rc=1
	elif [ "$st" != 0 ] && [ "$st" != 4 ]; then	# 4: KSFT_SKIP
		echo "plants: caught by $x (exit $st):"
		awk -v b="plants: detector '$x' begins" -v e="plants: detector '$x' exit" \
			'index($0, b) == 1 { on = 1 } on { print } index($0, e) == 1 { on = 0 }' \
			"$work/plants.log" | { grep '^not ok' || true; } | sed 's/^/plants:   /'
		results+=("$(result "$x" caught)")
	else
		echo "plants: MISSED by $x (exit ${st:-none})"
		results+=("$(result "$x" MISSED)")
		rc=1
	fi
done
printf '%s\n' "${results[@]}"
exit $rc
