#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# klab_blk's fault injection: every Nth read or write fails, or a random
# fraction of them; a request left to time out is handled by the driver's
# timeout handler exactly once and ends with an error or is requeued and
# completes; completions are delayed; ext4 on a disk that fails one write
# in 1000 reports the errors and still mounts read-only (the VM's log
# gate checks that nothing splats).
set -u

. "$(dirname "${BASH_SOURCE[0]}")/../lib/klab.sh"
. "$(dirname "${BASH_SOURCE[0]}")/blk_lib.sh"

bin=${KLAB_SELFTESTS_OUT:-$KLAB_ROOT/build/selftests}/chardev
tmp=$(mktemp -d)
mnt=$tmp/mnt
mkdir -p "$mnt"
# a failed case leaves no disk behind to hold the module for the next test
trap 'umount "$mnt" 2>/dev/null; cfs_reset >/dev/null 2>&1; rm -rf "$tmp"' EXIT

require_root

# failures DISK OP N: do N one-block direct reads (or writes) and print
# the numbers (from 0) of those that failed
failures() {
	"$bin/blk_probe" "$@" 2>/dev/null || fail "blk_probe $*"
}

test_fail_nth() {
	local mode disk got

	cfs_reset
	for mode in bio mq; do
		disk=/dev/$(cfs_dev "fn$mode" size 16 queue_mode "$mode" fault_ops read \
			fail_nth 4)
		got=$(failures "$disk" read 8)
		echo "$mode: reads failed at:$got"
		[ "$got" = " 3 7" ] || fail "$mode: want every 4th read to fail"
		[ -z "$(failures "$disk" write 4)" ] || fail "$mode: a write failed"
		echo write >"$cfs/fn$mode/fault_ops"
		echo 2 >"$cfs/fn$mode/fail_nth"
		got=$(failures "$disk" write 4)
		[ "$got" = " 1 3" ] || fail "$mode: writes failed at:$got, want 1 3"
		[ "$(cfs_stat "fn$mode" fault_errors)" = 4 ] || fail "$mode: fault_errors"
		echo 0 >"$cfs/fn$mode/fail_nth"
		[ -z "$(failures "$disk" write 4)" ] || fail "$mode: a write failed with fail_nth 0"
		cfs_del "fn$mode" || fail "remove"
	done
}

test_fail_ppm() {
	local disk n

	cfs_reset
	disk=/dev/$(cfs_dev ppm size 16 fail_ppm 500000)
	n=$(failures "$disk" read 1000 | wc -w)
	echo "1000 reads at 500000 ppm: $n failed"
	[ "$n" -ge 400 ] && [ "$n" -le 600 ] || fail "$n of 1000 failed"
	[ "$(cfs_stat ppm fault_errors)" = "$n" ] || fail "fault_errors"
	cfs_del ppm || fail "remove"
}

test_delay() {
	local mode disk t0 t1

	cfs_reset
	for mode in bio mq; do
		disk=/dev/$(cfs_dev "dl$mode" size 16 queue_mode "$mode" delay_nth 2 \
			delay_nsec 100000000)
		t0=$(date +%s%N)
		[ -z "$(failures "$disk" read 10)" ] || fail "$mode: a delayed read failed"
		t1=$(date +%s%N)
		echo "$mode: 10 reads, 5 delayed by 100 ms: $(((t1 - t0) / 1000000)) ms"
		[ $((t1 - t0)) -ge 500000000 ] || fail "$mode: not delayed"
		[ "$(cfs_stat "dl$mode" fault_delays)" = 5 ] || fail "$mode: fault_delays"
		cfs_del "dl$mode" || fail "remove"
	done
}

# timeout ACTION: the third read is left to time out
timeout_case() {
	local disk t0 t1 rc

	cfs_reset
	head -c 12288 /dev/urandom >"$tmp/data"
	disk=/dev/$(cfs_dev "to$1" size 16 queue_mode mq)
	dd if="$tmp/data" of="$disk" bs=4k oflag=direct status=none || fail "write"
	echo 1000 >"/sys/block/${disk#/dev/}/queue/io_timeout" || fail "io_timeout"
	echo read >"$cfs/to$1/fault_ops"
	echo "$1" >"$cfs/to$1/timeout_action"
	echo 3 >"$cfs/to$1/timeout_nth"
	dd if="$disk" of="$tmp/back" bs=4k count=2 iflag=direct status=none || fail "reads 1-2"
	t0=$(date +%s%N)
	dd if="$disk" of="$tmp/back" bs=4k skip=2 seek=2 count=1 iflag=direct \
		status=none 2>"$tmp/err"
	rc=$?
	t1=$(date +%s%N)
	echo 0 >"$cfs/to$1/timeout_nth"
	cat "$tmp/err"
	echo "$1: read 3 took $(((t1 - t0) / 1000000)) ms, exit $rc"
	[ $((t1 - t0)) -ge 900000000 ] || fail "the read did not wait for the timeout"
	sleep 2		# a second run of the handler would show now
	grep -E "^(fault_timeouts|timeouts|inflight) " "$cfs/to$1/stats"
	[ "$(cfs_stat "to$1" fault_timeouts)" = 1 ] || fail "fault_timeouts"
	[ "$(cfs_stat "to$1" timeouts)" = 1 ] || fail "the timeout handler did not run exactly once"
	[ "$(cfs_stat "to$1" inflight)" = 0 ] || fail "a request is still in flight"
	if [ "$1" = error ]; then
		[ "$rc" != 0 ] || fail "the timed-out read succeeded"
		grep -q "Connection timed out" "$tmp/err" || fail "not ETIMEDOUT"
	else
		[ "$rc" = 0 ] || fail "the requeued read failed"
		cmp -n 12288 "$tmp/back" "$tmp/data" || fail "the requeued read's data"
	fi
	cfs_del "to$1" || fail "remove"
}

test_timeout_error() {
	timeout_case error
}

test_timeout_requeue() {
	timeout_case requeue
}

test_ext4_write_errors() {
	local disk n mark

	umount "$mnt" 2>/dev/null
	cfs_reset
	disk=/dev/$(cfs_dev fe size 64)
	n=${disk#/dev/}
	mkfs.ext4 -q -F "$disk" || fail "mkfs.ext4"
	mount "$disk" "$mnt" || fail "mount"
	mark=$(kmsg_mark)
	echo write >"$cfs/fe/fault_ops"
	echo 1000 >"$cfs/fe/fail_nth"
	"$bin/blk_crash" work "$mnt" "$tmp/promises" 1 1500 || true
	sync
	umount "$mnt" || fail "umount"
	echo "$(cfs_stat fe fault_errors) writes failed of $(cfs_stat fe requests) requests" \
		"($(cfs_stat fe bytes_written) bytes written)"
	[ "$(cfs_stat fe fault_errors)" -ge 1 ] || fail "no write failed"
	kmsg_since "$mark" >"$tmp/kmsg"
	grep -E "$n|EXT4-fs" "$tmp/kmsg" | head -5
	grep -q "I/O error, dev $n" "$tmp/kmsg" ||
		fail "the failed writes were not reported"
	mount -o ro "$disk" "$mnt" || fail "mount read-only"
	find "$mnt" -type f | wc -l | xargs echo "files readable:"
	find "$mnt" -type f -exec cat {} + >/dev/null || fail "reading the files"
	umount "$mnt" || fail "umount"
	echo 0 >"$cfs/fe/fail_nth"
	cfs_del fe || fail "remove"
}

ktap_plan 6
ktap_run fail_nth test_fail_nth
ktap_run fail_ppm test_fail_ppm
ktap_run delay test_delay
ktap_run timeout_error test_timeout_error
ktap_run timeout_requeue test_timeout_requeue
ktap_run ext4_write_errors test_ext4_write_errors
ktap_finish
