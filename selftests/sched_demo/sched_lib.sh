#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers for sched_demo's shell selftests: workloads written on the fly,
# runs in the kernel and in the simulator through klabctl -j, and checks
# of numbers with a tolerance.  Sourced, not run.

. "$(dirname "${BASH_SOURCE[0]}")/../lib/klab.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

require_root
klab_loaded sched_demo || klab_load sched_demo || exit "$KSFT_FAIL"

# run_kernel FILE: the statistics of a finished kernel run, as JSON
run_kernel() {
	klabctl -j sched run "$1" || fail "klabctl sched run $1"
}

# run_sim FILE: the same from the simulator
run_sim() {
	klabctl -j sched simulate "$1" || fail "klabctl sched simulate $1"
}

# exp NAME ARGS...: an observer experiment's records, one JSON object per line
exp() {
	klabctl -j sched experiment "$@" --cpu "$last_cpu" || fail "experiment $*"
}

# Under TCG every program started costs most of a second, a jq or an awk
# in each check more than the runs themselves: the helpers below keep
# to bash where they can.

# ents JSON: remember every scalar of every entity of a run record, for
# ent calls on the same record (one jq instead of one per field)
declare -A ent_cache=()
ent_json=""
ents() {
	local n f v

	[ "$1" == "$ent_json" ] && return
	ent_cache=()
	ent_json=$1
	while IFS=$'\t' read -r n f v; do
		ent_cache[$n/$f]=$v
	done < <(jq -r '.entity_stats[] | .name as $n | paths(scalars) as $p |
		[$n, ($p | map(tostring) | join(".")), getpath($p)] | @tsv' <<<"$1")
}

# ent JSON NAME FIELD: a field of an entity of a run record
ent() {
	local key

	if [ "$1" == "$ent_json" ]; then
		key=$2/${3//[/.}
		key=${key//]/}
		[ -n "${ent_cache[$key]+set}" ] || fail "no field $3 of entity $2"
		echo "${ent_cache[$key]}"
		return
	fi
	jq -er --arg n "$2" ".entity_stats[] | select(.name == \$n) | .$3" <<<"$1" ||
		fail "no field $3 of entity $2"
}

# fixed VAR NUMBER: NUMBER (decimal, 6 places at most, below 10^12) in
# millionths, into VAR; false for anything else (awk compares those)
fixed() {
	local v=$2 sign="" int frac=""

	[[ $v =~ ^-?[0-9]{1,12}(\.[0-9]{0,6})?$ ]] || return 1
	[ "${v:0:1}" = - ] && sign=- && v=${v:1}
	int=${v%%.*}
	[[ $v == *.* ]] && frac=${v#*.}
	frac=${frac}000000
	printf -v "$1" '%s' "$sign$((10#$int * 1000000 + 10#${frac:0:6}))"
}

# holds A OP B: a numeric comparison, OP one of < <= > >= ==
holds() {
	local a b

	if fixed a "$1" && fixed b "$3"; then
		case $2 in
		"<") ((a < b)) ;; "<=") ((a <= b)) ;; ">") ((a > b)) ;;
		">=") ((a >= b)) ;; *) ((a == b)) ;;
		esac
		return
	fi
	awk -v a="$1" -v b="$3" -v op="$2" 'BEGIN {
		if (op == "<") r = a < b; else if (op == "<=") r = a <= b
		else if (op == ">") r = a > b; else if (op == ">=") r = a >= b
		else r = a == b
		exit !r }'
}

# expect_near WHAT GOT WANT TOL: |GOT - WANT| <= TOL
expect_near() {
	local g w t

	if fixed g "$2" && fixed w "$3" && fixed t "$4"; then
		((g - w <= t && w - g <= t)) || fail "$1: $2, want $3 +- $4"
	else
		awk -v g="$2" -v w="$3" -v t="$4" 'BEGIN { d = g - w; if (d < 0) d = -d; exit !(d <= t) }' ||
			fail "$1: $2, want $3 +- $4"
	fi
	echo "$1: $2 (want $3 +- $4)"
}

# expect_cmp WHAT A OP B: a numeric comparison, OP one of < <= > >= ==
expect_cmp() {
	holds "$2" "$3" "$4" || fail "$1: $2 $3 $4 does not hold"
	echo "$1: $2 $3 $4"
}

# dl NAME RUNTIME_MS PERIOD_MS: a periodic deadline entity using its budget
dl() {
	echo "{\"name\": \"$1\", \"policy\": \"deadline\", \"runtime_ms\": $2, \"period_ms\": $3,
		\"workload\": {\"type\": \"periodic\", \"run_ms\": $2, \"period_ms\": $3}}"
}

# workload FILE JSON: write a workload file
workload() {
	printf '%s\n' "$2" >"$1"
}

# The last CPU: single-CPU tests run there, away from CPU 0's housekeeping
ncpu=$(nproc)
last_cpu=$((ncpu - 1))
