#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ext4 on /dev/klab_blkN: mkfs, write a tree of files, umount, e2fsck -fn
# clean, remount and verify every checksum; for both block sizes and with
# the timer completion mode on two hardware queues.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/../lib/klab.sh"
. "$(dirname "${BASH_SOURCE[0]}")/blk_lib.sh"

tmp=$(mktemp -d)
mnt=$tmp/mnt
trap 'umount "$mnt" 2>/dev/null; rm -rf "$tmp"' EXIT

require_root

# fs_roundtrip NAME ATTR VALUE...: the whole cycle on a configfs device
fs_roundtrip() {
	local name=$1 disk i j

	disk=/dev/$(cfs_dev "$@") || fail "configfs device $name"

	mkfs.ext4 -q -F "$disk" || fail "mkfs.ext4"
	mkdir -p "$mnt"
	mount "$disk" "$mnt" || fail "mount"
	for i in $(seq 8); do
		mkdir -p "$mnt/d$i/sub"
		for j in $(seq 6); do
			head -c $(((i * 7919 + j * 104729) % 300000 + 1)) /dev/urandom >"$mnt/d$i/f$j"
		done
		head -c $((i << 20)) /dev/urandom >"$mnt/d$i/sub/big"
	done
	(cd "$mnt" && find . -type f -print0 | sort -z | xargs -0 sha256sum) >"$tmp/sums"
	umount "$mnt" || fail "umount"

	e2fsck -fn "$disk" || fail "e2fsck -fn found problems"

	echo 3 >/proc/sys/vm/drop_caches
	mount "$disk" "$mnt" || fail "remount"
	(cd "$mnt" && sha256sum --quiet -c "$tmp/sums") || fail "checksums differ after remount"
	echo "$name: $(wc -l <"$tmp/sums") files verified"
	umount "$mnt" || fail "umount"
	cfs_del "$name" || fail "remove"
}

test_ext4_512() {
	fs_roundtrip fs512 size 128 blocksize 512
}

test_ext4_4096_timer() {
	fs_roundtrip fs4k size 128 blocksize 4096 irqmode timer completion_nsec 5000 \
		submit_queues 2
}

cfs_reset && klab_unload chardev && klab_load chardev || exit "$KSFT_FAIL"
ktap_plan 2
ktap_run ext4_512 test_ext4_512
ktap_run ext4_4096_timer test_ext4_4096_timer
ktap_finish
