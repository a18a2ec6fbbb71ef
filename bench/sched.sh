#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sched_demo's framework against the kernel's own scheduler, in one boot
# (make bench-sched runs this in the VM).  One JSON line per result; not
# a pass/fail test.  Both schedulers run the same workloads on the same
# CPU (the last one), one after the other:
#
#   switch cost       two entities waking each other (framework) against
#                     two kernel threads doing the same with
#                     wake_up_process() and schedule(), and a pipe
#                     ping-pong of two processes (perf bench sched pipe)
#   fairness error    CPU hogs at nice 0, 5 and 10: how far each one's
#                     share is from its weight's, in points, the kernel's
#                     CFS measured by the observer
#   wakeup latency    a thread running 0.5 ms every 5 ms beside a hog:
#                     how long its wakeups wait, percentiles
#
#   bench/sched.sh [REPEATS]       default 3: medians of that many
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bench/lib.sh"
PATH=$root/build/bin:$PATH
repeats=${1:-3}
cpu=$(($(nproc) - 1))
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$root/scripts/modules" load sched_demo

# emit METRIC SCHEDULER VALUE [EXTRA_JSON]
emit() {
	printf '{"bench":"sched","metric":"%s","scheduler":"%s","value":%s%s}\n' \
		"$1" "$2" "$3" "${4:+,$4}"
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'
}

# ---- switch cost ----------------------------------------------------------------

cat >"$tmp/pingpong.json" <<EOF
{"name": "pingpong", "duration_ms": 2000, "cpus": [$cpu], "trace_events": 0, "entities": [
  {"name": "ping", "workload": {"type": "steps", "steps": [{"wake": "pong"}, {"wait": true}]}},
  {"name": "pong", "workload": {"type": "steps", "steps": [{"wait": true}, {"wake": "ping"}]}}]}
EOF
fw=() kt=() pp=()
for ((i = 0; i < repeats; i++)); do
	r=$(klabctl -j sched run "$tmp/pingpong.json")
	fw+=("$(jq '(.elapsed_ns / .switches) | floor' <<<"$r")")
	kt+=("$(klabctl -j sched pingpong --cpu "$cpu" --rounds 20000 | jq .switch_ns)")
	if command -v perf >/dev/null; then
		# usecs/op is one round trip: two switches
		pp+=("$(taskset -c "$cpu" perf bench sched pipe -l 20000 2>/dev/null |
			awk '/usecs\/op/ { printf "%d", $1 * 1000 / 2 }')")
	fi
done
fw_ns=$(median "${fw[@]}")
kt_ns=$(median "${kt[@]}")
emit switch_ns sched_demo "$fw_ns" "\"runs\":[$(IFS=,; echo "${fw[*]}")]"
emit switch_ns kernel-kthread "$kt_ns" "\"runs\":[$(IFS=,; echo "${kt[*]}")]"
if [ ${#pp[@]} -gt 0 ] && [ -n "${pp[0]}" ]; then
	emit switch_ns kernel-pipe "$(median "${pp[@]}")" "\"runs\":[$(IFS=,; echo "${pp[*]}")]"
fi
emit switch_ratio sched_demo/kernel-kthread "$(ratio "$fw_ns" "$kt_ns")" '"goal":"<= 3"'

# ---- fairness ----------------------------------------------------------------------

cat >"$tmp/fair.json" <<EOF
{"name": "fair", "duration_ms": 3000, "cpus": [$cpu], "entities": [
  {"name": "n0", "nice": 0, "workload": {"type": "cpu"}},
  {"name": "n5", "nice": 5, "workload": {"type": "cpu"}},
  {"name": "n10", "nice": 10, "workload": {"type": "cpu"}}]}
EOF
# the weights' shares: 1024, 335 and 110 of 1469
want='[69.71, 22.80, 7.49]'
fe=() ke=()
for ((i = 0; i < repeats; i++)); do
	r=$(klabctl -j sched run "$tmp/fair.json")
	fe+=("$(jq --argjson w "$want" \
		'[.entity_stats | to_entries[] | (.value.share - $w[.key]) | fabs] | max * 100 | round / 100' <<<"$r")")
	r=$(klabctl -j sched experiment nice --nices 0,5,10 --duration 3000 --cpu "$cpu")
	ke+=("$(jq .max_error_pct <<<"$r")")
done
fe_pp=$(median "${fe[@]}")
ke_pp=$(median "${ke[@]}")
emit fairness_error_pct sched_demo "$fe_pp" "\"nice\":[0,5,10],\"runs\":[$(IFS=,; echo "${fe[*]}")]"
emit fairness_error_pct kernel-cfs "$ke_pp" "\"nice\":[0,5,10],\"runs\":[$(IFS=,; echo "${ke[*]}")]"
emit fairness_goal_met sched_demo "$(awk -v a="$fe_pp" -v b="$ke_pp" 'BEGIN { print (a <= b) ? "true" : "false" }')" \
	'"goal":"error <= the kernel'"'"'s"'

# ---- wakeup latency -------------------------------------------------------------

cat >"$tmp/latency.json" <<EOF
{"name": "latency", "duration_ms": 3000, "cpus": [$cpu], "entities": [
  {"name": "periodic", "workload": {"type": "periodic", "run_us": 500, "period_ms": 5}},
  {"name": "hog", "workload": {"type": "cpu"}}]}
EOF
r=$(klabctl -j sched run "$tmp/latency.json" | jq -c '.entity_stats[] | select(.name == "periodic")')
emit wakeup_latency sched_demo "$(jq .latency_p50_ns <<<"$r")" \
	"$(jq -c '{p50_ns: .latency_p50_ns, p90_ns: .latency_p90_ns, p99_ns: .latency_p99_ns,
		max_ns: .latency_max_ns, avg_ns: .latency_avg_ns, wakeups: .wakeups} | tostring' <<<"$r" |
		jq -r . | sed 's/^{//; s/}$//')"
r=$(klabctl -j sched experiment wakeup-latency --duration 3000 --cpu "$cpu")
emit wakeup_latency kernel-cfs "$(jq .latency_p50_ns <<<"$r")" \
	"$(jq -c '{p50_ns: .latency_p50_ns, p90_ns: .latency_p90_ns, p99_ns: .latency_p99_ns,
		max_ns: .latency_max_ns, avg_ns: .latency_avg_ns, wakeups: .wakeups} | tostring' <<<"$r" |
		jq -r . | sed 's/^{//; s/}$//')"
