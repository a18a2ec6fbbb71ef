#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host test of facts.sh (ctest facts.*): the catalogue passes its lint, and
# the lint and the report each fail on planted bugs: a misspelt case, a
# program its collection does not have, a fact listed twice or not at all,
# a `missing` fact without its issue; a listed case that fails, is skipped
# or never ran.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
facts=$here/facts.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

check() {	# check WHAT WANT(0|1) CMD...
	local what=$1 want=$2 rc
	shift 2
	"$@" >"$tmp/out" 2>&1
	rc=$?
	if { [ "$want" = 0 ] && [ "$rc" = 0 ]; } || { [ "$want" = 1 ] && [ "$rc" != 0 ]; }; then
		echo "ok - $what"
	else
		echo "not ok - $what (exit $rc)"; sed 's/^/#   /' "$tmp/out"; failed=1
	fi
}

# plant SED: a copy of the catalogue with SED applied; a SED that changes
# nothing plants no bug (the lint would pass for want of one)
plant() {
	sed "$1" "$here/facts.tsv" >"$tmp/planted.tsv"
	! cmp -s "$here/facts.tsv" "$tmp/planted.tsv" ||
		{ echo "not ok - the plant '$1' changed nothing"; failed=1; }
}

check "the catalogue passes its lint" 0 "$facts" lint
plant 's/ctor_once_per_object/ctor_runs_once_per_object/'
check "lint: a misspelt case" 1 env FACTS_TSV="$tmp/planted.tsv" "$facts" lint
plant 's,slabcache/objects.sh,slabcache/object.sh,'
check "lint: a program the collection does not have" 1 env FACTS_TSV="$tmp/planted.tsv" "$facts" lint
plant 's/^A2\t/A1\t/'
check "lint: a fact listed twice, another not at all" 1 env FACTS_TSV="$tmp/planted.tsv" "$facts" lint
# A1 made missing (the catalogue may have no missing fact), its note
# naming no issue, and the issues of any other missing taken away
plant '/^A1\t/s/\tshown\t/\tmissing\t/; /\tmissing\t/s/issue [0-9][0-9]*/later/g'
check "lint: missing without its issue" 1 env FACTS_TSV="$tmp/planted.tsv" "$facts" lint
grep -q "^facts.tsv: A1: missing without the issue" "$tmp/out" ||
	{ echo "not ok - lint: A1 named missing without its issue"; failed=1; }
plant 's/\toutdated\t/\tstale\t/'
check "lint: an unknown status" 1 env FACTS_TSV="$tmp/planted.tsv" "$facts" lint

# tap [SED]: the TAP of a run in which every listed case passed, SED applied
tap() {
	grep -v '^#' "$here/facts.tsv" | tail -n +2 | cut -f4 | sed 's/ ; /\n/g' |
		grep -v '^$' | sort -u | awk '
		{
			prog = $0; sub(/:.*/, "", prog)
			name = $0; if (!sub(/^[^:]*: /, "", name)) name = ""
			if (prog != last && last != "") flush()
			last = prog
			if (name != "") cases[++n] = name
		}
		function flush(   i, a) {
			for (i = 1; i <= n; i++) printf "# ok %d %s\n", i, cases[i]
			# selftests/runner.sh times each program
			printf "# time: %s 1.2 s\n", last
			split(last, a, "/")
			printf "ok %d selftests: %s: %s\n", ++p, a[1], a[2]
			n = 0
		}
		END { flush() }' | sed "${1:-}"
}

tap >"$tmp/all.tap"
check "report: every listed case passed" 0 "$facts" report "$tmp/all.tap"
grep -q "^facts: [0-9]* shown, [0-9]* outdated, 0 failed, [0-9]* missing$" "$tmp/out" ||
	{ echo "not ok - report: summary line"; failed=1; }
tap 's/^# ok \([0-9]*\) ctor_once_per_object$/# not ok \1 ctor_once_per_object/' >"$tmp/fail.tap"
check "report: a listed case failed" 1 "$facts" report "$tmp/fail.tap"
grep -q "^facts: .* 1 failed" "$tmp/out" || { echo "not ok - report: 1 failed"; failed=1; }
tap 's/^\(# ok [0-9]* icmp_never_assured\)$/\1 # SKIP/' >"$tmp/skip.tap"
check "report: a listed case was skipped" 1 "$facts" report "$tmp/skip.tap"
tap '/^# ok [0-9]* demo on rcu$/d' >"$tmp/absent.tap"
check "report: a listed case did not run" 1 "$facts" report "$tmp/absent.tap"

exit $failed
