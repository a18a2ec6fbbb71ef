#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench, inside the VM: every module's benchmark in this one boot, so
# every comparison in the report is measured in the same boot.  A progress
# line per step on stderr; each step's output is shown as it runs, and its
# result lines (one JSON object each) are collected in
# $KLAB_OUT/bench/results.json, which make bench draws as the report.
# A step that fails is recorded as {"bench":"meta","failed":STEP} and the
# others still run; the exit status is 1 if any failed.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${KLAB_OUT:-/tmp}/bench
results=$out/results.json

# name and command of each step, in the order they run
steps=(
	"slab|$here/slab.sh"
	"hipac lookups|$here/hipac.sh"
	"hipac new connections|$here/hipac-ct.sh"
	"hipac commits, 1k rules|RULES=1000 $here/hipac-commit.sh"
	"hipac commits, 10k rules|RULES=10000 $here/hipac-commit.sh"
	"klab_blk and pipe|$here/chardev.sh"
	"igb NIC|$here/igb.sh"
	"rcu|$here/rcu.sh"
	"sched|$here/sched.sh"
)

mkdir -p "$out" || exit 1
printf '{"bench":"meta","kernel":"%s","date":"%s","cpus":%d,"host_load":"%s"}\n' \
	"$(uname -r)" "$(date -u +%FT%TZ)" "$(nproc)" "${KLAB_HOST_LOAD:-unknown}" \
	>"$results"
start=$SECONDS
failed=0
for i in "${!steps[@]}"; do
	name=${steps[$i]%%|*}
	cmd=${steps[$i]#*|}
	log=$out/step$i.log

	printf 'bench: [%d/%d] %s (%d s so far)\n' $((i + 1)) ${#steps[@]} \
		"$name" $((SECONDS - start)) >&2
	if ! bash -c "$cmd" 2>&1 | tee "$log"; then
		printf 'bench: %s failed\n' "$name" >&2
		printf '{"bench":"meta","failed":"%s"}\n' "$name" >>"$results"
		failed=1
	fi
	# progress bars share lines with results: keep what starts a result
	grep -o '{"bench":.*}' "$log" >>"$results"
done
printf 'bench: done in %d s, %d results\n' $((SECONDS - start)) \
	"$(grep -c . "$results")" >&2
exit $failed
