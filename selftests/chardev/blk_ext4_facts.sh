#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The notes' block-layer and ext4 facts (C10-C13, C17), each read back
# from a real ext4 on a klab_blk RAM disk: sector and block sizes, the
# extent tree's on-disk layout (parsed from the device, compared with
# debugfs), block groups, the timestamp rules of relatime, hard links,
# what reaches the driver through the page cache and around it, and
# mount calling the driver's ->open.  The numbers come from the
# filesystem and the driver's counters, never from the notes.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/../lib/klab.sh"
. "$(dirname "${BASH_SOURCE[0]}")/blk_lib.sh"

tmp=$(mktemp -d)
mnt=$tmp/mnt
trap 'umount "$mnt" 2>/dev/null; cfs_reset >/dev/null 2>&1; rm -rf "$tmp"' EXIT

require_root

disk=	# the 1 GiB disk with the ext4 (made below)
bs=	# its block size

# stat_of KEY: one counter of the ext4's disk
stat_of() {
	cfs_stat fs "$1"
}

# extent_node BLOCK OFFSET LENGTH KIND SIZE: parse the extent node of
# LENGTH bytes at OFFSET in file system block BLOCK of the disk: "magic
# entries max depth", then one line per entry of SIZE bytes, "logical
# length physical" for KIND leaf or "logical child" for KIND index.  The
# cases check the entries against debugfs, so SIZE is shown right, not
# assumed.
extent_node() {
	local -a w
	local i e stride=$(($5 / 2))

	mapfile -t w < <(dd if="$disk" bs="$bs" skip="$1" count=1 status=none |
		od -An -v -tu2 -w2 -j "$2" -N "$3")
	printf '%#x %d %d %d\n' "${w[0]}" "${w[1]}" "${w[2]}" "${w[3]}"
	for ((i = 0; i < w[1]; i++)); do
		e=$((6 + i * stride))	# after the 12-byte header
		if [ "$4" = leaf ]; then
			echo $((w[e] + (w[e + 1] << 16))) $((w[e + 2])) \
				$(((w[e + 3] << 32) + w[e + 4] + (w[e + 5] << 16)))
		else
			echo $((w[e] + (w[e + 1] << 16))) \
				$((w[e + 2] + (w[e + 3] << 16) + (w[e + 4] << 32)))
		fi
	done
}

# inode_iblock FILE: "block offset" of FILE's i_block on the disk (60
# bytes at 0x28 of the on-disk inode), from debugfs imap
inode_iblock() {
	local loc

	loc=$(debugfs -R "imap $1" "$disk" 2>/dev/null |
		sed -n 's/.*located at block \([0-9]*\), offset \(0x[0-9a-f]*\).*/\1 \2/p')
	[ -n "$loc" ] || fail "imap $1"
	echo "${loc% *} $((${loc#* } + 0x28))"
}

# leaf_extents FILE: "logical length physical" of each extent, by debugfs
leaf_extents() {
	debugfs -R "ex -l $1" "$disk" 2>/dev/null | tail -n +2 |
		sed -E 's#^ *[0-9]+/ *[0-9]+ +[0-9]+/ *[0-9]+##; s/ - +[0-9]+//g' |
		awk '{ print $1, $3, $2 }'
}

# fs_mount [OPTION...]: mount the ext4, past what a failed case left
# mounted
fs_mount() {
	umount "$mnt" 2>/dev/null
	mount "$@" "$disk" "$mnt"
}

setup() {
	cfs_reset || return 1
	# 1 GiB: the journal goes to group 4, so that groups 1 and 2 give a
	# free run longer than an extent
	disk=/dev/$(cfs_dev fs size 1024) || return 1
	mkfs.ext4 -q -F "$disk" || return 1
	bs=$(dumpe2fs -h "$disk" 2>/dev/null | awk '/^Block size:/ { print $3 }')
	mkdir -p "$mnt"
	udevadm settle 2>/dev/null
	return 0
}

# C10: /sys/block/<d>/size counts 512-byte sectors whatever the disk's
# logical block size
test_size_counts_512_byte_sectors() {
	local d n

	d=/dev/$(cfs_dev sect4k size 8 blocksize 4096) || fail "4K-sector disk"
	n=${d#/dev/}
	echo "$n: logical block $(cat "/sys/block/$n/queue/logical_block_size"), size $(cat "/sys/block/$n/size"), $(blockdev --getsize64 "$d") bytes"
	[ "$(cat "/sys/block/$n/queue/logical_block_size")" = 4096 ] || fail "not a 4K-sector disk"
	[ $(($(cat "/sys/block/$n/size") * 512)) = "$(blockdev --getsize64 "$d")" ] ||
		fail "size * 512 is not the capacity"
	[ "$(cat "/sys/block/$n/size")" = $((8 << 20 >> 9)) ] || fail "8 MiB is not 16384 sectors"
	cfs_del sect4k || fail "remove"
}

# C10: mkfs.ext4 with Debian's defaults picks 4 KiB blocks; below
# 512 MiB mke2fs.conf's "small" type picks 1 KiB
test_mkfs_ext4_block_is_4k() {
	local small sbs

	echo "1 GiB disk: block size $bs"
	[ "$bs" = 4096 ] || fail "mkfs.ext4 block size $bs, want 4096"
	small=/dev/$(cfs_dev small size 64) || fail "64 MiB disk"
	mkfs.ext4 -q -F "$small" || fail "mkfs.ext4 $small"
	sbs=$(dumpe2fs -h "$small" 2>/dev/null | awk '/^Block size:/ { print $3 }')
	echo "64 MiB disk: block size $sbs (mke2fs.conf: small)"
	[ "$sbs" = 1024 ] || fail "small fs block size $sbs, want 1024"
	cfs_del small || fail "remove"
}

# C11: 32768 blocks of 4 KiB per group, 128 MiB; group 1 starts there
test_block_group_is_128mib() {
	local bpg

	bpg=$(dumpe2fs -h "$disk" 2>/dev/null | awk '/^Blocks per group:/ { print $4 }')
	echo "blocks per group $bpg x $bs B = $((bpg * bs >> 20)) MiB"
	[ $((bpg * bs)) = $((128 << 20)) ] || fail "group of $((bpg * bs)) bytes"
	dumpe2fs "$disk" 2>/dev/null | grep -q "^Group 1: (Blocks $bpg-$((2 * bpg - 1)))" ||
		fail "group 1 is not blocks $bpg-$((2 * bpg - 1))"
}

# C17: the mount opens the block device: the driver's ->open runs, and
# the disk stays open (one more open than release) until umount
test_mount_calls_driver_open() {
	local o0 r0 o1 r1 o2 r2

	udevadm settle 2>/dev/null
	o0=$(stat_of opens)
	r0=$(stat_of releases)
	fs_mount || fail "mount"
	o1=$(stat_of opens)
	r1=$(stat_of releases)
	klabctl chardev blk stats fs | grep -E "opens|releases"
	echo "mount: opens $o0 -> $o1, releases $r0 -> $r1"
	[ "$o1" -gt "$o0" ] || fail "mount did not call ->open"
	[ $((o1 - r1)) -ge 1 ] || fail "mounted but no open left"
	umount "$mnt" || fail "umount"
	udevadm settle 2>/dev/null
	o2=$(stat_of opens)
	r2=$(stat_of releases)
	echo "umount: opens $o2, releases $r2"
	[ "$o2" = "$r2" ] || fail "open after umount: $o2 opens, $r2 releases"
}

# The files the extent cases read: 4 and 5 one-block extents (every
# other block written), 136 MiB contiguous; then unmounted
make_extent_files() {
	local i

	fs_mount || fail "mount"
	for i in 0 2 4 6; do
		dd if=/dev/urandom of="$mnt/frag4" bs=4k seek=$i count=1 conv=notrunc status=none
	done
	cp --sparse=always "$mnt/frag4" "$mnt/frag5"
	dd if=/dev/urandom of="$mnt/frag5" bs=4k seek=8 count=1 conv=notrunc status=none
	dd if=/dev/zero of="$mnt/big" bs=1M count=136 status=none || fail "write big"
	umount "$mnt" || fail "umount"
}

# C11: i_block's 60 bytes hold a 12-byte header and 4 entries of 12
# bytes: a file of 4 extents has depth 0, a fifth makes a depth-1 tree
test_extent_inode_holds_4() {
	local hdr loc

	make_extent_files
	loc=$(inode_iblock frag4)
	# shellcheck disable=SC2086 # block and offset
	extent_node $loc 60 leaf 12 >"$tmp/frag4"
	cat "$tmp/frag4"
	read -r -a hdr <"$tmp/frag4"
	[ "${hdr[0]}" = 0xf30a ] || fail "no extent magic in i_block"
	[ "${hdr[2]}" = $(((60 - 12) / 12)) ] || fail "i_block holds ${hdr[2]} entries"
	[ "${hdr[1]}" = 4 ] || fail "4 extents: ${hdr[1]} in the inode"
	[ "${hdr[3]}" = 0 ] || fail "4 extents: depth ${hdr[3]}, want 0"
	tail -n +2 "$tmp/frag4" | diff - <(leaf_extents frag4) ||
		fail "12-byte entries differ from debugfs"

	loc=$(inode_iblock frag5)
	# shellcheck disable=SC2086
	extent_node $loc 60 index 12 >"$tmp/frag5"
	cat "$tmp/frag5"
	read -r -a hdr <"$tmp/frag5"
	[ "${hdr[3]}" = 1 ] || fail "5 extents: depth ${hdr[3]}, want 1"
	[ "${hdr[1]}" = 1 ] || fail "5 extents: ${hdr[1]} index entries in the inode, want 1"
	debugfs -R "ex frag5" "$disk" 2>/dev/null
}

# C11: a 4 KiB leaf holds (4096 - 12) / 12 = 340 entries
test_extent_node_holds_340() {
	local child hdr

	child=$(awk 'NR == 2 { print $2 }' "$tmp/frag5")
	[ -n "$child" ] || fail "no index entry"
	extent_node "$child" 0 "$bs" leaf 12 >"$tmp/leaf"
	cat "$tmp/leaf"
	read -r -a hdr <"$tmp/leaf"
	echo "leaf at block $child: max ${hdr[2]} entries, (bs - 12) / max = $(((bs - 12) / hdr[2])) bytes each"
	[ "${hdr[0]}" = 0xf30a ] || fail "no extent magic in the leaf"
	[ "${hdr[2]}" = 340 ] || fail "a leaf holds ${hdr[2]}, want 340"
	[ "${hdr[1]}" = 5 ] || fail "the leaf has ${hdr[1]} entries, want 5"
	tail -n +2 "$tmp/leaf" | diff - <(leaf_extents frag5) ||
		fail "12-byte entries differ from debugfs"
}

# C11: an initialised extent covers at most 32768 blocks: 136 MiB of
# contiguous blocks are split at 32768 (the next extent starts on the
# following physical block)
test_extent_max_32768_blocks() {
	local max cut

	leaf_extents big | tee "$tmp/big"
	max=$(awk '$2 > m { m = $2 } END { print m }' "$tmp/big")
	cut=$(awk 'NR > 1 && pl == 32768 && pp + pl == $3 { n++ } { pl = $2; pp = $3 }
		END { print n + 0 }' "$tmp/big")
	echo "longest extent $max blocks, $cut contiguous splits after 32768"
	[ "$max" = 32768 ] || fail "longest extent $max blocks, want 32768"
	[ "$cut" -ge 1 ] || fail "no contiguous run split at 32768"
}

# times FILE: "atime mtime ctime" in ns
times() {
	local t

	t=$(stat -c '%.9X %.9Y %.9Z' "$1")
	echo "${t//./}"
}

# C12: relatime: a read updates atime only when atime is older than
# mtime or ctime, or more than 24 h old.  The times are set with debugfs
# on the unmounted filesystem (utimes would set ctime to now).
test_relatime_atime_rules() {
	local now f a0 a1

	now=$(date +%s)
	fs_mount || fail "mount"
	for f in older fresh day; do echo "$f" >"$mnt/$f"; done
	umount "$mnt" || fail "umount"
	{
		# atime older than mtime: updated
		echo "sif older ctime @$((now - 10800))"
		echo "sif older mtime @$((now - 3600))"
		echo "sif older atime @$((now - 7200))"
		# newer than both, 1 h old: kept
		echo "sif fresh ctime @$((now - 7200))"
		echo "sif fresh mtime @$((now - 7200))"
		echo "sif fresh atime @$((now - 3600))"
		# newer than both, 25 h old: updated
		echo "sif day ctime @$((now - 180000))"
		echo "sif day mtime @$((now - 180000))"
		echo "sif day atime @$((now - 90000))"
	} >"$tmp/sif"
	debugfs -w -f "$tmp/sif" "$disk" >/dev/null 2>&1 || fail "debugfs sif"
	fs_mount || fail "remount"
	grep -q " $mnt ext4 .*relatime" /proc/mounts || fail "not mounted relatime"
	cd "$mnt" || fail "cd"
	mapfile -t a0 < <(stat -c %X older fresh day)
	cat older fresh day >/dev/null
	mapfile -t a1 < <(stat -c %X older fresh day)
	cd / || fail "cd"
	echo "atime (s) before and after a read, now $now:"
	echo "older ${a0[0]} -> ${a1[0]}, fresh ${a0[1]} -> ${a1[1]}, day ${a0[2]} -> ${a1[2]}"
	[ "${a1[0]}" -ge "$now" ] || fail "older than mtime: read kept atime"
	[ "${a1[1]}" = "${a0[1]}" ] || fail "newer than mtime and ctime: read updated atime"
	[ "${a1[2]}" -ge "$now" ] || fail "24 h old: read kept atime"
	umount "$mnt" || fail "umount"
}

# C12: chmod changes ctime only; a write changes mtime and ctime
test_chmod_ctime_write_mtime() {
	local a0 m0 c0 a1 m1 c1 a2 m2 c2

	fs_mount || fail "mount"
	echo x >"$mnt/t"
	sleep 0.1	# past the coarse clock's tick
	read -r a0 m0 c0 < <(times "$mnt/t")
	chmod 600 "$mnt/t"
	read -r a1 m1 c1 < <(times "$mnt/t")
	echo "chmod: atime $a0 -> $a1, mtime $m0 -> $m1, ctime $c0 -> $c1"
	[ "$c1" -gt "$c0" ] || fail "chmod kept ctime"
	[ "$m1" = "$m0" ] || fail "chmod changed mtime"
	[ "$a1" = "$a0" ] || fail "chmod changed atime"
	sleep 0.1
	echo y >>"$mnt/t"
	read -r a2 m2 c2 < <(times "$mnt/t")
	echo "write: atime $a1 -> $a2, mtime $m1 -> $m2, ctime $c1 -> $c2"
	[ "$m2" -gt "$m1" ] || fail "write kept mtime"
	[ "$c2" -gt "$c1" ] || fail "write kept ctime"
	[ "$a2" = "$a1" ] || fail "write changed atime"
	umount "$mnt" || fail "umount"
}

# C12: a hard link is the same inode; link(2) to another filesystem
# fails with EXDEV
test_hard_link_same_inode_exdev() {
	fs_mount || fail "mount"
	echo x >"$mnt/orig"
	ln "$mnt/orig" "$mnt/link" || fail "ln"
	echo "orig: $(stat -c 'ino %i links %h dev %d' "$mnt/orig"), link: $(stat -c 'ino %i links %h' "$mnt/link")"
	[ "$(stat -c %i "$mnt/orig")" = "$(stat -c %i "$mnt/link")" ] || fail "two inodes"
	[ "$(stat -c %h "$mnt/orig")" = 2 ] || fail "link count not 2"
	[ "$(stat -c %d "$tmp")" != "$(stat -c %d "$mnt")" ] || fail "$tmp is on the same fs"
	ln "$mnt/orig" "$tmp/across" 2>"$tmp/err" && fail "link across filesystems made"
	cat "$tmp/err"
	grep -q "Invalid cross-device link" "$tmp/err" || fail "not EXDEV"
	umount "$mnt" || fail "umount"
}

# C13: a buffered write stays in the page cache until fsync, a re-read
# is served from it, O_DIRECT goes to the driver both ways
test_page_cache_and_o_direct() {
	local w0 w1 w2 r0 r1 w3 r3 size=$((4 << 20))

	fs_mount -o noinit_itable || fail "mount"
	sync
	w0=$(stat_of bytes_written)
	dd if=/dev/urandom of="$mnt/c" bs=1M count=4 status=none || fail "write"
	w1=$(stat_of bytes_written)
	sync "$mnt/c" || fail "fsync"
	w2=$(stat_of bytes_written)
	echo "4 MiB buffered: driver wrote $((w1 - w0)) bytes before fsync, $((w2 - w1)) at fsync"
	[ $((w1 - w0)) -lt "$size" ] || fail "the write reached the driver before fsync"
	[ $((w2 - w1)) -ge "$size" ] || fail "fsync did not write the data"

	r0=$(stat_of bytes_read)
	cmp -s "$mnt/c" "$mnt/c" || fail "read"
	r1=$(stat_of bytes_read)
	echo "re-read of 4 MiB: driver read $((r1 - r0)) bytes"
	[ "$r1" = "$r0" ] || fail "a cached re-read reached the driver"

	dd if="$mnt/c" of=/dev/null bs=1M iflag=direct status=none || fail "O_DIRECT read"
	r3=$(stat_of bytes_read)
	w0=$(stat_of bytes_written)
	dd if=/dev/zero of="$mnt/c" bs=1M count=4 oflag=direct conv=notrunc status=none ||
		fail "O_DIRECT write"
	w3=$(stat_of bytes_written)
	echo "O_DIRECT 4 MiB: driver read $((r3 - r1)), wrote $((w3 - w0)) bytes"
	[ $((r3 - r1)) -ge "$size" ] || fail "O_DIRECT read served from the cache"
	[ $((w3 - w0)) -ge "$size" ] || fail "O_DIRECT write stayed in the cache"
	umount "$mnt" || fail "umount"
}

klab_unload chardev && klab_load chardev || exit "$KSFT_FAIL"
setup || exit "$KSFT_FAIL"
ktap_plan 11
ktap_run size_counts_512_byte_sectors test_size_counts_512_byte_sectors
ktap_run mkfs_ext4_block_is_4k test_mkfs_ext4_block_is_4k
ktap_run block_group_is_128mib test_block_group_is_128mib
ktap_run mount_calls_driver_open test_mount_calls_driver_open
ktap_run extent_inode_holds_4 test_extent_inode_holds_4
ktap_run extent_node_holds_340 test_extent_node_holds_340
ktap_run extent_max_32768_blocks test_extent_max_32768_blocks
ktap_run relatime_atime_rules test_relatime_atime_rules
ktap_run chmod_ctime_write_mtime test_chmod_ctime_write_mtime
ktap_run hard_link_same_inode_exdev test_hard_link_same_inode_exdev
ktap_run page_cache_and_o_direct test_page_cache_and_o_direct
ktap_finish
