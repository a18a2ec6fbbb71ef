#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Memory bounds: every kind of object a user can make a klab module
# allocate is driven to its bound (a module parameter, set low here), the
# next one must fail with the documented errno and message, what was made
# before must be intact, one more must fit once one is freed, and the
# module must unload.  The VM's splat gate watches the kernel log; each
# case also looks for a splat printed while it ran.  KLAB_STRESS=1 uses
# larger bounds (the defaults where they are cheap to reach).
set -u

. "$(dirname "${BASH_SOURCE[0]}")/../lib/klab.sh"

require_root
bounds_nl=$KLAB_ROOT/build/selftests/gauntlet/bounds_nl
[ -x "$bounds_nl" ] || { echo "# SKIP: $bounds_nl is not built"; exit "$KSFT_SKIP"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ "${KLAB_STRESS:-0}" = 1 ]; then
	RULES=65536 CHAINS=4096 CACHES=16 HELD=262144 SCULL=1048576
	PIPE=65536 DISKS=256 PAIRS=64 RUNS=8
else
	RULES=64 CHAINS=4 CACHES=3 HELD=100 SCULL=8192 PIPE=4096
	DISKS=3 PAIRS=2 RUNS=1
fi

# load MODULE PARAM=VALUE...: a fresh instance with these parameters (a
# TAP case of its own: the state it keeps for healthy() is in files)
load() {
	local mod=$1 dep
	shift

	klab_unload "$mod" || fail "cannot unload $mod"
	for dep in $(modinfo -F depends "$(klab_ko "$mod")" | tr ',' ' '); do
		modprobe "$dep" || fail "modprobe $dep"
	done
	insmod "$(klab_ko "$mod")" "$@" || fail "insmod $mod $*"
	splat_count >"$tmp/splats.$mod"
	echo "$EPOCHREALTIME" >"$tmp/start.$mod"
}

splat_count() {
	dmesg | grep -cE 'WARNING:|BUG:|Oops|general protection|Call Trace:'
}

# healthy MODULE: no splat since load, and the module unloads
healthy() {
	[ "$(splat_count)" = "$(cat "$tmp/splats.$1")" ] ||
		{ dmesg | tail -40; fail "a splat"; }
	klab_unload "$1" || fail "$1 does not unload"
	awk -v m="$1" -v a="$(cat "$tmp/start.$1")" -v b="$EPOCHREALTIME" \
		'BEGIN { printf "%s: %.1f s from load to unload\n", m, b - a }'
}

# nl WANT ARG...: bounds_nl ARG... must print WANT
nl() {
	local want=$1 got
	shift

	got=$("$bounds_nl" "$@") || fail "bounds_nl $*"
	echo "bounds_nl $*: $got"
	[ "$got" = "$want" ] || fail "bounds_nl $*: want \"$want\""
}

expect_eq() {
	[ "$2" = "$3" ] || fail "$1: $2, want $3"
}

# errno_of CMD...: run CMD, print the strerror text it failed with
errno_of() {
	"$@" 2>&1 >/dev/null | tee /dev/stderr |
		sed -n 's/.*: \([A-Z][a-z ]*\)$/\1/p' | tail -1
}

hipac_rules() {
	klabctl hipac -S INPUT | grep -c '^-A INPUT'
}

test_hipac_rules() {
	local full="ENOSPC rule set is full (max_rules=$RULES)"

	# one transaction of RULES + 1: the commit fails, nothing changes
	nl "$RULES $full" -n $((RULES + 1)) hipac-txn INPUT
	expect_eq "rules after the refused commit" "$(hipac_rules)" 0
	nl "$RULES ok" -n "$RULES" hipac-txn INPUT
	expect_eq "rules" "$(hipac_rules)" "$RULES"
	nl "0 $full" hipac-append INPUT
	nl "0 $full" hipac-txn INPUT
	expect_eq "rules after the refused append" "$(hipac_rules)" "$RULES"
	klabctl hipac -D INPUT 1 || fail "delete a rule"
	nl "1 ok" hipac-append INPUT
	expect_eq "rules" "$(hipac_rules)" "$RULES"
	klabctl hipac -F || fail "flush"
}

test_hipac_chains() {
	local full="ENOSPC too many user chains (max_chains=$CHAINS)"

	nl "$CHAINS ok" -n "$CHAINS" hipac-chain c
	nl "0 $full" hipac-chain extra
	expect_eq "user chains" "$(klabctl hipac -S | grep -c '^-N ')" "$CHAINS"
	klabctl hipac -X c0 || fail "delete a chain"
	nl "1 ok" hipac-chain extra
	klabctl hipac -X || fail "delete the chains"
}

test_slab_caches() {
	nl "$CACHES ok" -n "$CACHES" slab-create b 64
	nl "0 ENOSPC too many test caches (module parameter max_test_caches)" \
		slab-create extra 64
	[ -d /sys/kernel/slabcache/extra ] && fail "extra cache exists"
	klabctl slab destroy b0 >/dev/null || fail "destroy b0"
	nl "0 ENOSPC object size above the module parameter max_object_size" \
		slab-create big 4097
	nl "1 ok" slab-create extra 4096
}

test_slab_held() {
	nl "1 ok" slab-alloc b1 "$HELD"
	nl "0 ENOSPC more objects than the module parameter max_held" \
		slab-alloc b1 1
	expect_eq "held" "$(klabctl -j slab show b1 | jq .held)" "$HELD"
	klabctl slab free b1 1 >/dev/null || fail "free one"
	nl "1 ok" slab-alloc b1 1
	klabctl slab free b1 "$HELD" >/dev/null || fail "free all"
}

test_scull() {
	local dev=/dev/klab_scull0

	head -c "$SCULL" /dev/urandom >"$tmp/data"
	cat "$tmp/data" >"$dev" || fail "fill scull"
	expect_eq "one byte more" \
		"$(errno_of dd if=/dev/zero of="$dev" bs=1 count=1 seek="$SCULL" conv=notrunc)" \
		"No space left on device"
	cmp "$tmp/data" "$dev" || fail "data changed"
	expect_eq "size" "$(stat -c %s "$tmp/data")" "$(wc -c <"$dev")"
}

test_pipe() {
	local dev=/dev/klab_pipe0

	head -c "$PIPE" /dev/urandom >"$tmp/data"
	dd if="$tmp/data" of="$dev" bs="$PIPE" oflag=nonblock status=none ||
		fail "fill the pipe"
	expect_eq "one byte more" \
		"$(errno_of dd if=/dev/zero of="$dev" bs=1 count=1 oflag=nonblock)" \
		"Resource temporarily unavailable"
	dd if="$dev" of="$tmp/back" bs="$PIPE" count=1 iflag=nonblock,fullblock \
		status=none || fail "read back"
	cmp "$tmp/data" "$tmp/back" || fail "data changed"
}

blk_count() {
	klabctl -j chardev blk list | jq '.devices | length'
}

test_blk_disks() {
	local made=$((DISKS - 1))

	# klab_blk0 is made at load: the others up to max_devices here
	nl "$made ok" -n "$made" blk-add d 1
	nl "0 ENOSPC too many block devices" blk-add extra 1
	expect_eq "configfs mkdir" \
		"$(errno_of mkdir /sys/kernel/config/klab_blk/extra)" \
		"No space left on device"
	expect_eq "devices" "$(blk_count)" "$DISKS"
	klabctl chardev blk del d0 >/dev/null || fail "delete d0"
	nl "1 ok" blk-add extra 1
	expect_eq "devices" "$(blk_count)" "$DISKS"
}

test_blk_contents() {
	local disk

	disk=/dev/$(klabctl -j chardev blk list | jq -r '.devices[0].disk')
	[ -b "$disk" ] || fail "no disk $disk"
	head -c $((1 << 20)) /dev/urandom >"$tmp/data"
	dd if="$tmp/data" of="$disk" bs=64k oflag=direct status=none ||
		fail "fill the disk"
	expect_eq "one block more" \
		"$(errno_of dd if=/dev/zero of="$disk" bs=4k count=1 seek=256 oflag=direct)" \
		"No space left on device"
	cmp "$tmp/data" "$disk" || fail "data changed"
}

test_igb_pairs() {
	local n

	nl "$PAIRS ok" -n "$PAIRS" igb-add ba bb
	nl "0 ENOSPC netdev_igb_like: too many devices (see parameter max_devices)" \
		igb-add ea eb
	expect_eq "sysfs new_device" \
		"$(errno_of dd of=/sys/bus/klab_igb/new_device <<<"ea eb")" \
		"No space left on device"
	n=$(klabctl -j igb show | jq '.devices | length')
	expect_eq "devices" "$n" $((2 * PAIRS))
	klabctl igb del ba0 >/dev/null || fail "delete ba0"
	nl "1 ok" igb-add ea eb
}

test_sched_runs() {
	local file=$tmp/short.json i n

	echo '{"duration_ms": 20, "entities": [{"name": "a", "workload": {"type": "cpu"}}]}' \
		>"$file"
	for ((i = 0; i <= RUNS; i++)); do
		klabctl sched run "$file" >/dev/null || fail "run $i"
	done
	n=$(klabctl -j sched list | jq -s length)
	expect_eq "runs kept" "$n" "$RUNS"
	# one active run at a time; a light one, which leaves the CPUs to
	# the commands
	echo '{"duration_s": 20, "entities": [{"name": "a",
		"workload": {"type": "pattern", "run_ms": 1, "sleep_ms": 20}}]}' \
		>"$tmp/long.json"
	klabctl sched run --no-wait "$tmp/long.json" >/dev/null || fail "long run"
	expect_exit 2 klabctl sched run "$file"
	grep -q "a run is active" "$tmp/err" || fail "no message"
}

test_rcu_runs() {
	klabctl rcu torture --type klab_rcu --duration 20 --detach >/dev/null ||
		fail "start"
	expect_exit 2 klabctl rcu torture --type klab_rcu --duration 1
	grep -q "a run is already active" "$tmp/err" || fail "no message"
	klabctl rcu stop >/dev/null || fail "stop"
}

# each module is loaded once with every bound low, its objects driven to
# their bounds, then it must unload without a splat
ktap_plan 23
ktap_run "bounds: nf_hipac loads (max_rules=$RULES max_chains=$CHAINS)" \
	load nf_hipac max_rules="$RULES" max_chains="$CHAINS"
ktap_run "bounds: nf_hipac rules" test_hipac_rules
ktap_run "bounds: nf_hipac chains" test_hipac_chains
ktap_run "bounds: nf_hipac healthy" healthy nf_hipac
ktap_run "bounds: slabcache loads (max_test_caches=$CACHES max_held=$HELD)" \
	load slabcache max_test_caches="$CACHES" max_held="$HELD" \
	max_object_size=4096
ktap_run "bounds: slabcache test caches" test_slab_caches
ktap_run "bounds: slabcache held objects" test_slab_held
ktap_run "bounds: slabcache healthy" healthy slabcache
ktap_run "bounds: chardev loads (scull_max_bytes=$SCULL pipe_capacity=$PIPE max_devices=$DISKS)" \
	load chardev scull_max_bytes="$SCULL" pipe_capacity="$PIPE" \
	max_devices="$DISKS" nr_devices=1 size_mb=1
ktap_run "bounds: chardev scull data" test_scull
ktap_run "bounds: chardev pipe buffer" test_pipe
ktap_run "bounds: chardev disk contents (size_mb=1)" test_blk_contents
ktap_run "bounds: chardev RAM disks" test_blk_disks
ktap_run "bounds: chardev healthy" healthy chardev
ktap_run "bounds: netdev_igb_like loads (max_devices=$((2 * PAIRS)))" \
	load netdev_igb_like max_devices=$((2 * PAIRS))
ktap_run "bounds: netdev_igb_like pairs" test_igb_pairs
ktap_run "bounds: netdev_igb_like healthy" healthy netdev_igb_like
ktap_run "bounds: sched_demo loads (keep_runs=$RUNS)" \
	load sched_demo keep_runs="$RUNS"
ktap_run "bounds: sched_demo runs (keep_runs, one active)" test_sched_runs
ktap_run "bounds: sched_demo healthy (unloads during a run)" healthy sched_demo
ktap_run "bounds: rcu_demo loads" load rcu_demo
ktap_run "bounds: rcu_demo runs (one at a time)" test_rcu_runs
ktap_run "bounds: rcu_demo healthy" healthy rcu_demo
ktap_finish
