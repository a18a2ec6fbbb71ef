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
set -u

collection=$1
shift
timeout=45
if [ -f settings ]; then
	timeout=$(sed -n 's/^timeout=//p' settings)
fi
# KLAB_TEST_TIMEOUT overrides it (0: none; make stress's long versions)
timeout=${KLAB_TEST_TIMEOUT:-$timeout}

echo "TAP version 13"
echo "1..$#"
n=0
failed=0
for test in "$@"; do
	n=$((n + 1))
	name="selftests: $collection: $(basename "$test")"
	echo "# $name"
	timeout --kill-after=10 "$timeout" "$test" 2>&1 | sed 's/^/# /'
	rc=${PIPESTATUS[0]}
	case $rc in
	0) echo "ok $n $name" ;;
	4) echo "ok $n $name # SKIP" ;;
	124) echo "not ok $n $name # TIMEOUT $timeout seconds"; failed=1 ;;
	*) echo "not ok $n $name # exit=$rc"; failed=1 ;;
	esac
done

"$KLAB_ROOT/scripts/modules" unload "$collection" ||
	{ echo "# could not unload $collection"; failed=1; }
exit $failed
