#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run one collection of tests and report in kselftest's TAP:
#
#   runner.sh COLLECTION TEST...
#
# Each TEST runs from the collection's directory with the timeout of its
# `settings` file (or KLAB_TEST_TIMEOUT); its output is indented as TAP
# diagnostics.  Exit 4 means skip, as in kselftest.  After the
# collection, its module is unloaded so the next collection starts clean.
#
# Before each program's result line a diagnostic gives its duration, and
# the collection's total follows the unload (scripts/check lists the
# slowest):
#
#   # time: COLLECTION/PROG 12.3 s
#   # time: COLLECTION (collection) 143.6 s
#
# A "klab-runner: start COLLECTION/PROG" line in the kernel log marks each
# program's start, so the console's timestamps place every kernel message.
# A program that times out has the blocked tasks' stacks written there
# (sysrq w), and a task of it that cannot be killed does not stop the run.
set -u

collection=$1
shift
timeout=45
if [ -f settings ]; then
	timeout=$(sed -n 's/^timeout=//p' settings)
fi
# KLAB_TEST_TIMEOUT overrides it (0: none; make stress's long versions)
timeout=${KLAB_TEST_TIMEOUT:-$timeout}

# print_time WHAT SINCE: "# time: WHAT N.N s" since $EPOCHREALTIME SINCE,
# in shell arithmetic: a fork costs seconds under TCG
print_time() {
	local now=${EPOCHREALTIME//[.,]/} since=${2//[.,]/} ms

	ms=$(((now - since) / 1000))
	printf '# time: %s %d.%d s\n' "$1" $((ms / 1000)) $((ms % 1000 / 100))
}

# wait_gone PID TENTHS: until PID (no child of this shell's waits) has
# ended, at most TENTHS tenths of a second
wait_gone() {
	local i

	for ((i = 0; i < $2; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

fifo=$(mktemp -u /tmp/klab-runner.XXXXXX) || exit 1
trap 'rm -f "$fifo"' EXIT

echo "TAP version 13"
echo "1..$#"
n=0
failed=0
collection_start=$EPOCHREALTIME
for test in "$@"; do
	n=$((n + 1))
	prog=${test##*/}
	name="selftests: $collection: $prog"
	echo "# $name"
	echo "klab-runner: start $collection/$prog" 2>/dev/null >/dev/kmsg
	start=$EPOCHREALTIME
	# Not a pipe: the runner would wait for every writer of it, and a
	# task stuck in D state (an rmmod in a module's exit) outlives its
	# timeout and SIGKILL.  The indenting sed is waited for, briefly
	# after a timeout.
	mkfifo -m 600 "$fifo" || exit 1
	sed -u 's/^/# /' <"$fifo" &
	indent=$!
	timeout --kill-after=10 "$timeout" "$test" >"$fifo" 2>&1
	rc=$?
	rm -f "$fifo"
	if [ "$rc" = 124 ]; then
		# where every task that cannot run is stuck, into the kernel log
		echo w 2>/dev/null >/proc/sysrq-trigger
		wait_gone "$indent" 20 || kill "$indent"
	else
		wait "$indent"
	fi
	print_time "$collection/$prog" "$start"
	case $rc in
	0) echo "ok $n $name" ;;
	4) echo "ok $n $name # SKIP" ;;
	124) echo "not ok $n $name # TIMEOUT $timeout seconds"; failed=1 ;;
	*) echo "not ok $n $name # exit=$rc"; failed=1 ;;
	esac
done

"$KLAB_ROOT/scripts/modules" unload "$collection" ||
	{ echo "# could not unload $collection"; failed=1; }
print_time "$collection (collection)" "$collection_start"
exit $failed
