#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Throughput of /dev/klab_pipe1 against a FIFO (pipe(2) buffer) of the
# same capacity, moved by dd: one writer, one reader, BLOCK-byte blocks.
# Runs as root where chardev can be loaded (e.g. in the VM:
# scripts/vm-run -- bench/chardev-pipe.sh).  Prints one JSON line per
# result; not a pass/fail test.
#
#   bench/chardev-pipe.sh [MiB] [BLOCK...]     defaults: 256, 65536 4096
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mib=${1:-256}
shift || true
blocks=("$@")
[ ${#blocks[@]} -gt 0 ] || blocks=(65536 4096)
dev=klab_pipe1

"$root/scripts/modules" load chardev
cap=$(cat /sys/class/klab/$dev/capacity)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

now_ns() { date +%s%N; }

# result NAME DEV BLOCK BYTES NS
result() {
	awk -v b="$1" -v d="$2" -v bs="$3" -v by="$4" -v ns="$5" -v c="$cap" \
		'BEGIN { printf "{\"bench\":\"%s\",\"dev\":\"%s\",\"block\":%d,\"capacity\":%d,\"bytes\":%d,\"MiB_s\":%.1f}\n",
			 b, d, bs, c, by, by / 1048576 / (ns / 1e9) }'
}

# wait_for FILE VALUE: poll a sysfs counter
wait_for() {
	local i
	for ((i = 0; i < 500; i++)); do
		[ "$(cat "$1")" = "$2" ] && return 0
		sleep 0.01
	done
	echo "timed out waiting for $1 = $2" >&2
	return 1
}

for bs in "${blocks[@]}"; do
	count=$((mib * 1048576 / bs))

	# klab_pipe: the reader opens after the writer, or it sees EOF
	dd if=/dev/zero of=/dev/$dev bs="$bs" count="$count" status=none &
	writer=$!
	wait_for /sys/class/klab/$dev/writers 1
	t0=$(now_ns)
	dd if=/dev/$dev of=/dev/null bs="$bs" count="$count" iflag=fullblock status=none
	t1=$(now_ns)
	wait "$writer"
	result pipe "$dev" "$bs" $((count * bs)) $((t1 - t0))

	# a FIFO sized like the klab pipe with F_SETPIPE_SZ; a holder keeps
	# the pipe (and its size) alive between the two opens
	mkfifo "$tmp/fifo"
	python3 -c '
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.fcntl(fd, 1031, int(sys.argv[2]))	# F_SETPIPE_SZ
print(fcntl.fcntl(fd, 1032), flush=True)	# F_GETPIPE_SZ
time.sleep(3600)' "$tmp/fifo" "$cap" >"$tmp/size" &
	holder=$!
	until [ -s "$tmp/size" ]; do sleep 0.01; done
	[ "$(cat "$tmp/size")" -eq "$cap" ] ||
		echo "fifo size $(cat "$tmp/size"), wanted $cap" >&2
	dd if=/dev/zero of="$tmp/fifo" bs="$bs" count="$count" status=none &
	writer=$!
	t0=$(now_ns)
	dd if="$tmp/fifo" of=/dev/null bs="$bs" count="$count" iflag=fullblock status=none
	t1=$(now_ns)
	wait "$writer"
	kill "$holder"
	wait "$holder" 2>/dev/null || true
	rm -f "$tmp/fifo" "$tmp/size"
	result fifo fifo "$bs" $((count * bs)) $((t1 - t0))
done
