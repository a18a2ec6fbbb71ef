#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers for rcu_demo's shell selftests.  Sourced, not run.
# shellcheck source=../lib/klab.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/klab.sh"

RCUTORTURE_BIN=$KLAB_ROOT/build/kernel/rcutorture

rcu_setup() {
	require_root
	command -v jq >/dev/null || { echo "# SKIP: needs jq"; exit "$KSFT_SKIP"; }
	klab_loaded rcu_demo || klab_load rcu_demo || exit "$KSFT_FAIL"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	# the rcutorture scripts are written for gawk (asort)
	mkdir -p "$tmp/bin"
	ln -s "$(command -v gawk || echo /usr/bin/gawk)" "$tmp/bin/awk"
}

# rcutorture_script SCRIPT ARGS...: one of the kernel's rcutorture scripts
rcutorture_script() {
	[ -f "$RCUTORTURE_BIN/$1" ] ||
		fail "rcutorture scripts missing in $RCUTORTURE_BIN (make selftests)"
	(cd "$RCUTORTURE_BIN" && PATH=$tmp/bin:$RCUTORTURE_BIN:$PATH bash "$@")
}

# rcu_run VERB ARGS...: run klabctl -j rcu VERB ARGS into $tmp/out.json
# and mark the kernel log first, so that rcu_console finds this run's lines
rcu_run() {
	echo "klab-selftest: $*" >/dev/kmsg
	klabctl -j rcu "$@" >"$tmp/out.json" || fail "klabctl rcu $*: exit $?"
}

# jget FILTER: a jq filter on the last run's result, raw
jget() {
	jq -r "$1" "$tmp/out.json"
}

# expect FILTER: fail unless the jq filter is true on the last result
expect() {
	local v
	v=$(jq -r "$1" "$tmp/out.json")
	[ "$v" = true ] || fail "expected $1 (got $v) in $(cat "$tmp/out.json")"
}

# rcu_console FILE: the kernel log since the last rcu_run, in FILE
rcu_console() {
	dmesg | awk '/klab-selftest: /{ n = NR; delete l } { l[NR] = $0 }
		END { for (i = n; i <= NR; i++) if (i in l) print l[i] }' >"$1"
}

# parse_console FILE TITLE: the kernel's parse-console.sh on FILE;
# prints its diagnostics, returns its output's emptiness
parse_console() {
	local out
	out=$(rcutorture_script parse-console.sh "$1" "$2" 2>&1)
	rm -f "$1.diags"
	echo "$out" | sed 's/^/parse-console: /'
	[ -z "$out" ]
}
