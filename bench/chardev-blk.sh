#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Benchmark (not a test) of the chardev RAM disk against the kernel's own
# RAM disks, in the same boot: fio 4k random read and write, O_DIRECT,
# libaio at iodepth 32 and psync, on /dev/klab_blk*, on brd (/dev/ram0,
# bio-based) and on null_blk (/dev/nullb*, blk-mq, memory-backed), all of
# the same size.  null_blk is set up like klab_blk (blk-mq, completion in
# queue_rq, same block size, queues and depth, no I/O scheduler, I/O
# statistics off), so klab_blk/null_blk is what the driver costs and
# null_blk/brd what the 6.1 blk-mq layer costs.  Runs as root inside the
# VM (make bench-chardev); prints one JSON line per device and case (the
# median IOPS and every run) and one per case with the ratios.
#
#   KLAB_BENCH_RUNTIME  seconds per fio run (default 3)
#   KLAB_BENCH_REPEAT   runs per device and case, alternating (default 3)
#   KLAB_BENCH_SIZE_MB  device and working-set size (default 256)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bench/lib.sh"
runtime=${KLAB_BENCH_RUNTIME:-3}
repeat=${KLAB_BENCH_REPEAT:-3}
size_mb=${KLAB_BENCH_SIZE_MB:-256}
klabctl=$root/build/bin/klabctl
nullcfg=/sys/kernel/config/nullb/nullb0

command -v fio >/dev/null || { echo '{"error":"fio not installed"}'; exit 1; }

cleanup() {
	rmmod brd 2>/dev/null
	if [ -d "$nullcfg" ]; then
		echo 0 >"$nullcfg/power" 2>/dev/null
		rmdir "$nullcfg" 2>/dev/null
	fi
	rmmod null_blk 2>/dev/null
	"$klabctl" chardev blk del bench 2>/dev/null
}

"$root/scripts/modules" unload chardev
"$root/scripts/modules" load chardev
rmmod brd null_blk 2>/dev/null || true
trap cleanup EXIT
"$klabctl" chardev blk del klab_blk0
"$klabctl" chardev blk add bench size "$size_mb" >/dev/null
klab_cfg=$("$klabctl" -j chardev blk list bench)
klab=/dev/$(jq -r '.devices[0].disk' <<<"$klab_cfg")

modprobe brd rd_nr=1 rd_size=$((size_mb * 1024)) max_part=0
brd=/dev/ram0

# null_blk through configfs, since its module parameter sizes in whole GiB
modprobe null_blk nr_devices=0
mkdir "$nullcfg"
echo "$size_mb" >"$nullcfg/size"
echo 2 >"$nullcfg/queue_mode"
echo 1 >"$nullcfg/memory_backed"
echo 0 >"$nullcfg/irqmode"
for attr in blocksize submit_queues hw_queue_depth; do
	jq -r ".devices[0].${attr}" <<<"$klab_cfg" >"$nullcfg/$attr"
done
echo 1 >"$nullcfg/power"
null=/dev/nullb0	# 6.1 names a configfs null_blk disk after its directory
echo none >/sys/block/nullb0/queue/scheduler
echo 0 >/sys/block/nullb0/queue/iostats

names=(klab_blk brd null_blk)
devs=("$klab" "$brd" "$null")

# Fill all three so that reads hit data, not holes (each allocates lazily)
for dev in "${devs[@]}"; do
	dd if=/dev/zero of="$dev" bs=1M count="$size_mb" oflag=direct status=none
done

# run DEV RW ENGINE DEPTH: print the IOPS
run() {
	fio --name=b --filename="$1" --rw="$2" --bs=4k --direct=1 --ioengine="$3" \
		--iodepth="$4" --size="${size_mb}M" --runtime="$runtime" --time_based \
		--numjobs=1 --group_reporting --output-format=json 2>/dev/null |
		jq -r --arg rw "${2#rand}" '.jobs[0][$rw].iops | floor'
}


# ratio A B: A / B to three places, 0 if B is 0
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0) ? a / b : 0 }'
}

# Each case runs $repeat times per device, the devices taking turns, so
# that slow phases of the (TCG, shared) machine hit all alike; the median
# is reported with every run.
for rw in randread randwrite; do
	for eng in "libaio 32" "psync 1"; do
		read -r engine depth <<<"$eng"
		runs=("" "" "")
		for ((i = 0; i < repeat; i++)); do
			for d in 0 1 2; do
				runs[d]+="$(run "${devs[d]}" "$rw" "$engine" "$depth") "
			done
		done
		med=()
		for d in 0 1 2; do
			read -ra r <<<"${runs[d]}"
			med[d]=$(median "${r[@]}")
			list=$(IFS=,; echo "${r[*]}")
			echo "{\"bench\":\"chardev-blk\",\"device\":\"${names[d]}\",\"rw\":\"$rw\",\"ioengine\":\"$engine\",\"iodepth\":$depth,\"bs\":4096,\"runtime_s\":$runtime,\"iops\":${med[d]},\"runs\":[$list]}"
		done
		echo "{\"bench\":\"chardev-blk\",\"rw\":\"$rw\",\"ioengine\":\"$engine\",\"iodepth\":$depth,\"klab_blk_iops\":${med[0]},\"brd_iops\":${med[1]},\"null_blk_iops\":${med[2]},\"ratio\":$(ratio "${med[0]}" "${med[1]}"),\"ratio_null_blk\":$(ratio "${med[0]}" "${med[2]}"),\"null_blk_vs_brd\":$(ratio "${med[2]}" "${med[1]}")}"
	done
done
