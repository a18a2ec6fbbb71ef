#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Where the time of one fio case goes on klab_blk (bio mode) and on brd,
# in the same boot (inside the VM: scripts/vm-run -b -- bench/chardev-blk-perf.sh):
# perf record -a during the run, then the symbols with the most samples
# (self time) for each device, and the share of the samples in the
# driver's own code (chardev's kcdev_blk_* or brd's brd_*).
#
#   KLAB_PERF_CASE     rw-engine as in chardev-blk.sh (default randwrite-psync)
#   KLAB_PERF_RUNTIME  seconds of fio per device (default 8)
#   KLAB_PERF_TOP      symbols listed per device (default 15)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
c=${KLAB_PERF_CASE:-randwrite-psync}
runtime=${KLAB_PERF_RUNTIME:-8}
top=${KLAB_PERF_TOP:-15}
size_mb=256
klabctl=$root/build/bin/klabctl
tmp=$(mktemp -d)

cleanup() {
	set +e
	rmmod brd 2>/dev/null
	"$klabctl" chardev blk del klab_perf >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

case $c in
rand*) rw=${c%-*} bs=4096 ;;
seq*) rw=${c%-*} rw=${rw#seq} bs=65536 ;;
*) echo "unknown case $c" >&2; exit 1 ;;
esac
engine=${c#*-}
depth=1
[ "$engine" = libaio ] && depth=32

"$root/scripts/modules" load chardev
"$klabctl" chardev blk del klab_blk0 2>/dev/null || true
rmmod brd 2>/dev/null || true
klab=/dev/$("$klabctl" -j chardev blk add klab_perf queue-mode bio size "$size_mb" |
	jq -r '.devices[0].disk')
modprobe brd rd_nr=1 rd_size=$((size_mb * 1024)) max_part=0

for dev in "$klab" /dev/ram0; do
	dd if=/dev/zero of="$dev" bs=1M count="$size_mb" oflag=direct status=none
	perf record -q -a -o "$tmp/perf.data" -- \
		fio --name=p --filename="$dev" --rw="$rw" --bs="$bs" --direct=1 \
		--ioengine="$engine" --iodepth="$depth" --size="${size_mb}M" \
		--runtime="$runtime" --time_based --output-format=json \
		>"$tmp/fio.json" 2>/dev/null
	iops=$(jq -r '.jobs[0] | (.read.iops + .write.iops) | floor' "$tmp/fio.json")
	perf report -q -i "$tmp/perf.data" --sort sym --stdio 2>/dev/null |
		grep -v '^$' >"$tmp/report"
	driver=$(awk '/kcdev_blk_|\] brd_/ { s += $1 } END { printf "%.1f", s }' "$tmp/report")
	echo "== $c on $dev: $iops IOPS; driver's own symbols ${driver}% of samples"
	head -n "$top" "$tmp/report"
done
