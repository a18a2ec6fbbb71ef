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

# ent JSON NAME FIELD: a field of an entity of a run record
ent() {
	jq -er --arg n "$2" ".entity_stats[] | select(.name == \$n) | .$3" <<<"$1" ||
		fail "no field $3 of entity $2"
}

# expect_near WHAT GOT WANT TOL: |GOT - WANT| <= TOL
expect_near() {
	awk -v g="$2" -v w="$3" -v t="$4" 'BEGIN { d = g - w; if (d < 0) d = -d; exit !(d <= t) }' ||
		fail "$1: $2, want $3 +- $4"
	echo "$1: $2 (want $3 +- $4)"
}

# expect_cmp WHAT A OP B: a numeric comparison, OP one of < <= > >= ==
expect_cmp() {
	awk -v a="$2" -v b="$4" -v op="$3" 'BEGIN {
		if (op == "<") r = a < b; else if (op == "<=") r = a <= b
		else if (op == ">") r = a > b; else if (op == ">=") r = a >= b
		else r = a == b
		exit !r }' || fail "$1: $2 $3 $4 does not hold"
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
last_cpu=$(($(nproc) - 1))
