#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Polled completions: a klab_blk with poll_queues has hardware queues of
# type HCTX_TYPE_POLL, and io_uring with IORING_SETUP_IOPOLL (fio --hipri)
# completes its reads by polling them (the polled counter); without
# --hipri, or without poll queues, nothing is polled.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/../lib/klab.sh"
. "$(dirname "${BASH_SOURCE[0]}")/blk_lib.sh"

require_root

# reads DISK HIPRI N: N 4 KiB random reads through io_uring
reads() {
	fio --name=p --filename="$1" --rw=randread --bs=4k --direct=1 \
		--ioengine=io_uring --hipri="$2" --iodepth=4 --size=16M \
		--number_ios="$3" --output-format=json >/dev/null || fail "fio --hipri=$2"
}

test_hipri_polls() {
	local disk n before

	cfs_reset
	disk=/dev/$(cfs_dev poll size 16 poll_queues 1)
	n=${disk#/dev/}
	[ "$(cat "/sys/block/$n/queue/io_poll")" = 1 ] || fail "io_poll off"
	ls "/sys/block/$n/mq" | wc -l | grep -qx 2 || fail "want 2 hardware queues"
	reads "$disk" 1 1000
	grep -E "^(requests|polled|queue[0-9]_requests) " "$cfs/poll/stats"
	[ "$(cfs_stat poll polled)" -ge 1000 ] || fail "hipri reads were not polled"
	[ "$(cfs_stat poll queue1_requests)" -ge 1000 ] || fail "the poll queue was not used"
	before=$(cfs_stat poll polled)
	reads "$disk" 0 1000
	[ "$(cfs_stat poll polled)" = "$before" ] || fail "reads without --hipri were polled"
	[ "$(cfs_stat poll inflight)" = 0 ] || fail "requests left in flight"
	cfs_del poll || fail "remove"
}

test_no_poll_queues() {
	local mode disk

	cfs_reset
	for mode in mq bio; do
		disk=/dev/$(cfs_dev "np$mode" size 16 queue_mode "$mode")
		[ "$(cat "/sys/block/${disk#/dev/}/queue/io_poll")" = 0 ] || fail "$mode: io_poll on"
		reads "$disk" 1 200
		[ "$(cfs_stat "np$mode" polled)" = 0 ] || fail "$mode: polled without poll queues"
		cfs_del "np$mode" || fail "remove"
	done
}

ktap_plan 2
ktap_run hipri_polls test_hipri_polls
ktap_run no_poll_queues test_no_poll_queues
ktap_finish
