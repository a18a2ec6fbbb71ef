#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Show that a module's detectors fail on planted bugs.  Each NAME.patch in
# selftests/MODULE/plants/ plants one bug ("Plant:") and names the
# selftests of selftests/MODULE, with their arguments, that must catch it
# ("Detectors:", separated by ";").  Plants in different features can go
# into one build and one VM boot; the failing test cases then say which
# plant each detector caught.
#
#   selftests/lib/plants.sh MODULE NAME...	(NAME: a patch without .patch)
#
# The tree and its build (klabctl, the selftests, the VM's initramfs) are
# copied to a scratch directory, the patches applied there, the module
# alone rebuilt (klabctl is not: a plant in modules/core/ reaches the
# module, not the simulator), and every named detector run in one VM boot
# of the copy.  The worktree is not touched, so a VM of its own may run
# meanwhile.  Prints the detectors' output and one line per detector,
# "caught" (it failed, or the VM's splat gate stopped the kernel while it
# ran) "MISSED" (it passed or skipped) or "NOT RUN" (the VM failed); exits
# 0 if every detector caught its plant.  MODULE may be a collection that
# is not a module (gauntlet): the modules its patches touch are built.
#
#   KLAB_PLANT_DIR	scratch directory (default: a new one under /tmp,
#			removed at the end)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

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
for name in "$@"; do
	p=$here/$name.patch
	[ -f "$p" ] || { echo "plants: no $p" >&2; exit 2; }
	echo "plants: $name: $(sed -n 's/^Plant: //p' "$p")" >&2
	patch -d "$work" -p1 -s <"$p"
	IFS=';' read -ra d <<<"$(sed -n 's/^Detectors: //p' "$p")"
	for x in "${d[@]}"; do
		x=$(echo "$x" | xargs)
		[[ " ${dets[*]/%/|} " == *" $x|"* ]] || dets+=("$x")
	done
done

# the module alone, with the include paths of the top Kbuild; for a
# collection that is not a module (gauntlet), the modules its patches touch
mods=$mod
if [ ! -d "$root/modules/$mod" ]; then
	mods=$(for name in "$@"; do
		sed -n 's#^+++ b/modules/\([^/]*\)/.*#\1#p' "$here/$name.patch"
	done | sort -u | xargs)
fi
kdir=$("$root/scripts/kdir")
grep -v '^obj-m' "$root/Kbuild" >"$work/Kbuild"
for m in $mods; do
	echo "obj-m += modules/$m/" >>"$work/Kbuild"
done
echo "plants: building $mods" >&2
make -s -C "$kdir" M="$work" CONFIG_DEBUG_INFO_BTF_MODULES= modules >&2

cmd=""
for x in "${dets[@]}"; do
	cmd+="echo \"plants: detector '$x' begins\"; ./$x; "
	cmd+="echo \"plants: detector '$x' exit \$?\"; "
done
kver=$(sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' "$kdir/include/generated/utsrelease.h")
set +e
# a loaded host may take minutes to boot the VM under TCG
VM_BOOT_TIMEOUT=${VM_BOOT_TIMEOUT:-900} KLAB_KVER=$kver \
	"$work/scripts/vm-run" -q -t 3600 -- "cd selftests/$mod && $cmd" |
	tee "$work/plants.log"
vmrc=${PIPESTATUS[0]}
echo "plants: vm-run exit $vmrc"
set -e

rc=0
for x in "${dets[@]}"; do
	# literal matches: a detector may be a path (../../build/...)
	st=$(awk -v p="plants: detector '$x' exit " \
		'index($0, p) == 1 { print substr($0, length(p) + 1) }' "$work/plants.log")
	if [ -z "$st" ] && [ "$vmrc" = 125 ] &&
		grep -qF "plants: detector '$x' begins" "$work/plants.log"; then
		# panic_on_warn: the kernel stopped while $x ran
		echo "plants: caught by the splat gate (vm-run exit 125) while $x ran"
	elif [ -z "$st" ]; then
		echo "plants: NOT RUN: $x (see vm-run's exit above)"
		rc=1
	elif [ "$st" != 0 ] && [ "$st" != 4 ]; then	# 4: KSFT_SKIP
		echo "plants: caught by $x (exit $st):"
		awk -v b="plants: detector '$x' begins" -v e="plants: detector '$x' exit" \
			'index($0, b) == 1 { on = 1 } on { print } index($0, e) == 1 { on = 0 }' \
			"$work/plants.log" | grep '^not ok' | sed 's/^/plants:   /'
	else
		echo "plants: MISSED by $x (exit ${st:-none})"
		rc=1
	fi
done
exit $rc
