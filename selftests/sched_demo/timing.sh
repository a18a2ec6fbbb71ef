#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make stress-sched: the timing-sensitive checks of run_tests (the
# framework's deadline class in the kernel, the observer's shares on the
# kernel's own scheduler) repeated, to see how they hold on a loaded
# host:  scripts/vm-run -- selftests/sched_demo/timing.sh [ROUNDS]
set -u

dir=$(dirname "${BASH_SOURCE[0]}")
rounds=${1:-3}
rc=0
export KLAB_SCHED_STRESS=1

for ((i = 1; i <= rounds; i++)); do
	echo "# round $i of $rounds"
	"$dir/deadline.sh" || rc=1
	"$dir/observer.sh" || rc=1
done
exit $rc
