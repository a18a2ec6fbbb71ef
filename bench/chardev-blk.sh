#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Benchmark (not a test) of the chardev RAM disk against the kernel's own
# RAM disks, in the same boot, all of the same size and block size, all
# filled first (so reads hit data and writes allocate nothing):
#
#   klab_bio   klab_blk, queue_mode bio (submit_bio, like brd)
#   klab_mq    klab_blk, queue_mode mq (blk-mq, completion in queue_rq)
#   brd        /dev/ram0 (bio-based)
#   nullb_mb   null_blk, memory_backed=1, its default irqmode (softirq)
#   nullb_mb0  null_blk, memory_backed=1, queue_mode=2 irqmode=0
#
# Both null_blk disks get klab_blk's queues and depth, no I/O scheduler
# and no iostats, as klab_blk has by default.  Cases: 4 KiB random read
# and write with libaio at iodepth 32 and with psync, and 64 KiB
# sequential read and write with libaio at iodepth 32; O_DIRECT.  Each
# case runs $repeat times per device, the devices taking turns (starting
# with a different one each round), so that slow phases of the shared TCG
# machine hit all alike.  One JSON line per device and case (median IOPS
# and every run) and one per case with the ratios of the issue's goals:
# bio_vs_brd (klab_bio / brd), mq_vs_nullb_mb, mq_vs_nullb_mb0, and
# bio_vs_brd_paired, the median of the per-round ratios.
#
# Then polled completions: io_uring 4 KiB random reads at iodepth 1 with
# and without --hipri on klab_blk (mq, one poll queue) and on null_blk
# (memory-backed, one poll queue).
#
#   KLAB_BENCH_RUNTIME  seconds per fio run (default 4)
#   KLAB_BENCH_REPEAT   runs per device and case (default 5)
#   KLAB_BENCH_SIZE_MB  device and working-set size (default 256)
#   KLAB_BENCH_CASES    cases to run, e.g. "randread-psync seqwrite-libaio"
#                       (default: all six)
#   KLAB_BENCH_DEVICES  devices to compare, e.g. "klab_bio brd" for quick
#                       paired runs while tuning (default: all five); the
#                       ratio line then has the ratios whose two devices ran
#   KLAB_BENCH_TOGETHER 1: the devices of a round run at the same time, one
#                       fio each, so that a slow phase of a loaded host
#                       hits them alike (for tuning; not the goal's runs)
#   KLAB_BENCH_POLL     0 to skip the polled completions (default 1)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bench/lib.sh"
runtime=${KLAB_BENCH_RUNTIME:-4}
repeat=${KLAB_BENCH_REPEAT:-5}
size_mb=${KLAB_BENCH_SIZE_MB:-256}
cases=${KLAB_BENCH_CASES:-"randread-libaio randread-psync randwrite-libaio randwrite-psync seqread-libaio seqwrite-libaio"}
together=${KLAB_BENCH_TOGETHER:-0}
klabctl=$root/build/bin/klabctl
tmp=$(mktemp -d)
nullcfg=/sys/kernel/config/nullb

command -v fio >/dev/null || { echo '{"error":"fio not installed"}'; exit 1; }

nullb_del() {
	[ -d "$nullcfg/$1" ] || return 0
	echo 0 >"$nullcfg/$1/power"
	rmdir "$nullcfg/$1"
}

cleanup() {
	set +e
	rmmod brd 2>/dev/null
	for n in nullb_mb nullb_mb0 nullb_poll; do
		nullb_del "$n" 2>/dev/null
	done
	rmmod null_blk 2>/dev/null
	for n in klab_bio klab_mq klab_poll; do
		"$klabctl" chardev blk del "$n" >/dev/null 2>&1
	done
}

# klab_add NAME SETTING VALUE...: a klab_blk disk; prints /dev/klab_blkN
klab_add() {
	"$klabctl" -j chardev blk add "$@" size "$size_mb" | jq -r '"/dev/" + .devices[0].disk'
}

# nullb_add NAME ATTR VALUE...: a configfs null_blk disk like klab_blk's
# defaults, with ATTRs on top; prints /dev/NAME
nullb_add() {
	local d=$nullcfg/$1
	shift
	mkdir "$d"
	echo "$size_mb" >"$d/size"
	echo 2 >"$d/queue_mode"
	echo 512 >"$d/blocksize"
	echo 1 >"$d/submit_queues"
	echo 64 >"$d/hw_queue_depth"
	while [ $# -gt 1 ]; do
		echo "$2" >"$d/$1"
		shift 2
	done
	echo 1 >"$d/power"
	# 6.1 names a configfs null_blk disk after its directory
	echo none >"/sys/block/${d##*/}/queue/scheduler"
	echo 0 >"/sys/block/${d##*/}/queue/iostats"
	echo "/dev/${d##*/}"
}

"$root/scripts/modules" unload chardev
"$root/scripts/modules" load chardev
rmmod brd null_blk 2>/dev/null || true
trap 'cleanup; rm -rf "$tmp"' EXIT
"$klabctl" chardev blk del klab_blk0

# fio_iops DEV RW BS ENGINE DEPTH [FIO-ARG...]: print the IOPS
fio_iops() {
	local dev=$1 rw=$2 bs=$3 engine=$4 depth=$5
	shift 5
	fio --name=b --filename="$dev" --rw="$rw" --bs="$bs" --direct=1 \
		--ioengine="$engine" --iodepth="$depth" --size="${size_mb}M" \
		--runtime="$runtime" --time_based --numjobs=1 --group_reporting \
		--output-format=json "$@" 2>/dev/null |
		jq -r --arg k "$(case $rw in *read) echo read ;; *) echo write ;; esac)" \
			'.jobs[0][$k].iops | floor'
}

# ratio A B: A / B to three places, 0 if B is 0
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0) ? a / b : 0 }'
}

# paired A-RUNS B-RUNS: the median of the per-round ratios A_i / B_i
paired() {
	local -a a b r=()
	local i

	read -ra a <<<"$1"
	read -ra b <<<"$2"
	for i in "${!a[@]}"; do
		r+=("$(ratio "${a[i]}" "${b[i]}")")
	done
	median "${r[@]}"
}

# rounds NAMES DEVS RW BS ENGINE DEPTH [FIO-ARG...]: run $repeat rounds,
# the devices taking turns; leaves each device's runs in runs[]
declare -a runs
rounds() {
	local -n names_=$1 devs_=$2
	local rw=$3 bs=$4 engine=$5 depth=$6 n i k d
	shift 6

	n=${#devs_[@]}
	runs=()
	for ((i = 0; i < repeat; i++)); do
		if [ "$together" = 1 ]; then
			for ((d = 0; d < n; d++)); do
				fio_iops "${devs_[d]}" "$rw" "$bs" "$engine" "$depth" "$@" >"$tmp/$d" &
			done
			wait
			for ((d = 0; d < n; d++)); do
				runs[d]+="$(cat "$tmp/$d") "
			done
			continue
		fi
		for ((k = 0; k < n; k++)); do
			d=$(((i + k) % n))
			runs[d]+="$(fio_iops "${devs_[d]}" "$rw" "$bs" "$engine" "$depth" "$@") "
		done
	done
}

# report NAMES CASE-JSON: one line per device; leaves the medians in med[]
declare -a med
report() {
	local -n names_=$1
	local fields=$2 d list

	med=()
	for d in "${!names_[@]}"; do
		read -ra r <<<"${runs[d]}"
		med[d]=$(median "${r[@]}")
		list=$(IFS=,; echo "${r[*]}")
		echo "{\"bench\":\"chardev-blk\",\"device\":\"${names_[d]}\",$fields,\"runtime_s\":$runtime,\"iops\":${med[d]},\"runs\":[$list]}"
	done
}

# dev_add NAME: make the disk NAME of the comparison; prints its node
dev_add() {
	case $1 in
	klab_bio) klab_add klab_bio queue-mode bio ;;
	klab_mq) klab_add klab_mq queue-mode mq ;;
	brd)
		modprobe brd rd_nr=1 rd_size=$((size_mb * 1024)) max_part=0
		echo /dev/ram0
		;;
	nullb_mb) nullb_add nullb_mb memory_backed 1 ;;
	nullb_mb0) nullb_add nullb_mb0 memory_backed 1 irqmode 0 ;;
	*) return 1 ;;
	esac
}

# The disks of the comparison; ix[NAME] is NAME's index in names[]
read -ra names <<<"${KLAB_BENCH_DEVICES:-klab_bio klab_mq brd nullb_mb nullb_mb0}"
declare -A ix
devs=()
modprobe null_blk nr_devices=0
for n in "${names[@]}"; do
	ix[$n]=${#devs[@]}
	devs+=("$(dev_add "$n")") || { echo "{\"error\":\"unknown device $n\"}"; exit 1; }
done
for dev in "${devs[@]}"; do
	dd if=/dev/zero of="$dev" bs=1M count="$size_mb" oflag=direct status=none
done

# ratios: the goals' ratios (JSON members) whose two devices ran
ratios() {
	local pair key a b out=""

	for pair in bio_vs_brd:klab_bio:brd mq_vs_nullb_mb:klab_mq:nullb_mb \
		    mq_vs_nullb_mb0:klab_mq:nullb_mb0 mq_vs_brd:klab_mq:brd; do
		IFS=: read -r key a b <<<"$pair"
		if [ -z "${ix[$a]:-}" ] || [ -z "${ix[$b]:-}" ]; then
			continue
		fi
		out+=",\"$key\":$(ratio "${med[ix[$a]]}" "${med[ix[$b]]}")"
		[ "$key" = bio_vs_brd ] &&
			out+=",\"bio_vs_brd_paired\":$(paired "${runs[ix[$a]]}" "${runs[ix[$b]]}")"
	done
	echo "$out"
}

for c in $cases; do
	case $c in
	rand*) rw=${c%-*} bs=4096 ;;
	seq*) rw=${c%-*} rw=${rw#seq} bs=65536 ;;
	*) echo "{\"error\":\"unknown case $c\"}"; exit 1 ;;
	esac
	engine=${c#*-}
	depth=1
	[ "$engine" = libaio ] && depth=32
	rounds names devs "$rw" "$bs" "$engine" "$depth"
	report names "\"case\":\"$c\",\"rw\":\"$rw\",\"bs\":$bs,\"ioengine\":\"$engine\",\"iodepth\":$depth"
	iops=""
	for n in "${names[@]}"; do
		iops+=",\"${n}_iops\":${med[ix[$n]]}"
	done
	echo "{\"bench\":\"chardev-blk\",\"case\":\"$c\"$iops$(ratios)}"
done
cleanup

[ "${KLAB_BENCH_POLL:-1}" = 1 ] || exit 0

# Polled completions: io_uring with and without --hipri, iodepth 1
"$root/scripts/modules" load chardev
modprobe null_blk nr_devices=0 poll_queues=1
pnames=(klab_poll nullb_poll)
pdevs=("$(klab_add klab_poll queue-mode mq poll-queues 1)"
       "$(nullb_add nullb_poll memory_backed 1 irqmode 0 poll_queues 1)")
for dev in "${pdevs[@]}"; do
	dd if=/dev/zero of="$dev" bs=1M count="$size_mb" oflag=direct status=none
done
for hipri in 0 1; do
	rounds pnames pdevs randread 4096 io_uring 1 --hipri="$hipri"
	report pnames "\"case\":\"randread-io_uring-hipri$hipri\",\"rw\":\"randread\",\"bs\":4096,\"ioengine\":\"io_uring\",\"iodepth\":1,\"hipri\":$hipri"
	polled[hipri]=${med[0]} npolled[hipri]=${med[1]}
done
polled_count=$("$klabctl" -j chardev blk stats klab_poll | jq '.devices[0].polled')
echo "{\"bench\":\"chardev-blk\",\"case\":\"randread-io_uring-poll\",\"klab_iops\":${polled[0]},\"klab_hipri_iops\":${polled[1]},\"nullb_iops\":${npolled[0]},\"nullb_hipri_iops\":${npolled[1]},\"klab_hipri_vs_irq\":$(ratio "${polled[1]}" "${polled[0]}"),\"klab_hipri_vs_nullb_hipri\":$(ratio "${polled[1]}" "${npolled[1]}"),\"klab_polled_requests\":$polled_count}"
