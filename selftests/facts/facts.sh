#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The study notes' facts and the selftests that show them (facts.tsv):
#
#   facts.sh lint             check the catalogue against the selftests'
#                             sources (host side, no VM)
#   facts.sh collections      the collections with a listed test, one a line
#   facts.sh programs COLL    the programs of COLL with a listed test
#   facts.sh run              in the VM: run every listed program, each
#                             collection once, in TAP (runner.sh's)
#   facts.sh report TAP       the table from a TAP log of run or of
#                             make check's run_tests; exits 1 if a listed
#                             test failed, was skipped or did not run
#   facts.sh vm               make facts: run in one VM boot, then report
#                             (build/facts/facts.tap and facts.txt)
#
# A test is COLLECTION/PROGRAM: CASE (a case of the program's TAP) or
# COLLECTION/PROGRAM (the program's own result); several are joined by " ; ".
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
catalogue=${FACTS_TSV:-$here/facts.tsv}

# rows: the catalogue without comments and the header
# (fields separated by US: read with a whitespace IFS would merge empty ones)
rows() { grep -v '^#' "$catalogue" | tail -n +2 | tr '\t' '\037'; }

# tests: every listed test, one a line
tests() { rows | cut -d $'\037' -f4 | sed 's/ ; /\n/g' | grep -v '^$'; }

collections() { tests | sed 's,/.*,,' | sort -u; }

programs() {
	tests | sed -n "s,^$1/\([^:]*\).*,\1,p" | sort -u
}

# collection_tests COLL: the tests of selftests/COLL/Makefile, one a line
collection_tests() {
	# shellcheck disable=SC2016 # make expands these, not the shell
	make -s --no-print-directory -C "$root/selftests/$1" -f Makefile \
		-f - facts-print-tests <<<'facts-print-tests: ; @echo $(TEST_GEN_PROGS) $(TEST_PROGS)' 2>/dev/null |
		tr ' ' '\n'
}

# case_in_source COLL PROG CASE: a kselftest harness TEST()/TEST_F() or a
# shell test's ktap_run/ktap_result (or a wrapper's, igb_run) name, its
# $variables as wildcards, or
# a function test_CASE / t_CASE that a loop runs under its own name
case_in_source() {
	local dir=$root/selftests/$1 prog=$2 name=$3 src

	if [ -f "$dir/$prog.c" ]; then
		local fixture=${name%%.*} test=${name#*.}

		[ "$fixture" = global ] &&
			grep -Eq "^TEST(_SIGNAL)?\(${test}[,)]" "$dir/$prog.c" && return
		grep -Eq "^TEST_F(_SIGNAL|_TIMEOUT)?\($fixture, ${test}[,)]" "$dir/$prog.c"
		return
	fi
	src=$dir/$prog
	[ -f "$src" ] || return 1
	grep -Eq "^(test_|t_)$name\(\)" "$src" && return
	awk -v want="$name" '
		function rx(s,   out, c, i) {
			out = ""
			for (i = 1; i <= length(s); i++) {
				c = substr(s, i, 1)
				if (c == "$") {
					if (substr(s, i + 1, 1) == "{") {
						depth = 0
						for (; i <= length(s); i++) {
							c = substr(s, i, 1)
							if (c == "{") depth++
							if (c == "}" && --depth == 0) break
						}
					} else {
						i++
						while (substr(s, i, 1) ~ /[A-Za-z0-9_]/) i++
						i--
					}
					out = out ".*"
				} else if (c ~ /[][\\^.*+?(){}|\/]/) {
					out = out "\\" c
				} else {
					out = out c
				}
			}
			return "^" out "$"
		}
		match($0, /[a-z_]*_(run|result) +"[^"]*"/) {
			s = substr($0, RSTART, RLENGTH)
			sub(/^[a-z_]*_(run|result) +"/, "", s); sub(/"$/, "", s)
			if (want ~ rx(s)) found = 1
		}
		match($0, /[a-z_]*_(run|result) +[A-Za-z0-9_]+( |$)/) {
			s = substr($0, RSTART, RLENGTH)
			sub(/^[a-z_]*_(run|result) +/, "", s); sub(/ $/, "", s)
			if (want == s) found = 1
		}
		END { exit !found }' "$src"
}

lint() {
	local errors=0 line id sub status tests statement note t coll prog name seps
	local -A seen=() known=()

	# each collection's tests, asked of its Makefile once
	for coll in $(collections); do
		[ -d "$root/selftests/$coll" ] &&
			known[$coll]=" $(collection_tests "$coll" | tr '\n' ' ') "
	done

	err() { echo "facts.tsv: $*" >&2; errors=$((errors + 1)); }
	head -n 3 "$catalogue" | grep -qx $'id\tsubsystem\tstatus\ttests\tstatement\tnote' ||
		err "the header line is not id/subsystem/status/tests/statement/note"
	while IFS= read -r line; do
		IFS=$'\037' read -r id sub status tests statement note <<<"$line"
		seps=${line//[^$'\037']/}
		[ "${#seps}" -eq 5 ] ||
			{ err "$id: not 6 tab-separated fields"; continue; }
		[ -z "${seen[$id]:-}" ] || err "$id: listed twice"
		seen[$id]=1
		if [ -z "$sub" ] || [ -z "$statement" ]; then
			err "$id: no subsystem or statement"
		fi
		case $status in
		shown) [ -n "$tests" ] || err "$id: shown without a test" ;;
		outdated)
			[ -n "$tests" ] || err "$id: outdated without the test that shows 6.1"
			[ -n "$note" ] || err "$id: outdated without the 6.1 behaviour" ;;
		missing)
			grep -Eq 'issue [0-9]+|no open issue|out of' <<<"$note" ||
				err "$id: missing without the issue that covers it (or why none does)" ;;
		*) err "$id: status '$status' is not shown, outdated or missing" ;;
		esac
		[ -z "$tests" ] && continue
		while IFS= read -r t; do
			[[ $t =~ ^([a-z_]+)/([A-Za-z0-9_.-]+)(:\ (.+))?$ ]] ||
				{ err "$id: '$t' is not COLLECTION/PROGRAM[: CASE]"; continue; }
			coll=${BASH_REMATCH[1]} prog=${BASH_REMATCH[2]} name=${BASH_REMATCH[4]}
			[ -d "$root/selftests/$coll" ] ||
				{ err "$id: no collection selftests/$coll"; continue; }
			[[ ${known[$coll]} == *" $prog "* ]] ||
				{ err "$id: $prog is not a test of selftests/$coll/Makefile"; continue; }
			[ -z "$name" ] || case_in_source "$coll" "$prog" "$name" ||
				err "$id: $coll/$prog has no case '$name'"
		done <<<"${tests// ; /$'\n'}"
	done < <(rows)
	for id in $(seq -f A%g 1 15) $(seq -f B%g 1 25) $(seq -f C%g 1 20); do
		[ -n "${seen[$id]:-}" ] || err "$id: not listed"
	done
	[ "${#seen[@]}" -eq 60 ] || err "${#seen[@]} facts, not the notes' 60"
	[ "$errors" -eq 0 ] || { echo "facts.tsv: $errors error(s)" >&2; return 1; }
	echo "facts.tsv: 60 facts, every listed test exists"
}

# run: every collection with a listed test, only those programs, through
# the collection's run_tests (so its module is unloaded after it)
run() {
	local coll rc=0

	for coll in $(collections); do
		make -s --no-print-directory -C "$root/selftests/$coll" run_tests \
			KLAB_TESTS="$(programs "$coll" | tr '\n' ' ')" || rc=1
	done
	return $rc
}

# results TAP: "COLL/PROG<US>CASE<US>ok|fail|skip" for every case and
# "COLL/PROG<US><US>..." for every program, as scripts/check counts them
results() {
	awk '
		function res(line) {
			if (line ~ /^not ok/) return "fail"
			return (line ~ /# SKIP/) ? "skip" : "ok"
		}
		/^# (not )?ok [0-9]+ / {
			l = $0; sub(/^# /, "", l)
			r = res(l)
			sub(/^(not )?ok [0-9]+ /, "", l); sub(/ # (SKIP|TODO|TIMEOUT).*$/, "", l)
			n++; name[n] = l; st[n] = r
			next
		}
		/^(not )?ok [0-9]+ selftests: / {
			r = res($0)
			p = $0; sub(/^.*selftests: /, "", p); sub(/ #.*$/, "", p)
			split(p, a, ": ")
			prog = a[1] "/" a[2]
			for (i = 1; i <= n; i++) printf "%s\037%s\037%s\n", prog, name[i], st[i]
			printf "%s\037\037%s\n", prog, r
			n = 0
		}' "$1"
}

report() {
	local tap=$1 id sub status tests statement note t key r verdict
	local shown=0 outdated=0 failed=0 missing=0 bad
	local -A result=()

	[ -r "$tap" ] || { echo "facts: no TAP log $tap" >&2; return 2; }
	while IFS=$'\037' read -r prog name r; do
		# a case that ran twice counts as failed if either run failed
		key="$prog: $name"
		[ -z "$name" ] && key=$prog
		[ "${result[$key]:-ok}" = ok ] && result[$key]=$r
	done < <(results "$tap")

	printf '%-4s %-10s %-9s %s\n' ID SUBSYSTEM RESULT "STATEMENT / TEST"
	while IFS=$'\037' read -r id sub status tests statement note; do
		bad=""
		if [ -n "$tests" ]; then
			while IFS= read -r t; do
				r=${result[$t]:-}
				case $r in
				ok) ;;
				fail) bad+="${bad:+; }$t failed" ;;
				skip) bad+="${bad:+; }$t was skipped" ;;
				*) bad+="${bad:+; }$t did not run" ;;
				esac
			done <<<"${tests// ; /$'\n'}"
		fi
		if [ -n "$bad" ]; then
			verdict=failed failed=$((failed + 1))
		else
			case $status in
			shown) verdict=shown shown=$((shown + 1)) ;;
			outdated) verdict="outdated (6.1: $note)" outdated=$((outdated + 1)) ;;
			*) verdict="missing ($note)" missing=$((missing + 1)) ;;
			esac
		fi
		printf '%-4s %-10s %-9s %s\n' "$id" "$sub" "${verdict%% *}" "$statement"
		[ -n "$tests" ] && printf '%26s<- %s\n' "" "${tests// ; /$'\n'                          <- }"
		[ "$verdict" = "${verdict%% *}" ] || printf '%26s%s\n' "" "${verdict#* }"
		[ "$status" = shown ] && [ -n "$note" ] && [ -z "$bad" ] &&
			printf '%26s(%s)\n' "" "$note"
		[ -n "$bad" ] && printf '%26s%s\n' "" "FAILED: $bad"
	done < <(rows)
	echo "facts: $shown shown, $outdated outdated, $failed failed, $missing missing"
	[ "$failed" -eq 0 ]
}

# vm: `make facts`
vm() {
	local out=$root/build/facts vm_rc rc

	mkdir -p "$out"
	"$root/scripts/vm-run" -q -t "${FACTS_VM_TIMEOUT:-3600}" -- \
		selftests/facts/facts.sh run | tee "$out/facts.tap"
	vm_rc=${PIPESTATUS[0]}
	report "$out/facts.tap" >"$out/facts.txt"
	rc=$?
	cat "$out/facts.txt"
	case $vm_rc in
	0 | 1 | 2) ;;
	125) echo "facts: the kernel log shows a splat or a bad taint"; rc=1 ;;
	124) echo "facts: the VM timed out"; rc=1 ;;
	*) echo "facts: the VM failed (vm-run exit $vm_rc)"; rc=1 ;;
	esac
	return $rc
}

case ${1:-} in
lint) lint ;;
collections) collections ;;
programs) programs "$2" ;;
run) run ;;
report) report "$2" ;;
vm) vm ;;
*) sed -n '4,19s/^# \?//p' "$0" >&2; exit 2 ;;
esac
