#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs as objects: the watchdog aborting a starved run, stopping a run,
# unloading the module in the middle of one, the timeline picture,
# /proc/sched_demo, and workload files with errors.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/sched_lib.sh"

test_watchdog() {
	local file=$tmp/starve.json run

	workload "$file" "{\"duration_ms\": 5000, \"cpus\": [$last_cpu], \"rt_runtime_us\": -1,
		\"watchdog_ms\": 300, \"entities\": [
		{\"name\": \"fifo\", \"policy\": \"fifo\", \"priority\": 50, \"workload\": {\"type\": \"cpu\"}},
		{\"name\": \"starved\", \"workload\": {\"type\": \"cpu\"}}]}"
	run=$(run_kernel "$file") || exit
	ents "$run"
	[ "$(jq -r .state <<<"$run")" = aborted ] || fail "state $(jq -r .state <<<"$run")"
	jq -r .reason <<<"$run"
	jq -r .reason <<<"$run" | grep -q "watchdog: entity 1 (starved) runnable for" ||
		fail "reason"
	expect_cmp "aborted after (ms)" "$(($(jq .elapsed_ns <<<"$run") / 1000000))" "<" 1000
	expect_cmp "starved ran" "$(ent "$run" starved runtime_ns)" == 0
}

# threads_of PREFIX: how many threads are named klab/PREFIX*.  Read in
# bash, without a program: while a run's hogs spin, every program started
# under TCG waits seconds for a CPU (/bin/true took 2.1-2.7 s beside
# three hogs at host load 11, 0.8 s for a klabctl after the stop)
threads_of() {
	local f c n=0

	for f in /proc/[0-9]*/comm; do
		read -r c 2>/dev/null <"$f" || continue
		[[ $c == klab/$1* ]] && n=$((n + 1))
	done
	echo "$n"
}

test_stop() {
	local file=$tmp/long.json id run

	# one CPU: the other is left to the commands that look (three hogs
	# on both kept them off the CPUs for ten seconds under TCG)
	workload "$file" "{\"duration_s\": 30, \"cpus\": [$last_cpu], \"entities\": [
		{\"name\": \"h\", \"count\": 3, \"workload\": {\"type\": \"cpu\"}}]}"
	id=$(klabctl -j sched run --no-wait "$file" | jq -e .run) || fail "run"
	sleep 0.3
	expect_cmp "threads of run $id" "$(threads_of "$id/")" == 3
	klabctl sched stop "$id" || fail "stop"
	run=$(klabctl -j sched show "$id") || fail "show"
	jq -c '{run, state, elapsed_ns, duration_ns}' <<<"$run"
	[ "$(jq -r .state <<<"$run")" = stopped ] || fail "state $(jq -r .state <<<"$run")"
	expect_cmp "threads after stop" "$(threads_of "$id/")" == 0
	klabctl sched delete "$id" || fail "delete"
	expect_exit 2 klabctl sched show "$id"
}

test_unload_during_run() {
	local file=$tmp/long.json id

	workload "$file" "{\"duration_s\": 30, \"cpus\": [0, $last_cpu], \"entities\": [
		{\"name\": \"h\", \"count\": 3, \"workload\": {\"type\": \"cpu\"}},
		{\"name\": \"s\", \"workload\": {\"type\": \"pattern\", \"run_ms\": 1, \"sleep_ms\": 3}},
		{\"name\": \"d\", \"policy\": \"deadline\", \"runtime_ms\": 2, \"period_ms\": 10,
		 \"workload\": {\"type\": \"periodic\", \"run_ms\": 2, \"period_ms\": 10}}]}"
	id=$(klabctl -j sched run --no-wait "$file" | jq -e .run) || fail "run"
	sleep 0.5
	expect_cmp "threads of run $id" "$(threads_of "$id/")" == 5
	klab_unload sched_demo || fail "rmmod during a run"
	klab_loaded sched_demo && fail "still loaded"
	expect_cmp "threads left" "$(threads_of "")" == 0
	klab_load sched_demo || fail "reload"
}

test_svg_and_proc() {
	local file=$tmp/svg.json id rects

	workload "$file" "{\"name\": \"picture\", \"duration_ms\": 300, \"cpus\": [$last_cpu], \"entities\": [
		{\"name\": \"rt\", \"policy\": \"rr\", \"priority\": 5, \"workload\": {\"type\": \"pattern\", \"run_ms\": 5, \"sleep_ms\": 25}},
		{\"name\": \"a\", \"workload\": {\"type\": \"cpu\"}},
		{\"name\": \"b\", \"nice\": 5, \"workload\": {\"type\": \"cpu\"}}]}"
	id=$(run_kernel "$file" | jq -e .run) || fail "run"
	klabctl sched trace --svg "$tmp/run.svg" "$id" || fail "trace --svg"
	head -c 200 "$tmp/run.svg"; echo
	grep -q '^<svg ' "$tmp/run.svg" || fail "not an SVG"
	rects=$(grep -c '<rect ' "$tmp/run.svg")
	# 61 bars in one loaded run, 19 in another: the rr entity alone gives 10
	expect_cmp "bars in the picture" "$rects" ">" 10
	grep -q '>rt (rr 5)<' "$tmp/run.svg" || fail "no row for the rr entity"
	cat /proc/sched_demo
	grep -Eq "^ +$id picture +done" /proc/sched_demo || fail "run $id not in /proc/sched_demo"
	klabctl sched trace --svg "$tmp/sim.svg" --simulate "$file" || fail "simulated trace"
	grep -q '^<svg ' "$tmp/sim.svg" || fail "simulated: not an SVG"
}

test_bad_files() {
	printf '{\n  "duration_ms": 100,\n  "entities": [\n    {"name": "a",\n     "nice": 25,\n     "workload": {"type": "cpu"}}\n  ]\n}\n' >"$tmp/bad.json"
	expect_exit 2 klabctl sched run "$tmp/bad.json"
	grep -q "bad.json:5: entities\[0\].nice: must be between -20 and 19" "$tmp/err" ||
		fail "message for a bad value"
	printf '{\n  "duration_ms": 100,\n  "entities": [\n    {"name": "a" "workload": {}}\n  ]\n}\n' >"$tmp/syntax.json"
	expect_exit 2 klabctl sched simulate "$tmp/syntax.json"
	grep -q "syntax.json:4:" "$tmp/err" || fail "message for a syntax error"
	printf '{"entities": [{"name": "a", "workload": {"type": "chain", "run_ms": 1, "wakes": "zz"}}]}' >"$tmp/wake.json"
	expect_exit 2 klabctl sched simulate "$tmp/wake.json"
	grep -q 'entities\[0\].workload.wakes: no entity named "zz"' "$tmp/err" || fail "wake target"
}

ktap_plan 5
ktap_run "watchdog: aborts a run that starves an entity" test_watchdog
ktap_run "runs: stop and delete" test_stop
ktap_run "runs: unloading during a run stops every thread" test_unload_during_run
ktap_run "trace: SVG timeline and /proc/sched_demo" test_svg_and_proc
ktap_run "workload files: errors name the line and field" test_bad_files
ktap_finish
