#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The long runs of make stress, in the VM: each module's stress step, then
# the gauntlet's long versions, one after the other in one boot.
#
#   selftests/stress.sh [STEP...]	(default: every step, in this order)
#
# Steps (make stress-<module> runs one of them in a boot of its own):
#   rcu       rcu_demo's torture types, controls, seqlocks (rcu_demo/stress.sh)
#   igb       netdev_igb_like's run_tests with unload under traffic and a
#             long stop/wake run
#   chardev   klab_blk: power cuts under ext4, btrfs zone appends, fio zbd
#   sched     sched_demo's timing checks (timing.sh)
#   hipac     nf_hipac: every case of iptables' own .t files, and the
#             differential test's long random sets with extensions
#             (diff_iptables.sh with KLAB_STRESS=1)
#   gauntlet  make -C selftests/gauntlet run_tests with KLAB_STRESS=1
#             (when that collection exists)
#
# A progress line per step with its elapsed time, then one summary line
# "stress: N passed, N failed", counting steps: a step passes when it
# exits 0 (a skip, exit 4, counts as failed: make stress asked for it).
# Exits 1 if any step failed.
#
# Lengths (the defaults are make stress's; shorter ones check the harness):
#   STRESS_DURATION            seconds per rcu_demo torture type (60)
#   KLAB_STRESS_CUTS           chardev power cuts (20)
#   KLAB_STRESS_FIO_LOOPS      chardev fio --zonemode=zbd loops (10)
#   KLAB_STRESS_IGB_FRAMES     frames through igb's stop/wake test (20000)
#   KLAB_STRESS_SCHED_ROUNDS   rounds of sched_demo's timing checks (3)
#   KLAB_STRESS_HIPAC_PER_FILE iptables .t lines per file, 0 = all (0)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
all_steps=(rcu igb chardev sched hipac gauntlet)

step_rcu() {
	"$here/rcu_demo/stress.sh"
}

step_igb() {
	IGB_STRESS=1 IGB_STOP_WAKE_FRAMES=${KLAB_STRESS_IGB_FRAMES:-20000} \
		make -s -C "$here/netdev_igb_like" run_tests
}

# the steps run where errexit is off: their commands chain with &&
step_chardev() {
	cd "$here/chardev" &&
		./blk_crash.sh "${KLAB_STRESS_CUTS:-20}" &&
		KLAB_BLK_FIO_LOOPS=${KLAB_STRESS_FIO_LOOPS:-10} \
			./blk_zoned.sh btrfs_zone_append fio_zbd
}

step_sched() {
	"$here/sched_demo/timing.sh" "${KLAB_STRESS_SCHED_ROUNDS:-3}"
}

step_hipac() {
	local rc=0

	KLAB_SUITE_FILES=all KLAB_SUITE_PER_FILE=${KLAB_STRESS_HIPAC_PER_FILE:-0} \
		"$here/nf_hipac/iptables_suite.sh" || rc=1
	KLAB_STRESS=1 "$here/nf_hipac/diff_iptables.sh" || rc=1
	return $rc
}

step_gauntlet() {
	# 200 churn cycles a module outlast any per-test timeout
	KLAB_STRESS=1 KLAB_TEST_TIMEOUT=0 make -s -C "$here/gauntlet" run_tests
}

# present STEP: whether the step's tests are in the tree
present() {
	[ "$1" != gauntlet ] || [ -f "$here/gauntlet/Makefile" ]
}

main() {
	local steps=("$@") s rc t0 start=$SECONDS i=0 passed=0 failed=0

	[ $# -gt 0 ] || steps=("${all_steps[@]}")
	for s in "${steps[@]}"; do
		declare -F "step_$s" >/dev/null || { echo "stress: no step $s" >&2; exit 2; }
	done
	for s in "${steps[@]}"; do
		i=$((i + 1))
		if ! present "$s"; then
			echo "stress: [$i/${#steps[@]}] $s: not in the tree, not counted"
			continue
		fi
		echo "stress: [$i/${#steps[@]}] $s begins ($((SECONDS - start))s so far)"
		t0=$SECONDS
		rc=0
		("step_$s") || rc=$?	# a subshell: a step may cd
		if [ "$rc" = 0 ]; then
			passed=$((passed + 1))
			echo "stress: [$i/${#steps[@]}] $s passed in $((SECONDS - t0))s"
		else
			failed=$((failed + 1))
			echo "stress: [$i/${#steps[@]}] $s FAILED (exit $rc) in $((SECONDS - t0))s"
		fi
	done
	echo "stress: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

main "$@"
