#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Benchmark (not a test) of the chardev RAM disk against the kernel's brd,
# in the same boot: fio 4k random read and write, O_DIRECT, libaio at
# iodepth 32 and psync, on /dev/klab_blk0 and /dev/ram0 of the same size.
# Runs as root inside the VM (make bench-chardev); prints one JSON line
# per result (the median IOPS and every run) and one per ratio (klab_blk
# IOPS / brd IOPS).
#
#   KLAB_BENCH_RUNTIME  seconds per fio run (default 3)
#   KLAB_BENCH_REPEAT   runs per device and case, alternating (default 3)
#   KLAB_BENCH_SIZE_MB  device and working-set size (default 256)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runtime=${KLAB_BENCH_RUNTIME:-3}
repeat=${KLAB_BENCH_REPEAT:-3}
size_mb=${KLAB_BENCH_SIZE_MB:-256}

command -v fio >/dev/null || { echo '{"error":"fio not installed"}'; exit 1; }

"$root/scripts/modules" unload chardev
"$root/scripts/modules" load chardev
rmmod brd 2>/dev/null || true
"$root/build/bin/klabctl" chardev blk del klab_blk0
"$root/build/bin/klabctl" chardev blk add bench size "$size_mb" >/dev/null
klab=/dev/$("$root/build/bin/klabctl" -j chardev blk list bench | jq -r '.devices[0].disk')
modprobe brd rd_nr=1 rd_size=$((size_mb * 1024)) max_part=0
brd=/dev/ram0
trap 'rmmod brd 2>/dev/null; "$root/build/bin/klabctl" chardev blk del bench 2>/dev/null' EXIT

# Fill both so that reads hit data, not holes (brd also allocates lazily)
for dev in "$klab" "$brd"; do
	dd if=/dev/zero of="$dev" bs=1M count="$size_mb" oflag=direct status=none
done

# run DEV RW ENGINE DEPTH: print the IOPS
run() {
	fio --name=b --filename="$1" --rw="$2" --bs=4k --direct=1 --ioengine="$3" \
		--iodepth="$4" --size="${size_mb}M" --runtime="$runtime" --time_based \
		--numjobs=1 --group_reporting --output-format=json 2>/dev/null |
		jq -r --arg rw "${2#rand}" '.jobs[0][$rw].iops | floor'
}

# median of the arguments
median() {
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# Each case runs $repeat times per device, the devices alternating, so
# that slow phases of the (TCG, shared) machine hit both alike; the
# median is reported with every run.
for rw in randread randwrite; do
	for eng in "libaio 32" "psync 1"; do
		set -- $eng
		ks=() bs=()
		for ((i = 0; i < repeat; i++)); do
			ks+=("$(run "$klab" "$rw" "$1" "$2")")
			bs+=("$(run "$brd" "$rw" "$1" "$2")")
		done
		k=$(median "${ks[@]}")
		b=$(median "${bs[@]}")
		for pair in "klab_blk $k ${ks[*]}" "brd $b ${bs[*]}"; do
			set -- $pair
			dev=$1 iops=$2
			shift 2
			runs=$(IFS=,; echo "$*")
			set -- $eng
			echo "{\"bench\":\"chardev-blk\",\"device\":\"$dev\",\"rw\":\"$rw\",\"ioengine\":\"$1\",\"iodepth\":$2,\"bs\":4096,\"runtime_s\":$runtime,\"iops\":$iops,\"runs\":[$runs]}"
		done
		set -- $eng
		ratio=$(awk -v k="$k" -v b="$b" 'BEGIN { printf "%.3f", (b > 0) ? k / b : 0 }')
		echo "{\"bench\":\"chardev-blk\",\"rw\":\"$rw\",\"ioengine\":\"$1\",\"iodepth\":$2,\"klab_blk_iops\":$k,\"brd_iops\":$b,\"ratio\":$ratio}"
	done
done
