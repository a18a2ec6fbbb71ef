#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What the gauntlet does with each loaded module: one entry per module of
# `scripts/modules list`, a few lines each.  Sourced, not run.
#
#   make_MODULE     make the module's objects (devices, caches, rules,
#                   configfs items): the fuzzer and the privilege test
#                   look at what these made
#   drive_MODULE    start real work in the background (users_bg), for
#                   churn to unload the module under; $cycle is the cycle
#   unmake_MODULE   (optional) remove what pins the module besides the
#                   background users, so that rmmod can succeed
#   hold_MODULE, release_MODULE
#                   (optional) run by churn before the module's first
#                   cycle and after its last
#
# A module without make_ and drive_ fails the gauntlet: add its entry.

CHURN_PIDS=()

# users_bg CMD...: CMD in the background, as a user that stop_users ends.
# The users run at the lowest priority (nice 19): with 2 vCPUs they still
# have one to themselves while rmmod runs on the other, and all of both
# while the harness waits, but they no longer starve the harness's own
# short commands (rmmod, pkill, sleep), each of which took 4-18 s among
# chardev's users under TCG at host load 17.
users_bg() {
	{ renice -n 19 -p "$BASHPID" && "$@"; } >/dev/null 2>&1 &
	CHURN_PIDS+=($!)
}

# repeat CMD...: CMD again and again (run through users_bg)
repeat() {
	while "$@"; do :; done
}

# stop_users MODULE: end the background users (a loop's child too) and
# unmake what pins MODULE
stop_users() {
	local pid

	if [ ${#CHURN_PIDS[@]} -gt 0 ]; then
		# the loops' children first: one pkill for all (a list of parents)
		pkill -P "$(IFS=,; echo "${CHURN_PIDS[*]}")" 2>/dev/null
		kill "${CHURN_PIDS[@]}" 2>/dev/null
		for pid in "${CHURN_PIDS[@]}"; do
			wait "$pid" 2>/dev/null
		done
	fi
	CHURN_PIDS=()
	if declare -F "unmake_$1" >/dev/null; then "unmake_$1"; fi
	return 0
}

make_sched_demo() { :; }
drive_sched_demo() {
	printf '%s\n' '{"duration_s": 60, "entities": [{"name": "churn", "count": 2,
		"workload": {"type": "pattern", "run_ms": 1, "sleep_ms": 3}}]}' \
		>"${tmp:?}/sched.json"
	klabctl sched run --no-wait "$tmp/sched.json" >/dev/null || fail "sched run"
}

make_rcu_demo() { :; }
drive_rcu_demo() {
	local runs=("torture --type klab_rcu" "seqlock-torture --type klab_seqlock"
		"torture --type srcu")

	# shellcheck disable=SC2086 # the words are the arguments
	klabctl rcu ${runs[cycle % ${#runs[@]}]} --duration 120 --detach >/dev/null ||
		fail "rcu ${runs[cycle % ${#runs[@]}]}"
}

make_slabcache() {
	# a SLUB cache of its own for the bench's time
	klabctl slab bench kmem_cache pair --loops 100 >/dev/null || fail "slab bench"
	klabctl slab create churn 192 >/dev/null || fail "slab create"
	klabctl slab alloc churn 300 >/dev/null || fail "slab alloc"
}
drive_slabcache() {
	klabctl slab run --threads 2 --seconds 60 --no-wait >/dev/null || fail "slab run"
	users_bg repeat klabctl slab alloc churn 50
}

# a configfs disk pins chardev (configfs holds the module for each item)
make_chardev() {
	local d=/sys/kernel/config/klab_blk/churn

	mkdir "$d" && echo 8 >"$d/size" && echo 1 >"$d/power" || fail "configfs disk"
}
unmake_chardev() {
	local d=/sys/kernel/config/klab_blk/churn

	[ -d "$d" ] || return 0
	echo 0 >"$d/power"
	rmdir "$d"
}
drive_chardev() {
	klabctl chardev irq set --rate 2000 >/dev/null || fail "irq set"
	users_bg repeat dd if=/dev/zero of=/dev/klab_scull0 bs=64k count=8
	users_bg dd if=/dev/zero of=/dev/klab_pipe0 bs=4k
	users_bg dd if=/dev/klab_pipe0 of=/dev/null bs=4k
	users_bg repeat dd if=/dev/zero of=/dev/klab_blk0 bs=64k count=64 oflag=direct
}

make_netdev_igb_like() {
	klabctl igb add a0 peer b0 >/dev/null || fail "igb add"
	ip link set a0 up && ip link set b0 up || fail "igb up"
}
drive_netdev_igb_like() {
	users_bg repeat "$GAUNTLET_OUT/../netdev_igb_like/igb_pkt" burst a0 \
		"$(cat /sys/class/net/b0/address)" 100000 4
}

make_nf_hipac() {
	nf-hipac -A INPUT -p udp --dport 9 -j ACCEPT &&
		nf-hipac -A INPUT -s 10.9.9.0/24 -j DROP &&
		nf-hipac -A OUTPUT -p udp -j ACCEPT || fail "nf-hipac rules"
}
# UDP through lo, both hooks (bash's /dev/udp: no process per packet)
hipac_udp() {
	while :; do echo churn >/dev/udp/127.0.0.1/9; done
}
drive_nf_hipac() {
	users_bg hipac_udp
	users_bg repeat nf-hipac -A INPUT -s 10.9.8.0/24 -j DROP
}
# rmmod under the UDP would patch NF_HOOK()'s jump labels: see nf_keys.sh
hold_nf_hipac() {
	"$KLAB_ROOT/selftests/lib/nf_keys.sh" hold || fail "nf_keys.sh hold"
}
release_nf_hipac() {
	"$KLAB_ROOT/selftests/lib/nf_keys.sh" release || fail "nf_keys.sh release"
}
