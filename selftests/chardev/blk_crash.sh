#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Crash consistency of ext4 (data=ordered, with its journal) on a klab_blk
# with a volatile write cache, in the manner of fstests' power-fail and
# log-writes tests.
#
# power_cuts: a workload of creates, appends, renames, deletes and fsyncs
# (blk_crash work) runs on the mounted filesystem, is stopped at a random
# moment and the power is cut (power 0), dropping every write not yet
# flushed.
# Power back (the queue mode alternates between bio and mq), mount (the
# journal replays), unmount: e2fsck -fn must be clean; mount again: every
# file fsynced before the cut must be there with its checksum (blk_crash
# verify).  The cuts must have lost unflushed data, else they tested
# nothing.
#
# log_writes: the same workload on dm-log-writes over klab_blk, with a
# mark after each batch of operations; the log is replayed (blk_log_replay)
# onto a second klab_blk mark by mark, and at each mark a copy of the
# replay must mount, hold every file fsynced before the mark, and pass
# e2fsck -fn after unmount.
#
#   blk_crash.sh [CUTS]	cuts (default $KLAB_BLK_CUTS or 5; make stress: 20)
#   KLAB_BLK_SEED		seed of the workload and the cut times
set -u

. "$(dirname "${BASH_SOURCE[0]}")/../lib/klab.sh"
. "$(dirname "${BASH_SOURCE[0]}")/blk_lib.sh"

cuts=${1:-${KLAB_BLK_CUTS:-5}}
seed=${KLAB_BLK_SEED:-$$}
bin=${KLAB_SELFTESTS_OUT:-$KLAB_ROOT/build/selftests}/chardev
tmp=$(mktemp -d)
mnt=$tmp/mnt
mkdir -p "$mnt"
trap 'umount "$mnt" 2>/dev/null; dmsetup remove --noudevsync klab_lw 2>/dev/null; rm -rf "$tmp"' EXIT

require_root

# cycle DISK LOG [LINES]: mount (replaying the journal), unmount, e2fsck
# -fn, mount again and check the promises of LOG; stays mounted
cycle() {
	mount -t ext4 "$1" "$mnt" || fail "mount $1 (journal replay)"
	umount "$mnt" || fail "umount $1"
	e2fsck -fn "$1" >"$tmp/fsck" 2>&1 || {
		cat "$tmp/fsck"
		fail "e2fsck -fn $1 found problems"
	}
	# no timed journal commit (it flushes) between the writes and a cut
	mount -t ext4 -o commit=60 "$1" "$mnt" || fail "remount $1"
	[ -s "$2" ] || return 0
	"$bin/blk_crash" verify "$mnt" "$2" ${3:+"$3"} >"$tmp/verify"
	local ret=$?
	cat "$tmp/verify"
	[ "$ret" = 0 ] && return 0
	explain "$2"
	fail "fsynced data lost"
}

# explain LOG: after a failed verify, what the log says of each file that
# broke its promise, and when each line was written relative to the cuts
# ($tmp/cuts: cut, lines before it, lines when the power was off, lines
# when the workload was killed), and what the kernel said
explain() {
	local name

	sed -n '/^verify: /!s/^\([^ :]*\): .*/\1/p' "$tmp/verify" | sort -u |
	while read -r name; do
		grep -n " $name\( \|\$\)" "$1" | sed "s|^|  log line |"
	done
	[ -s "$tmp/cuts" ] && awk '{
		printf "  cut #%s: lines 1-%s before it, %s-%s while the power went, %s-%s after\n",
			$1, $2, $2 + 1, $3, $3 + 1, $4 }' "$tmp/cuts"
	dmesg | grep -E 'EXT4-fs|JBD2|power cut' | tail -n 30
}

# reset: unmount and remove what a failed test left
reset() {
	umount "$mnt" 2>/dev/null
	dmsetup remove --noudevsync klab_lw 2>/dev/null
	cfs_reset
}

test_power_cuts() {
	local d=$cfs/crash disk i pid mode lost=0 dropped promises before during

	reset
	disk=/dev/$(cfs_dev crash size 128 cache_size 16) || fail "configfs device"
	mkfs.ext4 -q -F "$disk" || fail "mkfs.ext4"
	RANDOM=$seed
	echo "seed $seed, $cuts cuts"
	for i in $(seq "$cuts"); do
		cycle "$disk" "$tmp/promises"
		"$bin/blk_crash" work "$mnt" "$tmp/promises" "$((seed + i))" &
		pid=$!
		sleep "$((1 + RANDOM % 3)).$((RANDOM % 10))"
		kill -0 "$pid" 2>/dev/null || fail "the workload ended before the cut"
		# Stop the workload first: a syscall in flight still runs into
		# the cut, but the workload stops as it returns, so nothing that
		# returns after the power went is promised (a real power cut
		# stops the CPU too).  Such a result can lie on 6.1: once the
		# cut's sync has failed a commit and aborted the journal, fsync
		# of a directory finds no transaction left to commit and returns
		# 0 (ext4_force_commit), so an unlink that never reached the disk
		# was promised as done.
		kill -STOP "$pid"
		# the workload fsyncs often and ext4 writes back little else, so
		# a cut mostly finds the cache clean: every other cut comes
		# right after direct writes nobody flushed
		if [ $((i % 2)) = 0 ]; then
			dd if=/dev/urandom of="$mnt/unsynced$i" bs=64k count=8 \
				oflag=direct status=none || fail "unsynced writes"
		fi
		before=$(wc -l <"$tmp/promises")
		echo 0 >"$d/power" || fail "power cut #$i"
		during=$(wc -l <"$tmp/promises")
		kill -9 "$pid"
		wait "$pid" 2>/dev/null
		umount "$mnt" || fail "umount after cut #$i"
		dropped=$(awk '$1 == "last_dropped_bytes" { print $2 }' "$d/stats")
		promises=$(wc -l <"$tmp/promises")
		echo "$i $before $during $promises" >>"$tmp/cuts"
		lost=$((lost + dropped))
		# back in the other queue mode
		mode=$([ $((i % 2)) = 1 ] && echo bio || echo mq)
		echo "$mode" >"$d/queue_mode" || fail "queue_mode $mode"
		echo 1 >"$d/power" || fail "power on #$i"
		echo "cut #$i: $dropped unflushed bytes lost, $promises promises so far ($((promises - before)) after the cut began), back in $mode mode"
	done
	cycle "$disk" "$tmp/promises"
	umount "$mnt"
	echo "$cuts cuts, $lost unflushed bytes lost in all"
	[ "$lost" -gt 0 ] || fail "no cut lost unflushed writes: nothing was tested"
	cfs_del crash || fail "remove"
}

test_log_writes() {
	local data logdev replay check sectors m lines next entry=0 off=0
	local marks=4 seen=0

	reset
	# promises of its own: power_cuts' files are not on this filesystem
	rm -f "$tmp/promises" "$tmp/cuts"
	modprobe dm-log-writes || fail "modprobe dm-log-writes"
	data=/dev/$(cfs_dev lwdata size 64) || fail "data device"
	logdev=/dev/$(cfs_dev lwlog size 256) || fail "log device"
	replay=/dev/$(cfs_dev lwreplay size 64) || fail "replay device"
	check=/dev/$(cfs_dev lwcheck size 64) || fail "check device"
	sectors=$(blockdev --getsz "$data")
	# no udev in the VM: make the /dev/mapper node ourselves
	dmsetup create --noudevsync klab_lw \
		--table "0 $sectors log-writes $data $logdev" || fail "dmsetup create"
	dmsetup mknodes klab_lw || fail "dmsetup mknodes"
	mkfs.ext4 -q -F /dev/mapper/klab_lw || fail "mkfs.ext4"
	dmsetup message klab_lw 0 mark mkfs || fail "mark"
	echo 0 >"$tmp/lines.mkfs"
	mount /dev/mapper/klab_lw "$mnt" || fail "mount"
	for m in $(seq "$marks"); do
		"$bin/blk_crash" work "$mnt" "$tmp/promises" "$((seed + m))" 40 ||
			fail "workload"
		wc -l <"$tmp/promises" >"$tmp/lines.m$m"
		dmsetup message klab_lw 0 mark "m$m" || fail "mark m$m"
	done
	umount "$mnt" || fail "umount"
	# removing the target logs a last mark, dm-log-writes-end
	wc -l <"$tmp/promises" >"$tmp/lines.dm-log-writes-end"
	dmsetup remove --noudevsync klab_lw || fail "dmsetup remove"

	blkdiscard -f "$replay" || fail "blkdiscard"
	while :; do
		next=$("$bin/blk_log_replay" "$logdev" "$replay" "$entry" "$off") ||
			fail "replay from entry $entry"
		read -r entry off m <<<"$next"
		[ "$m" = - ] && break
		seen=$((seen + 1))
		dd if="$replay" of="$check" bs=1M oflag=direct status=none || fail "copy"
		lines=$(cat "$tmp/lines.$m")
		cycle "$check" "$tmp/promises" "$lines"
		umount "$mnt"
		echo "mark $m (log entry $entry): e2fsck clean, the $lines promises before it hold"
	done
	[ "$seen" = $((marks + 2)) ] || fail "$seen marks replayed, want $((marks + 2))"
	for m in lwdata lwlog lwreplay lwcheck; do
		cfs_del "$m" || fail "remove $m"
	done
}

cfs_reset || exit "$KSFT_FAIL"
ktap_plan 2
ktap_run power_cuts test_power_cuts
ktap_run log_writes test_log_writes
ktap_finish
