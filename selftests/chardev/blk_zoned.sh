#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Zoned klab_blk (zoned 1), in both queue modes: blkzone report, reset,
# open, close and finish round trips; writes at the write pointer and the
# errors of writes elsewhere, to a full zone or past the zone capacity;
# the limits of open and active zones; zonefs (formatted by blk_mkzonefs),
# f2fs (mkfs.f2fs -m) and btrfs (whose data writes are zone appends)
# mounted, written, unmounted, checked and read back; fio --zonemode=zbd
# with verification.
#
# zonefs on Debian's 6.1 kernel fails every synchronous O_DIRECT write to
# a sequential file with EIO ("Corrupted write pointer", on null_blk as
# well): its zone-append path checks the returned sector against a write
# pointer offset it has already advanced.  Asynchronous direct writes
# (fio with libaio) take the iomap path and work, so those are used here.
#
#   blk_zoned.sh [TEST...]	the named tests (without test_), by default the
#				blkzone ones; blk_zonefs.sh and blk_zoned_f2fs.sh
#				run the filesystems and fio under their own time
#				limits, make stress-chardev btrfs; fio_zbd loops
#				KLAB_BLK_FIO_LOOPS times (1)
set -u

. "$(dirname "${BASH_SOURCE[0]}")/../lib/klab.sh"
. "$(dirname "${BASH_SOURCE[0]}")/blk_lib.sh"

bin=${KLAB_SELFTESTS_OUT:-$KLAB_ROOT/build/selftests}/chardev
tmp=$(mktemp -d)
mnt=$tmp/mnt
mkdir -p "$mnt"
trap 'umount "$mnt" 2>/dev/null; rm -rf "$tmp"' EXIT

require_root

zs=8192		# 4 MiB zones, in sectors

# reset: unmount what a failed test left, remove configfs devices
reset() {
	umount "$mnt" 2>/dev/null
	cfs_reset
}

# zone DISK N: "COND WP" of zone N (the condition's number, wp - start)
zone() {
	blkzone report -o $(($2 * zs)) -c 1 "$1" |
		sed -n 's/.*wptr 0x\([0-9a-f]*\).*zcond: *\([0-9]*\).*/\2 \1/p' |
		{ read -r c w; echo "$c $((16#$w))"; }
}

# expect_zone DISK N COND WP
expect_zone() {
	local got

	got=$(zone "$1" "$2")
	[ "$got" = "$3 $4" ] || fail "zone $2: cond/wp $got, want $3 $4"
}

# zwrite DISK SECTOR BLOCKS: write BLOCKS 4 KiB blocks at SECTOR
zwrite() {
	dd if=/dev/urandom of="$1" bs=4k seek=$(($2 / 8)) count="$3" oflag=direct \
		status=none 2>/dev/null
}

test_blkzone_roundtrips() {
	local mode disk n

	reset
	for mode in bio mq; do
		disk=/dev/$(cfs_dev "z$mode" size 64 queue_mode "$mode" zoned 1 \
			zone_size 4 zone_nr_conv 2)
		n=${disk#/dev/}
		[ "$(cat "/sys/block/$n/queue/zoned")" = host-managed ] || fail "not host-managed"
		[ "$(cat "/sys/block/$n/queue/nr_zones")" = 16 ] || fail "nr_zones"
		[ "$(cat "/sys/block/$n/queue/chunk_sectors")" = $zs ] || fail "chunk_sectors"
		blkzone report "$disk" | head -3
		[ "$(blkzone report "$disk" | grep -c 'CONVENTIONAL')" = 2 ] || fail "conv zones"
		[ "$(blkzone report "$disk" | grep -c 'zcond: 1(em)')" = 14 ] || fail "empty zones"
		# writes at the write pointer advance it, elsewhere fail
		zwrite "$disk" $((2 * zs)) 2 || fail "write at the wp"
		expect_zone "$disk" 2 2 16
		zwrite "$disk" $((2 * zs + 40)) 1 && fail "write past the wp accepted"
		zwrite "$disk" $((2 * zs)) 1 && fail "write behind the wp accepted"
		zwrite "$disk" $((2 * zs + 16)) 1 || fail "write at the new wp"
		expect_zone "$disk" 2 2 24
		# explicit open, close, finish, reset
		blkzone open -o $((3 * zs)) -c 1 "$disk" || fail "open"
		expect_zone "$disk" 3 3 0
		blkzone close -o $((2 * zs)) -c 1 "$disk" || fail "close"
		expect_zone "$disk" 2 4 24
		blkzone finish -o $((2 * zs)) -c 1 "$disk" || fail "finish"
		expect_zone "$disk" 2 14 $zs
		zwrite "$disk" $((3 * zs - 8)) 1 && fail "write to a full zone accepted"
		blkzone reset -o $((2 * zs)) -c 1 "$disk" || fail "reset"
		expect_zone "$disk" 2 1 0
		cmp -n $((zs * 512)) <(dd if="$disk" bs=1M skip=8 count=4 status=none) \
			/dev/zero || fail "a reset zone does not read as zeros"
		blkzone reset -o 0 -c 1 "$disk" 2>/dev/null && fail "reset of a conventional zone"
		zwrite "$disk" 24 3 || fail "write anywhere in a conventional zone"
		blkzone reset "$disk" || fail "reset all"
		[ "$(blkzone report "$disk" | grep -c 'zcond: 1(em)')" = 14 ] || fail "reset all"
		grep -E "^(nr_zones|bytes_written) " "$cfs/z$mode/stats"
		cfs_del "z$mode" || fail "remove"
	done
}

test_zone_limits() {
	local disk

	reset
	disk=/dev/$(cfs_dev zl size 64 queue_mode mq zoned 1 zone_size 4 \
		zone_capacity 2 zone_max_open 2 zone_max_active 3)
	[ "$(cat "/sys/block/${disk#/dev/}/queue/max_open_zones")" = 2 ] || fail "max_open_zones"
	[ "$(cat "/sys/block/${disk#/dev/}/queue/max_active_zones")" = 3 ] || fail "max_active_zones"
	blkzone report -c 1 "$disk" | grep -q "cap 0x001000" || fail "zone capacity"
	# the capacity ends the zone: full after 2 MiB
	zwrite "$disk" 0 512 || fail "fill a zone to its capacity"
	expect_zone "$disk" 0 14 4096
	# two explicit opens; a third zone cannot open
	blkzone open -o $((1 * zs)) -c 1 "$disk" || fail "open 1"
	blkzone open -o $((2 * zs)) -c 1 "$disk" || fail "open 2"
	blkzone open -o $((3 * zs)) -c 1 "$disk" 2>/dev/null && fail "a third open zone"
	zwrite "$disk" $((3 * zs)) 1 && fail "implicit open beyond max_open"
	# an implicitly open zone is closed to make room
	blkzone close -o $((2 * zs)) -c 1 "$disk" || fail "close"
	zwrite "$disk" $((4 * zs)) 1 || fail "implicit open"
	expect_zone "$disk" 4 2 8
	zwrite "$disk" $((2 * zs)) 1 || fail "reopen a closed zone"
	# zone 1 explicitly open, 2 implicitly, 4 closed: finish 2, open 5
	blkzone finish -o $((2 * zs)) -c 1 "$disk" || fail "finish"
	zwrite "$disk" $((5 * zs)) 1 || fail "a third active zone"
	zwrite "$disk" $((6 * zs)) 1 && fail "a fourth active zone"
	cfs_del zl || fail "remove"
}

# zfio FILE ARG...: fio on a zonefs file, asynchronous direct I/O; the
# file exists and cannot be unlinked or laid out, so fio must only open it
zfio() {
	local f=$1
	shift
	fio --name=zf --filename="$f" --bs=64k --direct=1 --ioengine=libaio \
		--iodepth=1 --create_on_open=1 --verify=crc32c --verify_fatal=1 "$@" \
		--output-format=json >"$tmp/fio" 2>"$tmp/fio.err" &&
		[ "$(jq '.jobs[0].error' "$tmp/fio")" = 0 ] ||
		{ cat "$tmp/fio.err"; return 1; }
}

test_zonefs() {
	local mode disk i

	reset
	modprobe zonefs || fail "modprobe zonefs"
	for mode in mq bio; do
		disk=/dev/$(cfs_dev "zf$mode" size 64 queue_mode "$mode" zoned 1 \
			zone_size 4 zone_nr_conv 2)
		"$bin/blk_mkzonefs" "$disk" klab || fail "blk_mkzonefs"
		mount -t zonefs "$disk" "$mnt" || fail "mount zonefs"
		ls "$mnt/seq" | wc -l | grep -qx 14 || fail "14 sequential files"
		ls "$mnt/cnv" | wc -l | grep -qx 1 || fail "1 conventional file"
		[ "$(stat -c %s "$mnt/seq/0")" = 0 ] || fail "a fresh sequential file is not empty"
		for i in 0 5 13; do
			zfio "$mnt/seq/$i" --rw=write --size=1M || fail "write seq/$i"
		done
		zfio "$mnt/cnv/0" --rw=randwrite --size=2M || fail "write cnv/0"
		umount "$mnt" || fail "umount"
		mount -t zonefs "$disk" "$mnt" || fail "remount"
		for i in 0 5 13; do
			# a sequential file's size is its zone's write pointer
			[ "$(stat -c %s "$mnt/seq/$i")" = $((1 << 20)) ] ||
				fail "seq/$i: size $(stat -c %s "$mnt/seq/$i")"
			zfio "$mnt/seq/$i" --rw=write --size=1M --verify_only ||
				fail "seq/$i: data"
		done
		zfio "$mnt/cnv/0" --rw=randwrite --size=2M --verify_only || fail "cnv/0: data"
		[ "$(stat -c %s "$mnt/seq/1")" = 0 ] || fail "an unwritten file is not empty"
		umount "$mnt" || fail "umount"
		blkzone report -o $((2 * zs)) -c 1 "$disk"
		echo "zonefs ($mode): 3 sequential files and a conventional one verified"
		cfs_del "zf$mode" || fail "remove"
	done
}

test_btrfs_zone_append() {
	local mode disk i

	reset
	modprobe btrfs || fail "modprobe btrfs"
	for mode in mq bio; do
		disk=/dev/$(cfs_dev "bt$mode" size 256 queue_mode "$mode" zoned 1 \
			zone_size 4)
		mkfs.btrfs -q -f "$disk" || fail "mkfs.btrfs"
		mount -t btrfs "$disk" "$mnt" || fail "mount btrfs"
		for i in 1 2 3 4; do
			head -c $((i * 300000)) /dev/urandom >"$mnt/f$i"
		done
		(cd "$mnt" && sha256sum f*) >"$tmp/sums"
		umount "$mnt" || fail "umount"
		btrfs check "$disk" >"$tmp/check" 2>&1 || { cat "$tmp/check"; fail "btrfs check"; }
		mount -t btrfs "$disk" "$mnt" || fail "remount"
		(cd "$mnt" && sha256sum --quiet -c "$tmp/sums") || fail "checksums differ"
		umount "$mnt" || fail "umount"
		echo "btrfs ($mode): files verified, $(cfs_stat "bt$mode" zone_appends) zone appends"
		[ "$(cfs_stat "bt$mode" zone_appends)" -gt 0 ] || fail "no zone append"
		cfs_del "bt$mode" || fail "remove"
	done
}

test_f2fs() {
	local disk i

	reset
	modprobe f2fs || fail "modprobe f2fs"
	disk=/dev/$(cfs_dev f2 size 256 queue_mode mq zoned 1 zone_size 4 zone_nr_conv 8)
	mkfs.f2fs -q -f -m "$disk" || fail "mkfs.f2fs -m"
	mount -t f2fs "$disk" "$mnt" || fail "mount f2fs"
	for i in $(seq 12); do
		mkdir -p "$mnt/d$((i % 3))"
		head -c $((i * 97 * 1024)) /dev/urandom >"$mnt/d$((i % 3))/f$i"
	done
	(cd "$mnt" && find . -type f -print0 | sort -z | xargs -0 sha256sum) >"$tmp/sums"
	umount "$mnt" || fail "umount"
	fsck.f2fs "$disk" >"$tmp/fsck" 2>&1 || { cat "$tmp/fsck"; fail "fsck.f2fs"; }
	echo 3 >/proc/sys/vm/drop_caches
	mount -t f2fs "$disk" "$mnt" || fail "remount"
	(cd "$mnt" && sha256sum --quiet -c "$tmp/sums") || fail "checksums differ"
	umount "$mnt" || fail "umount"
	blkzone report "$disk" | grep -c "zcond: 1(em)" | xargs echo "f2fs: files verified; empty zones:"
	[ "$(blkzone report "$disk" | grep -vc 'zcond: 1(em)\|CONVENTIONAL')" -gt 0 ] ||
		fail "f2fs wrote no sequential zone"
	cfs_del f2 || fail "remove"
}

test_fio_zbd() {
	local mode disk loops=${KLAB_BLK_FIO_LOOPS:-1}

	reset
	for mode in mq bio; do
		disk=/dev/$(cfs_dev "fz$mode" size 64 queue_mode "$mode" zoned 1 \
			zone_size 4 zone_nr_conv 1 zone_max_open 4)
		fio --name=zbd --filename="$disk" --zonemode=zbd --direct=1 \
			--ioengine=libaio --iodepth=4 --rw=randwrite --bs=16k \
			--offset=4M --size=32M --max_open_zones=4 --loops="$loops" \
			--verify=crc32c --verify_fatal=1 \
			--output-format=json >"$tmp/fio" 2>"$tmp/fio.err" ||
			{ cat "$tmp/fio.err"; fail "fio --zonemode=zbd ($mode)"; }
		[ "$(jq '.jobs[0].error' "$tmp/fio")" = 0 ] || fail "fio reported an error"
		echo "fio zbd ($mode): $(jq '.jobs[0].write.io_kbytes' "$tmp/fio") KiB" \
			"written and verified, $loops loop(s)"
		cfs_del "fz$mode" || fail "remove"
	done
}

tests=(blkzone_roundtrips zone_limits)
[ $# -eq 0 ] || tests=("$@")
ktap_plan ${#tests[@]}
for t in "${tests[@]}"; do
	ktap_run "$t" "test_$t"
done
ktap_finish
