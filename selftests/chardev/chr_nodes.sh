#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The character devices as userspace finds them: nodes on devtmpfs whose
# st_rdev matches /sys/class/klab/<dev>/dev, the major in /proc/devices,
# one value per sysfs file, the module parameters, /sys/dev's links into
# /sys/devices, and dispatch by dev_t (ENXIO for a minor with no cdev).
# shellcheck source=../lib/klab.sh
. "$(dirname "$0")/../lib/klab.sh"

require_root

t_nodes_match_sysfs() {
	local sys name major minor rdev n=0

	klab_load chardev || fail "cannot load chardev"
	for sys in /sys/class/klab/klab_scull* /sys/class/klab/klab_pipe*; do
		name=$(basename "$sys")
		[ -c "/dev/$name" ] || fail "/dev/$name is not a character device"
		IFS=: read -r major minor <"$sys/dev"
		rdev=$(stat -c '%t:%T' "/dev/$name")
		[ "$rdev" = "$(printf '%x:%x' "$major" "$minor")" ] ||
			fail "/dev/$name is $rdev, sysfs says $major:$minor"
		n=$((n + 1))
	done
	[ "$n" -eq $(($(cat /sys/module/chardev/parameters/nr_scull) + \
		$(cat /sys/module/chardev/parameters/nr_pipe))) ] ||
		fail "$n devices in /sys/class/klab"
	# devtmpfs made them
	[ "$(stat -f -c %T /dev)" = tmpfs ] || fail "/dev is not devtmpfs"
	grep -qw devtmpfs /proc/mounts || fail "no devtmpfs mounted"
}

t_proc_devices_lists_major() {
	local major

	klab_load chardev || fail "cannot load chardev"
	major=$(cut -d: -f1 /sys/class/klab/klab_scull0/dev)
	grep -qx "$major klab" /proc/devices ||
		fail "major $major not in /proc/devices"
}

t_nodes_follow_parameters() {
	klab_unload chardev || fail "cannot unload chardev"
	insmod "$(klab_ko chardev)" nr_scull=1 nr_pipe=3 ||
		fail "insmod with parameters failed"
	if [ ! -c /dev/klab_scull0 ] || [ -e /dev/klab_scull1 ] ||
		[ ! -c /dev/klab_pipe2 ]; then
		fail "wrong set of nodes"
	fi
	klab_unload chardev || fail "cannot unload chardev"
	[ ! -e /dev/klab_scull0 ] || fail "nodes outlive the module"
	! insmod "$(klab_ko chardev)" nr_scull=17 2>/dev/null ||
		fail "nr_scull=17 accepted"
	klab_load chardev || fail "cannot load chardev"
}

t_sysfs_counts_bytes() {
	local d=/sys/class/klab/klab_scull1 r0 w0

	klab_load chardev || fail "cannot load chardev"
	r0=$(cat $d/bytes_read)
	w0=$(cat $d/bytes_written)
	printf 'twelve bytes' >/dev/klab_scull1
	[ "$(cat $d/size)" -eq 12 ] || fail "size $(cat $d/size)"
	head -c 5 /dev/klab_scull1 >/dev/null
	[ "$(($(cat $d/bytes_written) - w0))" -eq 12 ] || fail "bytes_written"
	[ "$(($(cat $d/bytes_read) - r0))" -ge 5 ] || fail "bytes_read"
	exec 3</dev/klab_scull1
	[ "$(cat $d/opens)" -eq 1 ] || fail "opens $(cat $d/opens) with one open"
	exec 3<&-
	[ "$(cat $d/opens)" -eq 0 ] || fail "opens $(cat $d/opens) after close"
}

# /sys/dev/{char,block}/MAJ:MIN are links into /sys/devices, to the
# device's own directory; /sys/module/chardev comes and goes with it
t_sys_dev_links_resolve_under_devices() {
	local sys name kind dev link n=0

	klab_load chardev || fail "cannot load chardev"
	[ -d /sys/module/chardev ] || fail "no /sys/module/chardev after insmod"
	for sys in /sys/class/klab/klab_scull* /sys/class/klab/klab_pipe* \
		/sys/block/klab_blk*; do
		[ -e "$sys/dev" ] || continue
		name=$(basename "$sys")
		kind=char
		[[ $sys == /sys/block/* ]] && kind=block
		dev=$(cat "$sys/dev")
		link=/sys/dev/$kind/$dev
		[ -L "$link" ] || fail "$link is not a symlink"
		case $(readlink -f "$link") in
		/sys/devices/*) ;;
		*) fail "$link resolves to $(readlink -f "$link")" ;;
		esac
		[ "$(readlink -f "$link")" = "$(readlink -f "$sys")" ] ||
			fail "$link is not $name's directory"
		[ "$(cat "$link/dev")" = "$dev" ] || fail "$link/dev is not $dev"
		echo "$link -> $(readlink -f "$link")"
		n=$((n + 1))
	done
	[ -e /sys/block/klab_blk0 ] || fail "no klab_blk0 to check a block link"
	[ "$n" -ge 3 ] || fail "only $n devices checked"
	klab_unload chardev || fail "cannot unload chardev"
	[ ! -e /sys/module/chardev ] || fail "/sys/module/chardev outlives rmmod"
	klab_load chardev || fail "cannot load chardev"
}

# Dispatch is by dev_t alone: a node made with mknod for a scull's dev_t
# reaches that scull; one for a minor of the same major that no cdev
# covers opens with ENXIO (chrdev_open finds no cdev)
t_unregistered_minor_is_enxio() {
	local dir major minor unused err

	klab_load chardev || fail "cannot load chardev"
	IFS=: read -r major minor </sys/class/klab/klab_scull0/dev
	unused=$((minor + $(cat /sys/module/chardev/parameters/nr_scull) + \
		$(cat /sys/module/chardev/parameters/nr_pipe) + 8))
	[ ! -e "/sys/dev/char/$major:$unused" ] || fail "$major:$unused is registered"
	dir=$(mktemp -d)
	mknod "$dir/scull" c "$major" "$minor" || fail "mknod scull"
	mknod "$dir/none" c "$major" "$unused" || fail "mknod $major:$unused"
	printf 'by dev_t' >"$dir/scull" || fail "write through the mknod node"
	[ "$(cat /dev/klab_scull0)" = "by dev_t" ] || fail "the node reached another store"
	err=$(cat "$dir/none" 2>&1 >/dev/null)
	rm -rf "$dir"
	echo "open $major:$unused: $err"
	[[ $err == *"No such device or address"* ]] || fail "not ENXIO: $err"
}

ktap_plan 6
ktap_run nodes_match_sysfs t_nodes_match_sysfs
ktap_run proc_devices_lists_major t_proc_devices_lists_major
ktap_run nodes_follow_parameters t_nodes_follow_parameters
ktap_run sysfs_counts_bytes t_sysfs_counts_bytes
ktap_run sys_dev_links_resolve_under_devices t_sys_dev_links_resolve_under_devices
ktap_run unregistered_minor_is_enxio t_unregistered_minor_is_enxio
ktap_finish
