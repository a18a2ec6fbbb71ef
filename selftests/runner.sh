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
	timeout --kill-after=10 "$timeout" "$test" 2>&1 | sed 's/^/# /'
	rc=${PIPESTATUS[0]}
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
