#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The blk-mq RAM disk /dev/klab_blkN of the chardev module: data, zeros,
# discard, bad blocks, sizes, configfs and klabctl, permissions, module
# references, and a create/remove loop checked for leaks.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/../lib/klab.sh"
. "$(dirname "${BASH_SOURCE[0]}")/blk_lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)

require_root

# a failed test may leave configfs directories, which pin the module
fresh_module() {
	cfs_reset
	klab_unload chardev || fail "rmmod"
	klab_load chardev || fail "load"
	[ -d "$cfs" ] || fail "$cfs missing"
}

# stat_of NAME KEY: one counter of a device, from klabctl
stat_of() {
	klabctl -j chardev blk stats "$1" | jq -e ".devices[0].$2"
}

test_size_matches() {
	local disk bytes

	fresh_module
	for spec in "64 512" "100 4096"; do
		set -- $spec
		disk=$(cfs_dev "sz$2" size "$1" blocksize "$2")
		bytes=$(blockdev --getsize64 "/dev/$disk") || fail "BLKGETSIZE64"
		echo "$disk: size $1 MiB, BLKGETSIZE64 $bytes, sysfs size $(cat "/sys/block/$disk/size")"
		[ "$bytes" = $(($1 << 20)) ] || fail "BLKGETSIZE64 $bytes, want $(($1 << 20))"
		[ "$(cat "/sys/block/$disk/size")" = $(($1 << 11)) ] || fail "sysfs size"
		[ "$(cat "/sys/block/$disk/queue/logical_block_size")" = "$2" ] || fail "lbs"
		[ "$(cat "/sys/block/$disk/queue/physical_block_size")" = "$2" ] || fail "pbs"
		[ "$(blockdev --getss "/dev/$disk")" = "$2" ] || fail "BLKSSZGET"
		cfs_del "sz$2" || fail "remove"
	done
}

test_unwritten_reads_zero() {
	local disk

	fresh_module
	disk=$(cfs_dev zero size 16)
	cmp -n $((16 << 20)) "/dev/$disk" /dev/zero || fail "fresh disk does not read as zeros"
	# data in sectors 1 and 7 (one page); the rest was never written
	head -c 512 /dev/urandom >"$tmp/s1"
	dd if="$tmp/s1" of="/dev/$disk" bs=512 seek=1 oflag=direct status=none || fail "write"
	dd if="$tmp/s1" of="/dev/$disk" bs=512 seek=7 oflag=direct status=none || fail "write"
	dd if="/dev/$disk" bs=512 count=1 iflag=direct status=none | cmp -n 512 - /dev/zero ||
		fail "sector 0 not zero"
	# One O_DIRECT reader reusing one buffer, a written sector read first:
	# a sector the driver does not fill would show that sector's bytes.
	# Sectors 2-6 share a page with written ones, 8-15 have no page.
	dd if="/dev/$disk" of="$tmp/back" bs=512 skip=1 count=6 iflag=direct status=none ||
		fail "read"
	cmp -n 512 "$tmp/back" "$tmp/s1" || fail "sector 1 wrong"
	cmp -i 512:0 -n 2560 "$tmp/back" /dev/zero || fail "sectors 2-6 not zero"
	dd if="/dev/$disk" of="$tmp/back" bs=512 skip=7 count=9 iflag=direct status=none ||
		fail "read"
	cmp -n 512 "$tmp/back" "$tmp/s1" || fail "sector 7 wrong"
	cmp -i 512:0 -n 4096 "$tmp/back" /dev/zero || fail "sectors 8-15 not zero"
	klabctl -j chardev blk stats zero
	[ "$(stat_of zero pages)" = 1 ] || fail "want exactly one page"
	cfs_del zero || fail "remove"
}

test_discard_frees_memory() {
	local disk p0 p1 p2

	fresh_module
	disk=$(cfs_dev disc size 32)
	[ "$(cat "/sys/block/$disk/queue/discard_granularity")" -gt 0 ] || fail "no discard"
	head -c $((8 << 20)) /dev/urandom >"$tmp/data"
	dd if="$tmp/data" of="/dev/$disk" bs=1M oflag=direct status=none || fail "write"
	p0=$(stat_of disc pages)
	blkdiscard -f -o 0 -l $((4 << 20)) "/dev/$disk" || fail "blkdiscard"
	p1=$(stat_of disc pages)
	blkdiscard -f -z -o $((4 << 20)) -l $((2 << 20)) "/dev/$disk" || fail "blkdiscard -z"
	p2=$(stat_of disc pages)
	echo "pages: $p0 written, $p1 after discard of 4 MiB, $p2 after zeroing 2 MiB"
	[ "$p0" -ge 2048 ] || fail "8 MiB written but $p0 pages"
	[ "$p1" -le $((p0 - 1024)) ] || fail "discard did not free pages"
	[ "$p2" -le $((p1 - 512)) ] || fail "write-zeroes did not free pages"
	grep -q "^pages $p2\$" "$cfs/disc/stats" || fail "configfs stats disagree"
	cmp -n $((6 << 20)) "/dev/$disk" /dev/zero || fail "discarded range not zero"
	cmp -i $((6 << 20)):$((6 << 20)) -n $((2 << 20)) "/dev/$disk" "$tmp/data" ||
		fail "data past the discarded range changed"
	cfs_del disc || fail "remove"
}

# bad_sectors MODE: bad blocks fail exactly their sectors in queue mode
# MODE (in bio mode, setting them moves a running plain disk's I/O off
# its lean path, and clearing them moves it back)
bad_sectors() {
	local n=bb$1 disk s rc bad=""

	disk=$(cfs_dev "$n" size 8 queue_mode "$1")
	dd if=/dev/zero of="/dev/$disk" bs=512 seek=100 count=4 oflag=direct status=none ||
		fail "$1: write before bad blocks"
	echo "+100-103" >"$cfs/$n/badblocks" || fail "set bad blocks"
	cat "$cfs/$n/badblocks"
	grep -qx "100 4" "$cfs/$n/badblocks" || fail "badblocks not listed"
	for s in $(seq 96 107); do
		dd if="/dev/$disk" of=/dev/null bs=512 skip="$s" count=1 iflag=direct status=none 2>/dev/null
		rc=$?
		[ "$rc" = 0 ] || bad="$bad $s"
	done
	echo "$1: reads failed at:$bad"
	[ "$bad" = " 100 101 102 103" ] || fail "$1: want EIO exactly at 100-103"
	dd if="/dev/$disk" of=/dev/null bs=512 skip=101 count=1 iflag=direct 2>"$tmp/err"
	grep -q "Input/output error" "$tmp/err" || fail "$1: not EIO"
	dd if=/dev/zero of="/dev/$disk" bs=512 seek=102 count=1 oflag=direct status=none 2>/dev/null &&
		fail "$1: write to a bad sector succeeded"
	[ "$(stat_of "$n" io_errors)" -ge 6 ] || fail "$1: io_errors not counted"
	echo "-100-103" >"$cfs/$n/badblocks" || fail "clear bad blocks"
	dd if="/dev/$disk" of=/dev/null bs=512 skip=100 count=4 iflag=direct status=none ||
		fail "$1: cleared sectors still fail"
	cfs_del "$n" || fail "remove"
}

test_badblocks_exact() {
	fresh_module
	bad_sectors mq
	bad_sectors bio
}

test_irqmodes_data() {
	local disk mode

	fresh_module
	head -c $((4 << 20)) /dev/urandom >"$tmp/data"
	for mode in none softirq timer; do
		disk=$(cfs_dev "m$mode" size 8 irqmode "$mode" submit_queues 2 \
			hw_queue_depth 4 completion_nsec 20000)
		dd if="$tmp/data" of="/dev/$disk" bs=64k oflag=direct status=none || fail "write ($mode)"
		cmp -n $((4 << 20)) "/dev/$disk" "$tmp/data" || fail "read back ($mode)"
		klabctl -j chardev blk stats "m$mode" | tee "$tmp/st"
		jq -e '.devices[0] | (.queues | length) == 2 and
			([.queues[].requests] | add) > 0 and .inflight == 0 and
			.bytes_written == 4194304 and .bytes_read >= 4194304' "$tmp/st" >/dev/null ||
			fail "counters wrong ($mode)"
		cfs_del "m$mode" || fail "remove ($mode)"
	done
	# the same through bio mode's plain path (bios of many pages)
	disk=$(cfs_dev mbio size 8 queue_mode bio)
	dd if="$tmp/data" of="/dev/$disk" bs=64k oflag=direct status=none || fail "write (bio)"
	cmp -n $((4 << 20)) "/dev/$disk" "$tmp/data" || fail "read back (bio)"
	klabctl -j chardev blk stats mbio | tee "$tmp/st"
	jq -e '.devices[0] | .requests > 0 and .inflight == 0 and
		.bytes_written == 4194304 and .bytes_read >= 4194304' "$tmp/st" >/dev/null ||
		fail "counters wrong (bio)"
	cfs_del mbio || fail "remove (bio)"
}

test_configfs_and_klabctl() {
	local disk

	fresh_module
	disk=$(cfs_dev cf size 16)
	echo 32 >"$cfs/cf/size" 2>/dev/null && fail "size changed while powered"
	klabctl chardev blk list | tee "$tmp/list"
	grep -q "name cf disk $disk" "$tmp/list" || fail "text list lacks cf"
	klabctl -j chardev blk list >"$tmp/json" || fail "list -j"
	jq -e --arg d "$disk" '.devices[] | select(.name == "cf") |
		.disk == $d and .powered and .configfs and .size_mb == 16' "$tmp/json" >/dev/null ||
		fail "cf wrong in JSON"
	jq -e '.devices[] | select(.name == "klab_blk0") | .powered and (.configfs | not)' \
		"$tmp/json" >/dev/null || fail "nr_devices device klab_blk0 missing"
	expect_exit 2 klabctl chardev blk del cf
	grep -q "rmdir" "$tmp/err" || fail "del of a configfs device not explained"

	klabctl chardev blk add nl size 24 blocksize 4096 irqmode softirq || fail "add"
	disk=$(klabctl -j chardev blk list nl | jq -r '.devices[0].disk')
	[ -b "/dev/$disk" ] || fail "/dev/$disk missing"
	[ "$(blockdev --getsize64 "/dev/$disk")" = $((24 << 20)) ] || fail "size of nl"
	[ ! -e "$cfs/nl" ] || fail "genl device appeared in configfs"
	expect_exit 2 klabctl chardev blk add nl
	grep -q "^Error: .*exists" "$tmp/err" || fail "duplicate not refused"
	expect_exit 2 klabctl chardev blk add bad blocksize 1000
	grep -q "^Error: blocksize" "$tmp/err" || fail "extack does not name blocksize"
	expect_exit 2 klabctl chardev blk add bad size 0
	grep -q "^Error: size" "$tmp/err" || fail "extack does not name size"
	expect_exit 2 klabctl chardev blk add bad hw-queue-depth 5000
	grep -q "^Error: hw-queue-depth" "$tmp/err" || fail "extack does not name hw-queue-depth"
	expect_exit 2 klabctl chardev blk add "bad/name"
	grep -q "^Error: name" "$tmp/err" || fail "extack does not name the name"
	expect_exit 1 klabctl chardev blk add bad size x
	expect_exit 1 klabctl chardev blk add bad colour blue
	klabctl chardev blk del nl || fail "del"
	[ ! -e "/dev/$disk" ] || fail "/dev/$disk left after del"
	expect_exit 2 klabctl chardev blk del nl
	cfs_del cf || fail "remove cf"
}

test_unprivileged_refused() {
	fresh_module
	mkdir "$cfs/priv" || fail "mkdir"
	echo 1 | expect_exit 1 "${nobody[@]}" tee "$cfs/priv/power"
	grep -q "Permission denied" "$tmp/err" || fail "configfs write not EACCES"
	expect_exit 1 "${nobody[@]}" mkdir "$cfs/priv2"
	grep -q "Permission denied" "$tmp/err" || fail "configfs mkdir not EACCES"
	expect_exit 2 "${nobody[@]}" klabctl chardev blk add priv3
	grep -qx "Error: Operation not permitted" "$tmp/err" || fail "genl add not EPERM"
	expect_exit 2 "${nobody[@]}" klabctl chardev blk del klab_blk0
	grep -qx "Error: Operation not permitted" "$tmp/err" || fail "genl del not EPERM"
	expect_exit 0 "${nobody[@]}" klabctl chardev blk list >/dev/null
	[ "$(cat "$cfs/priv/power")" = 0 ] || fail "unprivileged write took effect"
	rmdir "$cfs/priv" || fail "rmdir"
}

test_rmmod_busy() {
	fresh_module
	exec 3<"/dev/klab_blk0" || fail "open"
	rmmod chardev 2>"$tmp/err"
	cat "$tmp/err"
	klab_loaded chardev || fail "rmmod succeeded with the disk open"
	grep -qx "rmmod: ERROR: Module chardev is in use" "$tmp/err" ||
		fail "rmmod did not say the module is in use"
	exec 3<&-
	mkdir "$cfs/held" || fail "mkdir"
	rmmod chardev 2>/dev/null
	klab_loaded chardev || fail "rmmod succeeded with a configfs directory"
	rmdir "$cfs/held" || fail "rmdir"
	rmmod chardev || fail "rmmod once everything is closed"
}

test_remove_during_io() {
	local disk pid

	fresh_module
	disk=$(cfs_dev busy size 64 irqmode timer completion_nsec 100000 submit_queues 2)
	dd if=/dev/zero of="/dev/$disk" bs=4k oflag=direct count=100000 status=none 2>/dev/null &
	pid=$!
	sleep 1
	echo 0 >"$cfs/busy/power" || fail "power off during I/O"
	wait "$pid" && fail "dd did not notice the disk going"
	rmdir "$cfs/busy" || fail "rmdir"
}

test_create_remove_50() {
	local blocks0 avail0 blocks1 avail1 i disk

	fresh_module
	blocks0=$(ls /sys/block | wc -l)
	avail0=$(awk '/^MemAvailable/ {print $2}' /proc/meminfo)
	# few processes per round: under TCG on a loaded machine each start
	# costs more than the I/O (the reply of add names the disk; the page
	# count is checked in the first and the last round)
	head -c 1M /dev/urandom >"$tmp/1m" || fail "random data"
	for i in $(seq 50); do
		disk=$(cfs_dev "loop$i" size 8)
		dd if="$tmp/1m" of="/dev/$disk" bs=1M oflag=direct status=none ||
			fail "write #$i"
		[[ $(klabctl -j chardev blk add "nl$i" size 8) =~ \"disk\":\"([a-z_0-9]+)\" ]] ||
			fail "add #$i"
		disk=${BASH_REMATCH[1]}
		dd if="$tmp/1m" of="/dev/$disk" bs=1M oflag=direct status=none ||
			fail "write nl #$i"
		if [ "$i" = 1 ] || [ "$i" = 50 ]; then
			[ "$(stat_of "nl$i" pages)" = 256 ] || fail "pages of nl$i"
		fi
		cfs_del "loop$i" || fail "remove #$i"
		klabctl chardev blk del "nl$i" || fail "del #$i"
	done
	blocks1=$(ls /sys/block | wc -l)
	avail1=$(awk '/^MemAvailable/ {print $2}' /proc/meminfo)
	echo "/sys/block: $blocks0 -> $blocks1 entries; MemAvailable $avail0 -> $avail1 KiB"
	[ "$blocks0" = "$blocks1" ] || fail "/sys/block entries leaked"
	# (the group's own file, features, stays)
	[ -z "$(find "$cfs" -mindepth 1 -maxdepth 1 -type d)" ] ||
		fail "configfs directories left"
	[ "$(klabctl -j chardev blk list | jq '.devices | length')" = 1 ] || fail "devices left"
	# 100 MiB went through the store; losing it would show
	[ $((avail0 - avail1)) -lt $((40 << 10)) ] || fail "MemAvailable dropped by $((avail0 - avail1)) KiB"
	klab_unload chardev || fail "rmmod after the loop"
}

# blk_dev.sh [TEST...]: the named tests (without test_), by default all
# but create_remove_50, which blk_loop.sh runs under its own time limit
tests=(size_matches unwritten_reads_zero discard_frees_memory badblocks_exact
	irqmodes_data configfs_and_klabctl unprivileged_refused rmmod_busy
	remove_during_io)
[ $# -eq 0 ] || tests=("$@")
ktap_plan ${#tests[@]}
for t in "${tests[@]}"; do
	ktap_run "$t" "test_$t"
done
ktap_finish
