#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rcu_demo's benchmark (make bench-rcu, inside the VM, one boot): the
# refscale-style read-side cost of every type, the ratios of klab's read
# sides to the kernel's, and grace-period latency percentiles of every
# synchronize primitive side by side.  One JSON line per result; the
# side-by-side tables go to stderr.
#
#   LOOPS=10000 NRUNS=30 SAMPLES=200 GP_READERS=1 ROUNDS=6 bench/rcu.sh
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PATH=$root/build/bin:$PATH
LOOPS=${LOOPS:-10000}
NRUNS=${NRUNS:-30}
SAMPLES=${SAMPLES:-200}
GP_READERS=${GP_READERS:-1}
ROUNDS=${ROUNDS:-6}

"$root/scripts/modules" load rcu_demo >&2 || exit 1
cpus=$(nproc)

out=${KLAB_OUT:-/tmp}

# ok FILE WHAT: every run record in FILE succeeded, or say which did not
ok() {
	jq -s -e '[.[] | select(.harness) | .success] | length > 0 and all' "$1" >/dev/null && return
	echo "Error: $2 failed: $(jq -c 'select(.harness and (.success | not))' "$1")" >&2
	exit 1
}

# the scale table: one record per type, then the ratios
klabctl -j rcu scale --type all --loops "$LOOPS" --nruns "$NRUNS" >"$out/rcu-scale.raw" ||
	{ echo "Error: klabctl rcu scale failed" >&2; exit 1; }
ok "$out/rcu-scale.raw" "rcu scale"
jq -c --argjson cpus "$cpus" '
	if .ratios then {bench: "rcu-scale-ratio", cpus: $cpus} + (del(.module, .ratios))
	else .results[0] | {bench: "rcu-scale", type: .name, cpus: $cpus,
		readers, loops, nruns, irqs_off,
		median_ns: (.median_ps / 1000), min_ns: (.min_ps / 1000),
		max_ns: (.max_ps / 1000), mean_ns: (.mean_ps / 1000)} end' \
	"$out/rcu-scale.raw" | tee "$out/rcu-scale.json" || exit 1

# The goal's ratios, from runs of each pair side by side: the "all"
# table measures each type once, seconds apart, and on a loaded host the
# CPU's speed moves between them (the empty loop and preempt doubled
# from one boot to the next).  Each round times the kernel's type and
# klab's back to back, in alternating order; the ratio is the median of
# the rounds' ratios.
median_ns() {
	klabctl -j rcu scale --type "$1" --loops "$LOOPS" --nruns "$NRUNS" >"$out/rcu-pair.raw" ||
		{ echo "Error: klabctl rcu scale --type $1 failed" >&2; exit 1; }
	ok "$out/rcu-pair.raw" "rcu scale --type $1"
	jq -r '.results[0].median_ps' "$out/rcu-pair.raw"
}

paired() {
	local kernel=$1 klab=$2 r k m ratios=()
	for ((r = 0; r < ROUNDS; r++)); do
		if ((r % 2)); then
			m=$(median_ns "$klab") && k=$(median_ns "$kernel") || exit 1
		else
			k=$(median_ns "$kernel") && m=$(median_ns "$klab") || exit 1
		fi
		ratios+=("$m/$k")
	done
	printf '%s\n' "${ratios[@]}" | jq -R -s -c -M --arg kernel "$kernel" --arg klab "$klab" '
		[split("\n")[] | select(length > 0) | split("/") | map(tonumber)] as $r |
		($r | map(.[0] / .[1]) | sort) as $q |
		{bench: "rcu-scale-paired", kernel: $kernel, klab: $klab,
		 rounds: ($r | length),
		 kernel_median_ns: ($r | map(.[1] / 1000)),
		 klab_median_ns: ($r | map(.[0] / 1000)),
		 ratios: $q,
		 median_ratio: (if ($q | length) % 2 == 1 then $q[($q | length) / 2 | floor]
			else ($q[($q | length) / 2 - 1] + $q[($q | length) / 2]) / 2 end)}'
}
paired rcu klab_rcu || exit 1
paired seqlock klab_seqlock || exit 1

# grace-period latency, every primitive in one run, with a reader going
klabctl -j rcu gp-latency --samples "$SAMPLES" --readers "$GP_READERS" >"$out/rcu-gp.raw" ||
	{ echo "Error: klabctl rcu gp-latency failed" >&2; exit 1; }
ok "$out/rcu-gp.raw" "rcu gp-latency"
jq -c --argjson cpus "$cpus" '.results[] |
	if .callers then {bench: "rcu-gp-shared", cpus: $cpus, callers,
		grace_periods}
	else {bench: "rcu-gp-latency", primitive: .name, cpus: $cpus, samples,
		readers, min_ns, p50_ns, p90_ns, p99_ns, max_ns, mean_ns} end' \
	"$out/rcu-gp.raw" | tee "$out/rcu-gp.json" || exit 1

# klab synchronize over synchronize_rcu, percentile by percentile
jq -s -c -M '
	(map(select(.primitive == "rcu"))[0]) as $k |
	(map(select(.primitive == "klab_rcu"))[0]) as $m |
	(map(select(.primitive == "rcu_expedited"))[0]) as $ke |
	(map(select(.primitive == "klab_rcu_expedited"))[0]) as $me |
	{bench: "rcu-gp-ratio",
	 klab_over_rcu_p50: ($m.p50_ns / $k.p50_ns),
	 klab_over_rcu_p90: ($m.p90_ns / $k.p90_ns),
	 klab_over_rcu_p99: ($m.p99_ns / $k.p99_ns),
	 klab_exp_over_rcu_exp_p50: ($me.p50_ns / $ke.p50_ns),
	 klab_exp_over_rcu_exp_p99: ($me.p99_ns / $ke.p99_ns)}' \
	"$out/rcu-gp.json"

{
	echo
	klabctl rcu status
} >&2
