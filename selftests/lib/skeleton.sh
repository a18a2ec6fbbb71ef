#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What every klab module does from the foundation on, whatever else it
# does: load and unload cleanly, answer `klabctl <m> info`, refuse
# unprivileged changes, name the attribute it rejects, and let a module go
# while a klabctl socket is open.
#
#   skeleton.sh MODULE
set -u

. "$(dirname "${BASH_SOURCE[0]}")/klab.sh"

mod=$1
cli=${KLAB_CLI[$mod]}
family=${KLAB_FAMILY[$mod]}
ko=$(klab_ko "$mod")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

require_root

# debug_level: the module's debug level as klabctl reports it
debug_level() {
	klabctl -j "$cli" info | jq -e .debug_level
}

# genl_ask REQUEST: the genl_family coprocess's answer (../lib/genl_family.c)
# into $genl_answer, without a fork: a `genl` run per question cost the
# test 8 s under TCG
genl_ask() {
	genl_answer=
	echo "$1" >&"${GENL[1]}" && read -r -t 30 genl_answer <&"${GENL[0]}"
}

# family_is STATE: is $family "present" or "absent"?
family_is() {
	genl_ask "get $family"
	[ "$genl_answer" = "$1" ] && return
	echo "family $family: ${genl_answer:-no answer}" >&2
	return 1
}

# genl_families: the number of registered families into $genl_answer
genl_families() {
	genl_ask count
	[[ $genl_answer =~ ^[0-9]+$ ]] || fail "counting genl families: $genl_answer"
}

test_load_unload_20() {
	local families_before families_after refcnt i

	klab_unload "$mod" || fail "initial rmmod"
	coproc GENL { "$KLAB_ROOT/build/selftests/$mod/genl_family"; }
	genl_families
	families_before=$genl_answer
	for i in $(seq 20); do
		insmod "$ko" || fail "insmod #$i"
		family_is present || fail "family $family missing after insmod #$i"
		refcnt=
		read -r refcnt <"/sys/module/$mod/refcnt"
		[ "$refcnt" = 0 ] || fail "refcnt not 0 after insmod #$i"
		rmmod "$mod" || fail "rmmod #$i"
		! klab_loaded "$mod" || fail "/sys/module/$mod left after rmmod #$i"
		family_is absent || fail "family $family left after rmmod #$i"
	done
	genl_families
	families_after=$genl_answer
	[ "$families_before" = "$families_after" ] ||
		fail "genl families: $families_before before, $families_after after"
}

test_info_text_and_json() {
	local version

	klab_load "$mod" || fail "load"
	version=$(modinfo -F version "$ko")
	klabctl "$cli" info >"$tmp/text" || fail "klabctl $cli info: exit $?"
	cat "$tmp/text"
	grep -q "$mod" "$tmp/text" || fail "text output does not name $mod"
	grep -q "$version" "$tmp/text" || fail "text output lacks version $version"

	klabctl -j "$cli" info >"$tmp/json" || fail "klabctl -j $cli info: exit $?"
	cat "$tmp/json"
	jq -e --arg m "$mod" --arg f "$family" --arg v "$version" '
		.module == $m and .family == $f and .version == $v and
		.state == "ready" and (.debug_level | type) == "number" and
		(.uptime_ns | type) == "number" and (.changes | type) == "number"
		' "$tmp/json" >/dev/null || fail "JSON keys or values wrong"
}

test_set_debug_level() {
	local before after

	klab_load "$mod" || fail "load"
	before=$(klabctl -j "$cli" info | jq .changes)
	klabctl "$cli" set debug-level 6 || fail "set debug-level 6: exit $?"
	[ "$(debug_level)" = 6 ] || fail "debug level did not become 6"
	after=$(klabctl -j "$cli" info | jq .changes)
	[ "$after" = $((before + 1)) ] || fail "changes: $before -> $after"
	klabctl "$cli" set debug-level 0 || fail "set debug-level 0"
}

test_unprivileged_set_eperm() {
	local nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)

	klab_load "$mod" || fail "load"
	expect_exit 0 "${nobody[@]}" klabctl "$cli" info >/dev/null
	expect_exit 2 "${nobody[@]}" klabctl "$cli" set debug-level 3
	grep -qx "Error: Operation not permitted" "$tmp/err" || fail "no EPERM message"
	[ "$(debug_level)" = 0 ] || fail "unprivileged set changed the level"
}

test_out_of_range_extack() {
	klab_load "$mod" || fail "load"
	expect_exit 2 klabctl "$cli" set debug-level 8
	grep -q '^Error: .*debug-level' "$tmp/err" || fail "extack does not name debug-level"
	[ "$(debug_level)" = 0 ] || fail "rejected set changed the level"

	# a usage error, caught before any request is sent
	expect_exit 1 klabctl "$cli" set debug-level x
}

test_rmmod_with_monitor_open() {
	local pid rc i

	klab_load "$mod" || fail "load"
	klabctl -j "$cli" monitor >"$tmp/events" 2>&1 &
	pid=$!
	# the monitor is subscribed once it has seen one of our changes
	for i in $(seq 50); do
		klabctl "$cli" set debug-level 1 || fail "set"
		grep -q debug_level "$tmp/events" && break
		sleep 0.1
	done
	grep -q debug_level "$tmp/events" || fail "monitor saw no event"

	rmmod "$mod" || fail "rmmod with a klabctl socket open"
	for i in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill "$pid"
		fail "monitor still running after rmmod"
	fi
	wait "$pid"
	rc=$?
	cat "$tmp/events"
	[ "$rc" = 0 ] || fail "monitor exit $rc"
	grep -q unloaded "$tmp/events" || fail "monitor did not report the unload"
}

test_not_loaded_message() {
	klab_unload "$mod" || fail "rmmod"
	expect_exit 2 klabctl "$cli" info
	grep -q "^Error: module $mod is not loaded" "$tmp/err" || fail "wrong message"
}

ktap_plan 7
ktap_run load_unload_20 test_load_unload_20
ktap_run info_text_and_json test_info_text_and_json
ktap_run set_debug_level test_set_debug_level
ktap_run unprivileged_set_eperm test_unprivileged_set_eperm
ktap_run out_of_range_extack test_out_of_range_extack
ktap_run rmmod_with_monitor_open test_rmmod_with_monitor_open
ktap_run not_loaded_message test_not_loaded_message
ktap_finish
