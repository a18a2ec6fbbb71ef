#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The refscale-style harness: a table for every type with positive,
# finite numbers, in refscale's log format, which the kernel's
# kvm-recheck-refscale.sh reads back to the same mean.
. "$(dirname "$0")/rcu_lib.sh"

every_type() {
	local types n
	klabctl -j rcu scale --type all --loops 500 --nruns 3 >"$tmp/all.json" ||
		fail "klabctl rcu scale --type all failed"
	types=$(klabctl -j rcu types | jq -r '.types.scale | length')
	n=$(jq -s '[.[] | select(.harness == "scale" and .success)] | length' "$tmp/all.json")
	[ "$n" = "$types" ] || fail "$n of $types types succeeded"
	jq -s -e '[.[] | select(.harness == "scale") | .results[0] |
		(.runs_ps | length == 3) and all(.runs_ps[]; . > 0 and . < 1e12) and
		.median_ps > 0] | all' "$tmp/all.json" >/dev/null ||
		fail "a non-positive or missing number: $(cat "$tmp/all.json")"
	jq -s -e '.[-1] | .ratios and .klab_rcu_over_rcu > 0' "$tmp/all.json" >/dev/null ||
		fail "no ratios record"
}

refscale_format() {
	local mean ours
	rcu_run scale --type klab_rcu --loops 1000 --nruns 5
	expect '.success and (.results[0].runs_ps | length) == 5'
	rcu_console "$tmp/console.log"
	grep -q 'klab_rcu-ref-scale: --- Start of test:  verbose=0' "$tmp/console.log" ||
		fail "no refscale start line"
	mkdir -p "$tmp/res/klab_rcu"
	cp "$tmp/console.log" "$tmp/res/klab_rcu/console.log"
	rcutorture_script kvm-recheck-refscale.sh "$tmp/res/klab_rcu" >"$tmp/recheck" ||
		fail "kvm-recheck-refscale.sh failed"
	cat "$tmp/recheck"
	mean=$(sed -n 's/^Average reader duration: \([0-9.]*\) nanoseconds$/\1/p' "$tmp/recheck")
	ours=$(jget '.results[0].mean_ps / 1000')
	awk -v a="$mean" -v b="$ours" 'BEGIN { d = a - b; exit !(a > 0 && d < 0.01 && d > -0.01) }' ||
		fail "the script's mean $mean differs from ours $ours"
}

main() {
	rcu_setup
	ktap_plan 2
	ktap_run "scale: every type, positive finite numbers" every_type
	ktap_run "scale: refscale's format, read by kvm-recheck-refscale.sh" refscale_format
	ktap_finish
}

main "$@"
