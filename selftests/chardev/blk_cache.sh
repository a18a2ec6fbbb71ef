#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# klab_blk's queue modes and volatile write cache: data written in one
# mode reads back in the other across a power cycle; with cache_size the
# queue advertises a write-back cache, writes are readable at once but
# lost on a power cut unless flushed (fsync of the disk) or written with
# FUA (O_DSYNC), and a full cache writes pages back by itself; bad
# configurations are refused with EINVAL, a reason, and no change.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/../lib/klab.sh"
. "$(dirname "${BASH_SOURCE[0]}")/blk_lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

require_root

# cut NAME: power off and on again
cut() {
	echo 0 >"$cfs/$1/power" || fail "power off $1"
	echo 1 >"$cfs/$1/power" || fail "power on $1"
}

test_modes_share_data() {
	local disk

	cfs_reset
	head -c $((3 << 20)) /dev/urandom >"$tmp/data"
	disk=/dev/$(cfs_dev modes size 16 queue_mode bio)
	[ "$(cat "$cfs/modes/queue_mode")" = bio ] || fail "queue_mode not bio"
	[ ! -e "/sys/block/${disk#/dev/}/mq" ] || fail "a bio-mode disk has blk-mq queues"
	dd if="$tmp/data" of="$disk" bs=64k seek=1 oflag=direct status=none || fail "write (bio)"
	echo 0 >"$cfs/modes/power"
	echo 2 >"$cfs/modes/queue_mode" || fail "queue_mode 2"
	[ "$(cat "$cfs/modes/queue_mode")" = mq ] || fail "queue_mode 2 is not mq"
	echo 1 >"$cfs/modes/power" || fail "power on (mq)"
	[ -d "/sys/block/${disk#/dev/}/mq" ] || fail "an mq-mode disk has no blk-mq queues"
	cmp -i 65536:0 -n $((3 << 20)) "$disk" "$tmp/data" || fail "data lost across modes"
	cmp -n 65536 "$disk" /dev/zero || fail "unwritten sectors not zero"
	grep -qx "requests [1-9][0-9]*" "$cfs/modes/stats" || fail "no requests counted"
	cfs_del modes || fail "remove"
}

test_cache_loses_unflushed_writes() {
	local mode disk n

	cfs_reset
	head -c $((2 << 20)) /dev/urandom >"$tmp/data"
	for mode in bio mq; do
		disk=/dev/$(cfs_dev "c$mode" size 16 cache_size 4 queue_mode "$mode")
		n=${disk#/dev/}
		[ "$(cat "/sys/block/$n/queue/write_cache")" = "write back" ] ||
			fail "$mode: no write-back cache advertised"
		[ "$(cat "/sys/block/$n/queue/fua")" = 1 ] || fail "$mode: no FUA"
		dd if="$tmp/data" of="$disk" bs=64k oflag=direct status=none || fail "write"
		[ "$(cfs_stat "c$mode" cache_dirty_bytes)" = $((2 << 20)) ] ||
			fail "$mode: 2 MiB written, $(cfs_stat "c$mode" cache_dirty_bytes) dirty"
		cmp -n $((2 << 20)) "$disk" "$tmp/data" || fail "$mode: cached data not read back"
		cut "c$mode"
		echo "$mode: power cut lost $(cfs_stat "c$mode" last_dropped_bytes) bytes"
		[ "$(cfs_stat "c$mode" last_dropped_bytes)" = $((2 << 20)) ] ||
			fail "$mode: the cut did not drop the 2 unflushed MiB"
		cmp -n $((2 << 20)) "$disk" /dev/zero || fail "$mode: unflushed data survived"
		cfs_del "c$mode" || fail "remove"
	done
}

test_cache_flush_and_fua_are_durable() {
	local mode disk

	cfs_reset
	head -c $((2 << 20)) /dev/urandom >"$tmp/data"
	for mode in bio mq; do
		disk=/dev/$(cfs_dev "f$mode" size 16 cache_size 4 queue_mode "$mode")
		dd if="$tmp/data" of="$disk" bs=64k count=16 oflag=direct status=none ||
			fail "write"
		sync "$disk" || fail "fsync of the disk"	# a flush
		# FUA alone: a synchronous O_DSYNC write (dd oflag=dsync) is
		# followed by a flush, an asynchronous one is not
		fio --name=fua --filename="$disk" --rw=write --bs=64k --offset=1M \
			--size=1M --direct=1 --ioengine=libaio --iodepth=4 \
			--sync=dsync --output-format=json >/dev/null || fail "FUA writes"
		dd if="$disk" of="$tmp/fua" bs=64k skip=16 count=16 iflag=direct \
			status=none || fail "read back"
		grep . "$cfs/f$mode/stats" | grep -E "^(flushes|fua|cache_dirty_bytes) "
		[ "$(cfs_stat "f$mode" flushes)" -ge 1 ] || fail "$mode: no flush seen"
		[ "$(cfs_stat "f$mode" fua)" -ge 16 ] || fail "$mode: no FUA writes seen"
		[ "$(cfs_stat "f$mode" cache_dirty_bytes)" = 0 ] || fail "$mode: dirty after flush"
		cut "f$mode"
		[ "$(cfs_stat "f$mode" last_dropped_bytes)" = 0 ] || fail "$mode: the cut lost data"
		cmp -n $((1 << 20)) "$disk" "$tmp/data" || fail "$mode: flushed data lost"
		cmp -i $((1 << 20)):0 -n $((1 << 20)) "$disk" "$tmp/fua" ||
			fail "$mode: FUA data lost"
		cfs_del "f$mode" || fail "remove"
	done
}

test_full_cache_writes_back() {
	local disk dropped differ

	cfs_reset
	head -c $((4 << 20)) /dev/urandom >"$tmp/data"
	disk=/dev/$(cfs_dev full size 16 cache_size 1)
	dd if="$tmp/data" of="$disk" bs=64k oflag=direct status=none || fail "write"
	grep -E "^cache_" "$cfs/full/stats"
	[ "$(cfs_stat full cache_pages)" -le 256 ] || fail "more than 1 MiB cached"
	[ "$(cfs_stat full cache_writebacks)" -ge 768 ] || fail "too few pages written back"
	cut full
	dropped=$(cfs_stat full last_dropped_bytes)
	differ=$(cmp -l "$disk" "$tmp/data" 2>/dev/null | wc -l)
	echo "cut: $dropped bytes dropped, $differ bytes differ"
	[ "$dropped" -gt 0 ] && [ "$dropped" -le $((1 << 20)) ] || fail "dropped $dropped"
	[ "$differ" -le "$dropped" ] || fail "more lost than the cache held"
	cfs_del full || fail "remove"
}

# refuse NAME ATTR VALUE WHY: writing VALUE fails with EINVAL, logs WHY,
# and leaves ATTR as it was
refuse() {
	local before mark

	before=$(cat "$cfs/$1/$2")
	mark=$(kmsg_mark)
	echo "$3" 2>"$tmp/err" >"$cfs/$1/$2" && fail "$2=$3 accepted"
	grep -q "Invalid argument" "$tmp/err" || fail "$2=$3: $(cat "$tmp/err"), want EINVAL"
	kmsg_since "$mark" | grep -q "klab_blk $1: .*$4" ||
		fail "$2=$3: no '$4' in the log"
	[ "$(cat "$cfs/$1/$2")" = "$before" ] || fail "$2=$3 changed $2"
}

test_bad_configs_refused() {
	cfs_reset
	mkdir "$cfs/bad" || fail "mkdir"
	echo 8 >"$cfs/bad/size"
	refuse bad cache_size 16 "cache-size larger than the device"
	echo bio >"$cfs/bad/queue_mode"
	refuse bad poll_queues 1 "poll-queues need queue-mode mq"
	refuse bad irqmode timer "irqmode must be none"
	refuse bad timeout_nth 5 "timeouts need queue-mode mq"
	refuse bad queue_mode rq "queue-mode must be bio (0) or mq (2)"
	echo mq >"$cfs/bad/queue_mode"
	echo 2 >"$cfs/bad/poll_queues" || fail "poll_queues with mq"
	refuse bad queue_mode bio "poll-queues need queue-mode mq"
	echo 0 >"$cfs/bad/poll_queues"
	# the whole configuration is checked: 64 MiB zones do not fit in 8
	refuse bad zoned 1 "zone-size larger than the device"
	echo 4 >"$cfs/bad/zone_size" || fail "zone_size 4"
	echo 1 >"$cfs/bad/zoned" || fail "zoned"
	refuse bad zone_size 3 "zone-size must be a power of two"
	refuse bad zone_size 16 "zone-size larger than the device"
	refuse bad zone_capacity 8 "zone-capacity larger than the zone size"
	refuse bad cache_size 2 "a zoned device has no write cache"
	echo 0 >"$cfs/bad/zoned"
	echo 1 >"$cfs/bad/power" || fail "power on"
	refuse bad size 16 "cannot change while powered on"
	refuse bad queue_mode bio "cannot change while powered on"
	echo 7 >"$cfs/bad/fail_nth" || fail "fault injection while powered"
	echo 0 >"$cfs/bad/fail_nth"
	expect_exit 2 klabctl chardev blk add bad2 size 8 cache-size 9
	grep -qx "Error: cache-size larger than the device" "$tmp/err" || fail "extack"
	expect_exit 2 klabctl chardev blk add bad2 queue-mode bio poll-queues 1
	grep -qx "Error: poll-queues need queue-mode mq" "$tmp/err" || fail "extack"
	expect_exit 2 klabctl chardev blk add bad2 zoned on zone-size 24
	grep -qx "Error: zone-size must be a power of two (MiB)" "$tmp/err" || fail "extack"
	expect_exit 2 klabctl chardev blk set klab_blk0 size 8
	grep -q "^Error: cannot change while powered on" "$tmp/err" || fail "extack"
	[ -z "$(klabctl -j chardev blk list | jq '.devices[] | select(.name == "bad2")')" ] ||
		fail "a refused device exists"
	cfs_del bad || fail "remove"
}

ktap_plan 5
ktap_run modes_share_data test_modes_share_data
ktap_run cache_loses_unflushed_writes test_cache_loses_unflushed_writes
ktap_run cache_flush_and_fua_are_durable test_cache_flush_and_fua_are_durable
ktap_run full_cache_writes_back test_full_cache_writes_back
ktap_run bad_configs_refused test_bad_configs_refused
ktap_finish
