#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Privileges of everything but generic netlink, for each module (all, or
# the ones named), loaded with its objects made (churn_drivers.sh's
# make_MODULE).  What the module added is found by comparing censuses
# (gauntlet_lib.sh), not listed: then an unprivileged user (setpriv, uid
# and gid 65534, no groups)
#   - writes every writable file of the module's sysfs and configfs
#     directories and /sys/module/MODULE: denied (EACCES or EPERM), and
#     the value read back by root is unchanged;
#   - makes a directory in, and removes every item of, its configfs dirs:
#     denied, nothing made or removed;
#   - opens its device nodes for writing: denied, except the nodes that
#     are world-writable by design (WORLD_WRITABLE below, with why), on
#     which every state-changing ioctl must fail (priv_ioctl.c).
#
#   privs.sh [MODULE...]
# shellcheck source=gauntlet_lib.sh
. "$(dirname "$0")/gauntlet_lib.sh"
# shellcheck source=churn_drivers.sh
. "$(dirname "$0")/churn_drivers.sh"

require_root

PRIV_IOCTL=$GAUNTLET_OUT/priv_ioctl
# Nodes any user may write, as /dev/null: chardev's scull and pipe
# devices are stores and FIFOs for everyone (modules/chardev/README.md:
# "mode 0666, privileged ioctls check CAP_SYS_ADMIN themselves").  Their
# writes are not privileged; their state-changing ioctls are checked.
WORLD_WRITABLE='^/dev/klab_(scull|pipe)[0-9]+$'
# Values the kernel itself moves: BQL's current limit follows every
# transmit completion (the stack's own IPv6 packets reach a new netdev at
# any time).  Their writes must still be refused; the value read back is
# not compared.
SELF_MOVING='/byte_queue_limits/limit$'

tmp=$(mktemp -d)
trap 'stop_users none; rm -rf "$tmp"' EXIT

# new_paths PREFIX: the census's new paths under PREFIX, resolved
new_paths() {
	awk -v p="$1" '$1 == "path" && index($2, p) == 1 { print $2 }' "$tmp/new" |
		xargs -r readlink -f | sort -u
}

# writable_files DIR...: the files some user may write, symlinks not followed
writable_files() {
	find "$@" -type f -perm /222 2>/dev/null | sort -u
}

# try_writes FILE...: as root, each FILE's value and a different one; as
# nobody, write that one; as root, compare.  Shell builtins only: under
# TCG each process costs tens of ms, and a module has a hundred files.
try_writes() {
	local f v new bad=0
	local -A was

	for f in "$@"; do
		v=
		read -r -n 256 v 2>/dev/null <"$f"
		was[$f]=$v
		if [[ $v =~ ^-?[0-9]+$ ]]; then new=$((v + 1)); else new=1; fi
		printf '%s\t%s\n' "$f" "$new"
	done >"$tmp/values"
	# one process for all files, its errors after a line naming the
	# file.  A write refused for another reason than the permission
	# (EINVAL for the value) passed the permission check: reported too.
	"${nobody[@]}" bash -c 'while IFS=$(printf "\t") read -r f new; do
		echo "TRY $f"
		{ printf "%s\n" "$new" >"$f"; } 2>&1 && echo WRITTEN
	done' <"$tmp/values" | awk '
		/^TRY / { f = substr($0, 5); next }
		$0 == "WRITTEN" { print f ": an unprivileged user wrote it"; next }
		!/Permission denied|Operation not permitted/ { print f ": not refused for the permission: " $0 }
	' >"$tmp/written"
	cat "$tmp/written"
	[ -s "$tmp/written" ] && bad=1
	for f in "$@"; do
		v=
		read -r -n 256 v 2>/dev/null <"$f"
		[ "$v" = "${was[$f]}" ] && continue
		if [[ $f =~ $SELF_MOVING ]]; then
			echo "$f: was '${was[$f]}', now '$v' (moved by the kernel: SELF_MOVING)"
			continue
		fi
		echo "$f: was '${was[$f]}', now '$v'"
		bad=1
	done
	echo "$# writable files tried"
	[ "$bad" = 0 ]
}

# try_configfs DIR...: nobody can make or remove configfs items
try_configfs() {
	local d bad=0

	for d in "$@"; do
		[ -d "$d" ] || continue
		if "${nobody[@]}" mkdir "$d/gauntlet_priv" 2>/dev/null; then
			echo "$d: nobody made an item"
			rmdir "$d/gauntlet_priv"
			bad=1
		fi
		# an item (a directory in a group) is removed with rmdir
		if "${nobody[@]}" rmdir "$d" 2>/dev/null; then
			echo "$d: nobody removed it"
			bad=1
		fi
	done
	[ "$bad" = 0 ]
}

# try_nodes NODE...: not writable by nobody, or world-writable by design
# and then its state-changing ioctls refused
try_nodes() {
	local n bad=0 open=()

	for n in "$@"; do
		if [[ $n =~ $WORLD_WRITABLE ]]; then
			echo "$n: world-writable by design (WORLD_WRITABLE): its ioctls are checked"
			open+=("$n")
		elif "${nobody[@]}" sh -c ': >>"$1"' _ "$n" 2>/dev/null; then
			echo "$n: nobody opened it for writing"
			bad=1
		else
			echo "$n: not writable by nobody"
		fi
	done
	if [ ${#open[@]} -gt 0 ]; then
		"${nobody[@]}" "$PRIV_IOCTL" "${open[@]}" || bad=1
	fi
	[ "$bad" = 0 ]
}

t_privs() {
	local mod=$1 files cfs nodes rc=0

	[ -x "$PRIV_IOCTL" ] || fail "missing $PRIV_IOCTL (make selftests)"
	gauntlet_baseline "$mod" "$tmp/before"
	klab_load "$mod" || fail "load $mod"
	"make_$mod"
	census >"$tmp/after"
	census_new "$tmp/before" "$tmp/after" >"$tmp/new"

	mapfile -t cfs < <(new_paths /sys/kernel/config/)
	# shellcheck disable=SC2046 # one path per word
	mapfile -t files < <(writable_files "/sys/module/$mod" \
		$(new_paths /sys/) "${cfs[@]}")
	mapfile -t nodes < <(new_paths /dev/)
	echo "$mod: ${#files[@]} writable files, ${#cfs[@]} configfs dirs, ${#nodes[@]} nodes"
	try_writes "${files[@]}" || rc=1
	# shellcheck disable=SC2046 # one path per word
	try_configfs $(find "${cfs[@]}" -type d 2>/dev/null) || rc=1
	try_nodes "${nodes[@]}" || rc=1
	stop_users "$mod"
	klab_unload "$mod" || fail "unload $mod"
	[ "$rc" = 0 ] || fail "$mod: an unprivileged user changed something"
}

mapfile -t mods < <(gauntlet_modules "$@")
ktap_plan "${#mods[@]}"
for m in "${mods[@]}"; do
	ktap_run "$m: unprivileged writes, configfs and ioctls refused" t_privs "$m"
done
ktap_finish
