#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The framework's fair class on one CPU: CPU shares by weight for the
# notes' nice pairs and three entities, the simulator agreeing with the
# kernel, a blocked entity's vruntime, and the idle class.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/sched_lib.sh"

# sched_prio_to_weight[], nice -20..19
weights=(88761 71755 56483 46273 36291 29154 23254 18705 14949 11916
	9548 7620 6100 4904 3906 3121 2501 1991 1586 1277
	1024 820 655 526 423 335 272 215 172 137
	110 87 70 56 45 36 29 23 18 15)

# pct PARTS WHOLE: PARTS/WHOLE in percent with two places, into $pct
pct() {
	local h=$(((10000 * $1 + $2 / 2) / $2))

	printf -v pct '%d.%02d' $((h / 100)) $((h % 100))
}

# group_shares JSON G N: the CPU shares, within group G of N entities, of
# a run record's entities gG.0 .. gG.(N-1), into shares[]
group_shares() {
	local i sum=0 rt=()

	ents "$1"
	for ((i = 0; i < $3; i++)); do
		rt[i]=$(ent "$1" "g$2.$i" runtime_ns) || exit
		sum=$((sum + rt[i]))
	done
	((sum > 0)) || fail "group $2 did not run"
	shares=()
	for ((i = 0; i < $3; i++)); do
		pct "${rt[i]}" "$sum"
		shares[i]=$pct
	done
}

# check_shares GROUP...: each GROUP a list of nice values ("0 5") of CPU
# hogs sharing one CPU, the groups on different CPUs in one run (a CPU
# each, under TCG the programs started around a run take far longer than
# it): kernel and simulator shares within 2 points of the weights, and of
# each other
check_shares() {
	local file=$tmp/shares.json ents="" cpus="" g=0 i cpu nice grp kern sim wsum want
	local -a nices

	for grp in "$@"; do
		cpu=$(((last_cpu - g + ncpu) % ncpu))
		cpus+="${cpus:+,}$cpu"
		i=0
		for nice in $grp; do
			ents+="${ents:+,}{\"name\": \"g$g.$i\", \"nice\": $nice, \"cpus\": [$cpu],
				\"workload\": {\"type\": \"cpu\"}}"
			i=$((i + 1))
		done
		g=$((g + 1))
	done
	[ "$g" -le "$ncpu" ] || fail "$g groups, $ncpu CPUs"
	workload "$file" "{\"name\": \"fair\", \"duration_ms\": 1500, \"cpus\": [$cpus],
		\"entities\": [$ents]}"
	kern=$(run_kernel "$file") || exit
	sim=$(run_sim "$file") || exit
	[ "$(jq -r .state <<<"$kern")" = done ] || fail "run did not complete"
	g=0
	for grp in "$@"; do
		read -ra nices <<<"$grp"
		group_shares "$kern" $g ${#nices[@]}
		local -a kshares=("${shares[@]}")
		group_shares "$sim" $g ${#nices[@]}
		wsum=0
		for nice in "${nices[@]}"; do
			wsum=$((wsum + weights[nice + 20]))
		done
		for i in "${!nices[@]}"; do
			pct "${weights[nices[i] + 20]}" "$wsum"
			want=$pct
			nice="nice ${nices[i]} of $grp:"
			expect_near "$nice kernel share" "${kshares[i]}" "$want" 2
			expect_near "$nice simulator share" "${shares[i]}" "$want" 2
			expect_near "$nice kernel vs simulator" "${kshares[i]}" "${shares[i]}" 2
		done
		g=$((g + 1))
	done
}

test_pairs() { check_shares "0 1" "0 5"; }
test_pairs_far() { check_shares "-5 5" "0 19"; }
test_three() { check_shares "0 2 5"; }

# Switches: voluntary plus involuntary is the total, per entity and CPU
test_switch_counts() {
	local file=$tmp/sw.json run total sum

	workload "$file" "{\"duration_ms\": 1000, \"cpus\": [$last_cpu], \"entities\": [
		{\"name\": \"hog\", \"workload\": {\"type\": \"cpu\"}},
		{\"name\": \"sleeper\", \"workload\": {\"type\": \"pattern\", \"run_ms\": 1, \"sleep_ms\": 10}}]}"
	run=$(run_kernel "$file") || exit
	ents "$run"
	for e in hog sleeper; do
		expect_cmp "$e switches = nvcsw + nivcsw" "$(ent "$run" $e switches)" == \
			"$(($(ent "$run" $e nvcsw) + $(ent "$run" $e nivcsw)))"
	done
	total=$(jq '.cpu_stats[0].switches' <<<"$run")
	sum=$(jq '[.entity_stats[].switches] | add' <<<"$run")
	expect_cmp "CPU switches = entity switches" "$total" == "$sum"
	# the sleeper wakes often and preempts the hog: voluntary for one,
	# involuntary for the other
	expect_cmp "sleeper wakeups" "$(ent "$run" sleeper wakeups)" ">" 10
	expect_cmp "sleeper involuntary" "$(ent "$run" sleeper nivcsw)" "<=" 2
	expect_cmp "hog involuntary" "$(ent "$run" hog nivcsw)" ">=" \
		"$(($(ent "$run" sleeper wakeups) - 2))"
}

# A blocked entity's vruntime does not change while the others run
test_blocked_vruntime() {
	local file=$tmp/vr.json id s1 s2 h1 h2

	workload "$file" "{\"duration_s\": 20, \"cpus\": [$last_cpu], \"entities\": [
		{\"name\": \"sleeper\", \"workload\": {\"type\": \"steps\",
			\"steps\": [{\"run_ms\": 30}, {\"sleep_s\": 30}]}},
		{\"name\": \"hog\", \"workload\": {\"type\": \"cpu\"}}]}"
	id=$(klabctl -j sched run --no-wait "$file" | jq -e .run) || fail "run"
	sleep 1
	s1=$(klabctl -j sched show "$id") || fail "show"
	sleep 1
	s2=$(klabctl -j sched show "$id") || fail "show"
	klabctl sched stop "$id" || fail "stop"
	[ "$(jq -r .state <<<"$s2")" = running ] || fail "run over too early"
	[ "$(ent "$s1" sleeper state)" = sleeping ] || fail "sleeper not sleeping at the first look"
	[ "$(ent "$s2" sleeper state)" = sleeping ] || fail "sleeper not sleeping at the second"
	expect_cmp "sleeper vruntime while blocked" "$(ent "$s1" sleeper vruntime)" == \
		"$(ent "$s2" sleeper vruntime)"
	expect_near "sleeper runtime (us)" "$(($(ent "$s2" sleeper runtime_ns) / 1000))" 30000 100
	h1=$(ent "$s1" hog vruntime)
	h2=$(ent "$s2" hog vruntime)
	expect_cmp "hog vruntime meanwhile" "$h2" ">" "$((h1 + 100000000))"
}

# vruntime in the kernel's fair class, from the run's trace, where each
# start and end of an entity's stretch on the CPU carries its CPU time and
# vruntime then, and each start the smallest vruntime of the other fair
# entities runnable on that CPU (the module walks them all, not its tree).
# Three hogs of different weights on one CPU; over every stretch:
# - running, the vruntime grows by delta * 1024 / weight: within 1 ns per
#   charge (a charge at each framework tick of the stretch and at its ends,
#   each truncating below 1 ns) plus 2^-26 of it (the kernel's fixed-point
#   inverse weights err by at most 9.3e-9 relative over the 40 weights);
# - queued, it does not grow: a stretch starts with the CPU time and
#   vruntime its entity's previous stretch ended with (hogs never block;
#   a blocked entity: the case above);
# - the pick: the entity started has the smallest vruntime of all the
#   runnable ones, at every pick of the run.
test_vruntime_trace() {
	local file=$tmp/vrt.json run id tick bad s0 s5 sm3 picks growth queued pick

	workload "$file" "{\"duration_ms\": 600, \"cpus\": [$last_cpu], \"entities\": [
		{\"name\": \"n0\", \"nice\": 0, \"workload\": {\"type\": \"cpu\"}},
		{\"name\": \"n5\", \"nice\": 5, \"workload\": {\"type\": \"cpu\"}},
		{\"name\": \"m3\", \"nice\": -3, \"workload\": {\"type\": \"cpu\"}}]}"
	run=$(run_kernel "$file") || exit
	id=$(jq -e .run <<<"$run") || fail "no run number"
	tick=$(jq -e .tick_ns <<<"$run") || fail "no tick"
	expect_cmp "trace events lost" "$(jq '.trace_lost // 0' <<<"$run")" == 0
	klabctl -j sched trace "$id" >"$tmp/trace" || fail "klabctl sched trace $id"
	jq -r '[.entity, .runtime_from_ns, .runtime_to_ns, .vruntime_from, .vruntime_to,
		.rivals, (.rivals_min_vruntime // 0), .length_ns] | @tsv' "$tmp/trace" >"$tmp/trace.tsv" ||
		fail "trace without the fair view"
	# entity e has nice nices[e]: n0, n5, m3
	bad=$(awk -v tick="$tick" -v w0="${weights[20]}" -v w1="${weights[25]}" -v w2="${weights[17]}" '
		BEGIN { w[0] = w0; w[1] = w1; w[2] = w2 }
		{
			e = $1; drt = $3 - $2; dvr = $5 - $4
			want = drt * 1024 / w[e]
			tol = int($8 / tick) + 3 + want / 2^26
			d = dvr - want; if (d < 0) d = -d
			n[e]++
			if (d > tol) { growth++; if (growth < 4) printf "%s: ran %d, vruntime +%d, want %.1f +- %.1f\n", e, drt, dvr, want, tol > "/dev/stderr" }
			if (n[e] > 1 && ($2 != rt[e] || $4 != vr[e])) {
				queued++
				if (queued < 4) printf "%s: queued, CPU time %d -> %d, vruntime %d -> %d\n", e, rt[e], $2, vr[e], $4 > "/dev/stderr"
			}
			rt[e] = $3; vr[e] = $5
			if ($6 > 0) {
				picks++
				if ($4 > $7) { pick++; if (pick < 4) printf "%s picked at vruntime %d, a rival at %d\n", e, $4, $7 > "/dev/stderr" }
			}
		}
		END { printf "%d %d %d %d %d %d %d\n", n[0], n[1], n[2], picks, growth, queued, pick }' \
		"$tmp/trace.tsv") || fail "awk"
	read -r s0 s5 sm3 picks growth queued pick <<<"$bad"
	expect_cmp "stretches not charged delta * 1024 / weight" "$growth" == 0
	expect_cmp "queued stretches whose vruntime moved" "$queued" == 0
	expect_cmp "picks of an entity not the minimum vruntime" "$pick" == 0
	# enough of each for the rules to mean something: 600 ms of slices of
	# 1.5 to 2.6 ms (period 6 ms by weight, at least 0.75 ms)
	expect_cmp "stretches of nice 0" "$s0" ">=" 20
	expect_cmp "stretches of nice 5" "$s5" ">=" 20
	expect_cmp "stretches of nice -3" "$sm3" ">=" 20
	expect_cmp "picks with rivals" "$picks" ">=" 60
}

# The idle class runs only when nothing else is runnable
test_idle_class() {
	local file=$tmp/idle.json run sim half_wakeups phases

	workload "$file" "{\"duration_ms\": 1000, \"cpus\": [$last_cpu], \"entities\": [
		{\"name\": \"idle\", \"policy\": \"idle\", \"workload\": {\"type\": \"cpu\"}},
		{\"name\": \"half\", \"workload\": {\"type\": \"pattern\", \"run_ms\": 20, \"sleep_ms\": 20}}]}"
	run=$(run_kernel "$file") || exit
	ents "$run"
	sim=$(run_sim "$file") || exit
	expect_near "simulated: idle gets the fair entity's sleeps (%)" "$(ent "$sim" idle share)" 50 2
	# how much it gets depends on the CPU time the host leaves (127 ms, then
	# 36 ms, in two loaded runs); that it runs at all is the point
	expect_cmp "idle ran" "$(ent "$run" idle runtime_ns)" ">" 0
	# every wakeup of the fair entity took the CPU from the idle one at
	# once.  How many wakeups there are depends on the CPU time the host
	# leaves (20 in a second, then 1 at load 6-11): each 20 ms the fair
	# entity ran was followed by a sleep and a wakeup, but the last one if
	# the run ended in it; and it woke once at least
	half_wakeups=$(ent "$run" half wakeups)
	phases=$(($(ent "$run" half runtime_ns) / 20000000))
	expect_cmp "fair wakeups" "$half_wakeups" ">=" 1
	expect_cmp "fair wakeups after its runs of 20 ms" "$half_wakeups" ">=" "$((phases - 1))"
	expect_cmp "fair entity involuntary switches" "$(ent "$run" half nivcsw)" "<=" 1
	expect_cmp "idle entity preempted" "$(ent "$run" idle nivcsw)" ">=" "$((half_wakeups - 1))"
}

ktap_plan 7
ktap_run "fair: nice 0/1 and 0/5 (1024/335) shares, a pair per CPU" test_pairs
ktap_run "fair: nice -5/+5 and 0/19 shares, a pair per CPU" test_pairs_far
ktap_run "fair: three entities" test_three
ktap_run "fair: switch counts add up" test_switch_counts
ktap_run "fair: blocked entity keeps its vruntime" test_blocked_vruntime
ktap_run "fair: vruntime += delta * 1024 / weight while running, the minimum picked" test_vruntime_trace
ktap_run "idle: runs only when nothing else can" test_idle_class
ktap_finish
