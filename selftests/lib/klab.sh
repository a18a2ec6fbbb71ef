#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers for klab's shell selftests: KTAP output in kselftest's format,
# the module table, and loading.  Sourced, not run.

KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

KLAB_ROOT=${KLAB_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
PATH=$KLAB_ROOT/build/bin:$PATH

# module -> klabctl subcommand and generic netlink family
# shellcheck disable=SC2034 # used by the scripts that source this file
declare -A KLAB_CLI=(
	[sched_demo]=sched [rcu_demo]=rcu [slabcache]=slab
	[nf_hipac]=hipac [chardev]=chardev [netdev_igb_like]=igb
)
# shellcheck disable=SC2034
declare -A KLAB_FAMILY=(
	[sched_demo]=klab_sched [rcu_demo]=klab_rcu [slabcache]=klab_slab
	[nf_hipac]=nf_hipac [chardev]=klab_chardev [netdev_igb_like]=klab_igb
)

ktap_count=0
ktap_failed=0

ktap_plan() {
	echo "TAP version 13"
	echo "1..$1"
}

# ktap_result NAME STATUS: STATUS is 0 (pass), 4 (skip) or anything else
ktap_result() {
	local name=$1 status=$2

	ktap_count=$((ktap_count + 1))
	case $status in
	0) echo "ok $ktap_count $name" ;;
	4) echo "ok $ktap_count $name # SKIP" ;;
	*)
		echo "not ok $ktap_count $name"
		ktap_failed=$((ktap_failed + 1))
		;;
	esac
}

# ktap_run NAME FUNCTION...: run a test function in a subshell so that a
# failing `set -e` check or an `exit` inside it ends only that test.
ktap_run() {
	local name=$1 status
	shift
	("$@") 2>&1 | sed 's/^/# /'
	status=${PIPESTATUS[0]}
	ktap_result "$name" "$status"
}

ktap_finish() {
	[ "$ktap_failed" -eq 0 ] && exit "$KSFT_PASS"
	exit "$KSFT_FAIL"
}

# fail MESSAGE: end the current test with a message
fail() {
	echo "FAIL: $*" >&2
	exit "$KSFT_FAIL"
}

# expect_exit WANT CMD...: run CMD, keep its stderr in $tmp/err (and show
# it), and fail the test unless it exits with WANT
expect_exit() {
	local want=$1 rc
	shift

	"$@" 2>"${tmp:?}/err"
	rc=$?
	cat "$tmp/err"
	[ "$rc" = "$want" ] || fail "$*: exit $rc, want $want"
}

klab_ko() {
	echo "$KLAB_ROOT/modules/$1/$1.ko"
}

klab_loaded() {
	[ -d "/sys/module/$1" ]
}

klab_load() {
	"$KLAB_ROOT/scripts/modules" load "$1"
}

klab_unload() {
	"$KLAB_ROOT/scripts/modules" unload "$1"
}

# The kernel log's records, read from /dev/kmsg without waiting: "PRI,SEQ,
# TIME,FLAGS;TEXT" lines (and a record's dictionary lines, which start with
# a space).  Its sequence numbers, unlike counting dmesg's lines, still
# tell what is new once the ring buffer is full and old lines drop out.
kmsg_records() {
	dd if=/dev/kmsg iflag=nonblock bs=8192 2>/dev/null
}

# kmsg_mark: the sequence number of the newest record of the kernel log
kmsg_mark() {
	kmsg_records | awk -F'[,;]' '/^[0-9]+,[0-9]+,/ { seq = $2 } END { print seq + 0 }'
}

# kmsg_since SEQ: the text of the records after SEQ (from kmsg_mark)
kmsg_since() {
	kmsg_records | awk -v mark="$1" '/^[0-9]+,[0-9]+,/ {
		split($0, h, ","); i = index($0, ";")
		if (h[2] + 0 > mark + 0) print substr($0, i + 1) }'
}

require_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "# SKIP: needs root"
		exit "$KSFT_SKIP"
	fi
}
