#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Where the time of one fio case goes on klab_blk (bio mode) and on brd,
# in the same boot (inside the VM: scripts/vm-run -b -- bench/chardev-blk-perf.sh):
# perf record -a -g during each run, with a fixed sampling period of the
# cpu-clock (so a sample is a known slice of CPU time), then per run:
#
#   submit_us  CPU time per I/O inside the driver's ->submit_bio and
#              everything it calls (kcdev_blk_submit_bio* or
#              brd_submit_bio, perf's "children" share): the cost of the
#              driver's path, whatever the host's load did to the IOPS
#   busy_us    CPU time per I/O of everything but the idle task (fio,
#              the syscall, the block layer and the driver)
#   self       the share of the samples in the driver's own symbols
#
# The devices take turns, each round starting with the other one.  The
# first round also lists the symbols with the most samples (self time).
# Last, one JSON line per device with the medians over the rounds.
#
#   KLAB_PERF_CASE     rw-engine as in chardev-blk.sh (default randwrite-psync)
#   KLAB_PERF_RUNTIME  seconds of fio per run (default 8)
#   KLAB_PERF_ROUNDS   runs per device (default 3)
#   KLAB_PERF_TOP      symbols listed per device (default 15)
#   KLAB_PERF_CALLERS  symbols whose call chains the first round prints
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bench/lib.sh"
c=${KLAB_PERF_CASE:-randwrite-psync}
runtime=${KLAB_PERF_RUNTIME:-8}
rounds=${KLAB_PERF_ROUNDS:-3}
top=${KLAB_PERF_TOP:-15}
callers=${KLAB_PERF_CALLERS:-}
period_ns=250000
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
names=(klab_bio brd)
devs=("$klab" /dev/ram0)
submit=('kcdev_blk_submit_bio' 'brd_submit_bio')
own=('kcdev_blk_' 'brd_')
for dev in "${devs[@]}"; do
	dd if=/dev/zero of="$dev" bs=1M count="$size_mb" oflag=direct status=none
done

# us SAMPLES IOS: microseconds of CPU per I/O
us() {
	awk -v s="$1" -v n="$2" -v p="$period_ns" \
		'BEGIN { printf "%.2f", (n > 0) ? s * p / 1000 / n : 0 }'
}

# run D ROUND: one fio run on device D under perf; prints its line
declare -a iops_runs submit_runs busy_runs
run() {
	local d=$1 r=$2 iops ios total idle incl self

	perf record -q -a -g -e cpu-clock -c "$period_ns" -o "$tmp/perf.data" -- \
		fio --name=p --filename="${devs[d]}" --rw="$rw" --bs="$bs" --direct=1 \
		--ioengine="$engine" --iodepth="$depth" --size="${size_mb}M" \
		--runtime="$runtime" --time_based --output-format=json \
		>"$tmp/fio.json" 2>/dev/null
	iops=$(jq -r '.jobs[0] | (.read.iops + .write.iops) | floor' "$tmp/fio.json")
	ios=$(jq -r '.jobs[0] | (.read.total_ios + .write.total_ios)' "$tmp/fio.json")
	# Children% Self% Samples [k] symbol
	perf report -q -i "$tmp/perf.data" --children --sort sym -n -g none \
		--stdio 2>/dev/null | grep -v '^$' >"$tmp/report"
	# Overhead% Samples Command: all samples, and the idle task's
	perf report -q -i "$tmp/perf.data" --no-children --sort comm -n -g none --stdio 2>/dev/null |
		grep -v '^$' >"$tmp/comm"
	total=$(awk '{ s += $2 } END { print s + 0 }' "$tmp/comm")
	idle=$(awk '$3 == "swapper" { s += $2 } END { print s + 0 }' "$tmp/comm")
	# the driver's ->submit_bio: the largest children share of its names
	incl=$(awk -v f="${submit[d]}" -v t="$total" \
		'$5 ~ "^" f { v = $1 + 0; if (v > m) m = v } END { printf "%d", m * t / 100 }' \
		"$tmp/report")
	self=$(awk -v f="${own[d]}" '$5 ~ "^" f { s += $2 } END { printf "%.1f", s }' \
		"$tmp/report")
	iops_runs[d]+="$iops "
	submit_runs[d]+="$(us "$incl" "$ios") "
	busy_runs[d]+="$(us $((total - idle)) "$ios") "
	echo "== $c on ${devs[d]} (${names[d]}, round $r): $iops IOPS," \
		"submit_us $(us "$incl" "$ios"), busy_us $(us $((total - idle)) "$ios")," \
		"driver's own symbols $self% of $total samples"
	if [ "$r" = 0 ]; then
		sort -k2 -rn "$tmp/report" |
			awk -v n="$top" 'NR <= n { printf "    %7s  %s %s\n", $2, $4, $5 }'
		for sym in $callers; do
			echo "   callers of $sym:"
			perf report -q -i "$tmp/perf.data" --no-children --stdio \
				--symbols="$sym" -G 2>/dev/null |
				awk 'NF && ++n <= 40 { print "    " $0 }'
		done
	fi
}

for ((r = 0; r < rounds; r++)); do
	for k in 0 1; do
		run $(((r + k) % 2)) "$r"
	done
done
for d in 0 1; do
	read -ra i <<<"${iops_runs[d]}"
	read -ra s <<<"${submit_runs[d]}"
	read -ra b <<<"${busy_runs[d]}"
	echo "{\"bench\":\"chardev-blk-perf\",\"case\":\"$c\",\"device\":\"${names[d]}\",\"rounds\":$rounds,\"iops\":$(median "${i[@]}"),\"submit_us\":$(median "${s[@]}"),\"busy_us\":$(median "${b[@]}"),\"submit_us_runs\":[$(IFS=,; echo "${s[*]}")]}"
done
