#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/setup provisions the Vagrant box: on a machine that has every
# package (this guest sees the host's installed system) it must finish
# without a prompt, install nothing and say nothing, every time.
set -uo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../lib/klab.sh"
require_root

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

test_idempotent() {
	local i
	for i in 1 2; do
		DEBIAN_FRONTEND=noninteractive "$KLAB_ROOT/scripts/setup" \
			</dev/null >"$tmp/out" 2>&1 || fail "run $i: exit $?: $(cat "$tmp/out")"
		[ ! -s "$tmp/out" ] || fail "run $i printed: $(cat "$tmp/out")"
	done
}

# Every package the setup names is installed here, so the check above
# really ran the no-op path and not an install
test_all_installed() {
	local packages=() installed missing

	# shellcheck source=/dev/null # the setup's package list only
	source <(sed -n '/^packages=(/,/^)/p' "$KLAB_ROOT/scripts/setup")
	[ ${#packages[@]} -gt 0 ] || fail "no package list in scripts/setup"
	# one dpkg-query for all: it prints only the packages it knows
	# shellcheck disable=SC2016 # dpkg-query expands these
	installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' \
		"${packages[@]}" 2>/dev/null | awk '$2 == "installed" { print $1 }')
	missing=$(printf '%s\n' "${packages[@]}" | grep -vxF -f <(echo "$installed"))
	[ -z "$missing" ] || fail "not installed: $missing"
}

ktap_plan 2
ktap_run setup_idempotent test_idempotent
ktap_run setup_packages_present test_all_installed
ktap_finish
