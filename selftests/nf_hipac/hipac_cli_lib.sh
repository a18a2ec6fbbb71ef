#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers of the CLI-level nf_hipac tests (save_restore.sh, cli_iptables.sh):
# a namespace for nf-hipac and one for iptables-legacy, and comparisons.
# The rule files exercising every option are the host tests'
# (userspace/tests/klabctl/data/hipac_rules*).  Sourced, not run.

# shellcheck source=../lib/klab.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/klab.sh"

DATA=$KLAB_ROOT/userspace/tests/klabctl/data
NS_H=klab_sr_hipac
NS_I=klab_sr_iptables
# shellcheck disable=SC2034 # used by the scripts that source this file
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)

tmp=$(mktemp -d)
cleanup() {
	ip netns del "$NS_H" 2>/dev/null
	ip netns del "$NS_I" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# fresh_ns NAME...: empty network namespaces (empty rule sets)
fresh_ns() {
	local ns

	for ns in "$@"; do
		ip netns del "$ns" 2>/dev/null
		ip netns add "$ns" || fail "cannot create netns $ns"
	done
}

hipac() {
	ip netns exec "$NS_H" nf-hipac "$@"
}

# iptables-legacy, or ip6tables-legacy when the first argument is -6
ipt() {
	if [ "${1:-}" = -6 ]; then
		shift
		ip netns exec "$NS_I" ip6tables-legacy "$@"
	else
		ip netns exec "$NS_I" iptables-legacy "$@"
	fi
}

# saved FAMILY_OPT: nf_hipac's rule set in save format with counters, the
# comment lines (dates) left out
saved() {
	hipac save "$@" -c | grep -v '^#'
}

# same WHAT FILE1 FILE2: fail with a diff unless the files are equal
same() {
	diff -u "$2" "$3" >"$tmp/diff" && return 0
	cat "$tmp/diff"
	fail "$1 differs"
}

# load_both V FAMILY_OPT: fresh namespaces holding the rules (and counters)
# of hipac_rulesV, restored by nf-hipac and by iptables-legacy-restore
load_both() {
	local v=$1 fam=$2 ipt_restore=iptables-legacy-restore

	[ "$fam" = -6 ] && ipt_restore=ip6tables-legacy-restore
	fresh_ns "$NS_H" "$NS_I"
	expect_exit 0 hipac restore "$fam" -c "$DATA/hipac_rules$v.save"
	ip netns exec "$NS_I" "$ipt_restore" -c "$DATA/hipac_rules$v.save" ||
		fail "$ipt_restore failed"
}

# hipac_cli_start PLAN: the checks every test script makes first
hipac_cli_start() {
	require_root
	klab_loaded nf_hipac || klab_load nf_hipac || exit "$KSFT_FAIL"
	command -v iptables-legacy >/dev/null || {
		echo "# SKIP: iptables-legacy is not installed"
		exit "$KSFT_SKIP"
	}
	ktap_plan "$1"
}
