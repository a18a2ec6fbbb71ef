#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# klabctl status against the kernel's /sys/module: a loaded module shows
# its version and the O and E taints of an unsigned out-of-tree module,
# an absent one "not loaded", in text and in JSON.
set -uo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../lib/klab.sh"
require_root

version=$(sed -n 's/^#define KLAB_VERSION[[:space:]]*"\(.*\)"/\1/p' \
	"$KLAB_ROOT/include/uapi/klab/klab.h")

test_loaded() {
	set -e
	klab_load rcu_demo
	local j
	j=$(klabctl -j status | jq -c 'select(.module == "rcu_demo")')
	echo "$j"
	[ "$(jq -r .state <<<"$j")" = live ] || fail "state: $j"
	[ "$(jq -r .version <<<"$j")" = "$version" ] || fail "version: $j"
	[ "$(jq -r .taint <<<"$j")" = "$(cat /sys/module/rcu_demo/taint)" ] || fail "taint: $j"
	[[ $(jq -r .taint <<<"$j") == *O* ]] || fail "no O taint: $j"
	klabctl status | grep -E "^rcu_demo: .*state live .*version $version" ||
		fail "text: $(klabctl status)"
}

test_unloaded() {
	set -e
	klab_unload rcu_demo
	[ "$(klabctl -j status | jq -r 'select(.module == "rcu_demo") | .state')" = "not loaded" ] ||
		fail "$(klabctl -j status)"
	# one record per klab module, whatever is loaded
	[ "$(klabctl -j status | jq -s length)" -eq 6 ] || fail "$(klabctl -j status)"
}

ktap_plan 2
ktap_run status_loaded test_loaded
ktap_run status_unloaded test_unloaded
ktap_finish
