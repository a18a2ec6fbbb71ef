#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# iptables' own rule-syntax tests (iptables-t/, the .t files of iptables
# 1.8.9 that iptables-test.py reads) through nf-hipac and through
# iptables-legacy in the same boot, as iptables-test.py runs them: each
# case's rule is appended to its chain; an accepted one is read back with
# -S and deleted.  A case passes when nf-hipac does what iptables-legacy
# does: both refuse the rule, or both accept it and print the same line.
# The cases nf_hipac cannot pass by design are listed with their reason
# in iptables_suite.known; the test fails on any other failing case and
# on a listed case that passes (the list must be exact).
#
# By default the files of CHECK_FILES, all their lines: the subset
# run_tests (make check) runs, a fixed choice that fits its share of the
# VM time (about 2.5 s a case at load 10-14): the standard file and an
# extension's (comment, parsed by its libxtables plugin, typed before
# and after a native match), and nf_hipac_regress.t here: a case of each
# difference the full run found and this project fixed.
# KLAB_SUITE_FILES="libxt_limit.t ...": those files instead; "all": every
# file (make stress-hipac).
# KLAB_SUITE_PER_FILE=N: the first N filter-table lines of each file (0,
# the default: all of them).
# The test functions run through ktap_run.
# shellcheck disable=SC2317
CHECK_FILES="iptables.t libxt_comment.t"

# tool h|i FAMILY ARGS...: nf-hipac or iptables-legacy (4 or 6), in the
# namespace run_cases runs in
tool() {
	local which=$1 fam=$2

	shift 2
	if [ "$which" = h ]; then
		nf-hipac "-$fam" "$@"
	elif [ "$fam" = 6 ]; then
		ip6tables-legacy "$@"
	else
		iptables-legacy "$@"
	fi
}

# One tool's results, one line per case: "OK <its -S line>" or "FAIL".
# Each rule is appended alone, as iptables-test.py does; to spare two
# commands per case the accepted ones are read back with one -S per chain
# and flushed at the end of each .t file (iptables-test.py deletes each
# rule after reading it back: the rules of one file coexist here).
declare -a res
declare -A ok_cases

# read_back h|i FAMILY: the -S lines of the cases accepted since the last
# flush, then flush
read_back() {
	local which=$1 fam=$2 chain i j lines

	for chain in INPUT FORWARD OUTPUT; do
		# shellcheck disable=SC2206 # case numbers
		i=(${ok_cases[$chain]:-})
		[ ${#i[@]} -eq 0 ] && continue
		mapfile -t lines < <(tool "$which" "$fam" -S "$chain" 2>&1 |
			grep "^-A $chain " | tail -n "${#i[@]}")
		for j in "${!i[@]}"; do
			res[${i[$j]}]="OK ${lines[$j]:-}"
		done
		tool "$which" "$fam" -F "$chain" >/dev/null 2>&1
		ok_cases[$chain]=""
	done
}

# run_cases h|i < CASES
run_cases() {
	local which=$1 fam chain rule where file last="" lastfam=4 n=0

	res=()
	ok_cases=()
	while IFS=$'\t' read -r fam chain rule _ _ where; do
		file=${where%%:*}
		if [ "$file" != "$last" ]; then
			[ -n "$last" ] && read_back "$which" "$lastfam"
			last=$file
			lastfam=$fam
		fi
		if [ "$chain" = % ]; then
			# a command the file runs first (iptables' syntax)
			eval "set -- ${rule#iptables }"
			tool "$which" "$fam" "$@" >/dev/null 2>&1
			continue
		fi
		eval "set -- $rule"
		if tool "$which" "$fam" -A "$chain" "$@" >/dev/null 2>&1; then
			ok_cases[$chain]+=" $n"
			res[n]=OK
		else
			res[n]=FAIL
		fi
		n=$((n + 1))
	done
	[ -n "$last" ] && read_back "$which" "$lastfam"
	printf '%s\n' "${res[@]}"
}

# The script runs itself once per tool inside the tool's namespace
# ("--run-cases h|i", cases on stdin): an `ip netns exec` per command
# (a mount namespace and a sysfs mount each) was most of the suite's
# time in the TCG VM.
if [ "${1:-}" = --run-cases ]; then
	run_cases "$2"
	exit
fi

# shellcheck source=hipac_cli_lib.sh
source "$(dirname "$0")/hipac_cli_lib.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
# the .t files are not kept here: the project's shared directory beside
# the repository holds them (KLAB_IPTABLES_T names another place)
SUITE=${KLAB_IPTABLES_T:-$HERE/../../../shared/iptables-t}
# a git worktree elsewhere: beside its main checkout (.git names
# <main>/.git/worktrees/<name>; read directly, git itself may refuse a
# repository root does not own)
if [ ! -r "$SUITE/iptables.t" ] && [ -z "${KLAB_IPTABLES_T:-}" ] && [ -f "$HERE/../../.git" ]; then
	gitdir=$(sed -n 's/^gitdir: //p' "$HERE/../../.git")
	SUITE=${gitdir%/.git/worktrees/*}/../shared/iptables-t
fi
# a clone with no shared directory beside it has nothing to run: a skip
# that says so, as for a missing iptables-legacy
if [ ! -r "$SUITE/iptables.t" ]; then
	echo "# SKIP: iptables' .t files not found in $SUITE (set KLAB_IPTABLES_T)"
	exit "$KSFT_SKIP"
fi
KNOWN=$HERE/iptables_suite.known

test_suite() {
	local files=() f cases=$tmp/cases

	if [ "${KLAB_SUITE_FILES:-}" = all ]; then
		files=("$SUITE"/*.t)
	else
		for f in ${KLAB_SUITE_FILES:-$CHECK_FILES}; do files+=("$SUITE/$f"); done
		# and, in the subset, the cases of the differences found
		[ -z "${KLAB_SUITE_FILES:-}" ] && files+=("$HERE/nf_hipac_regress.t")
	fi
	awk -v per_file="${KLAB_SUITE_PER_FILE:-0}" -f "$HERE/iptables_cases.awk" \
		"${files[@]}" >"$cases"
	fresh_ns "$NS_H" "$NS_I"
	# the two tools run side by side, each in its namespace
	ip netns exec "$NS_I" "$HERE/iptables_suite.sh" --run-cases i <"$cases" >"$tmp/res.i" &
	ip netns exec "$NS_H" "$HERE/iptables_suite.sh" --run-cases h <"$cases" >"$tmp/res.h"
	wait

	awk -F'\t' '$2 != "%"' "$cases" >"$tmp/c"
	paste -d '\t' "$tmp/c" "$tmp/res.i" "$tmp/res.h" |
		awk -F'\t' -v out="$tmp" '
		{
			key = $6 " " $2
			total++
			if ($7 == $8)
				pass++
			else
				printf "%s\n\tiptables: %s\n\tnf-hipac: %s\n", key, $7, $8 > (out "/differ")
			if ($7 != $8)
				print key > (out "/failing")
			expect = $4 == "=" ? $3 : $4
			want = $5 == "OK" ? "OK -A " $2 " " expect : "FAIL"
			if ($7 != want)
				wrong++
		}
		END {
			printf "# %d cases: %d the same as iptables-legacy, %d not\n", total, pass, total - pass
			printf "# iptables-legacy itself differs from the .t files in %d\n", wrong
		}' || fail "comparing the results failed"
	[ "$(wc -l <"$tmp/res.h")" = "$(wc -l <"$tmp/c")" ] || fail "nf-hipac: results missing"
	[ "$(wc -l <"$tmp/res.i")" = "$(wc -l <"$tmp/c")" ] || fail "iptables: results missing"
	touch "$tmp/failing" "$tmp/differ"
	# every difference, for a look after the run (the host's build/vm/out)
	if [ -n "${KLAB_OUT:-}" ]; then
		cp "$tmp/differ" "$KLAB_OUT/iptables_suite.differ"
	fi
	# the known list for the cases run: "file:line CHAIN<TAB>reason"
	cut -f 1 "$KNOWN" | grep -v '^#' | grep -v '^$' | sort >"$tmp/known.all"
	awk -F'\t' '{ print $6 " " $2 }' "$tmp/c" | sort >"$tmp/run"
	comm -12 "$tmp/known.all" "$tmp/run" >"$tmp/known"
	sort -o "$tmp/failing" "$tmp/failing"
	comm -23 "$tmp/failing" "$tmp/known" >"$tmp/new"
	comm -13 "$tmp/failing" "$tmp/known" >"$tmp/fixed"
	echo "# $(wc -l <"$tmp/known") listed in iptables_suite.known"
	if [ -s "$tmp/new" ]; then
		echo "# failing, not listed:"
		while read -r f; do
			grep -A 2 -F "$f" "$tmp/differ" | sed 's/^/#   /'
		done <"$tmp/new"
	fi
	if [ -s "$tmp/fixed" ]; then
		echo "# listed, but the same as iptables-legacy now:"
		sed 's/^/#   /' "$tmp/fixed"
	fi
	[ -s "$tmp/new" ] && fail "$(wc -l <"$tmp/new") cases differ from iptables-legacy"
	[ -s "$tmp/fixed" ] && fail "$(wc -l <"$tmp/fixed") listed cases pass: update the list"
	return 0
}

hipac_cli_start 1
ktap_run iptables_suite test_suite
ktap_finish
