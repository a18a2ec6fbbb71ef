#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# DKMS end to end, in the VM (make check-dkms): make dkms-install against
# the installed 6.1 headers, then each module loads by name with modprobe
# from DKMS's install location, modinfo shows klab's version and license,
# and make dkms-remove takes the modules out of /lib/modules again.
# Compiling every module under TCG takes minutes: not part of make check.
set -uo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../lib/klab.sh"

version=$(sed -n 's/^#define KLAB_VERSION[[:space:]]*"\(.*\)"/\1/p' \
	"$KLAB_ROOT/include/uapi/klab/klab.h")
kver=$(uname -r)
dest=/lib/modules/$kver/updates/dkms

test_install() {
	set -e
	make -s -C "$KLAB_ROOT" dkms-install
	dkms status -m klab -v "$version" -k "$kver" | grep -q installed
	for m in "${!KLAB_CLI[@]}"; do
		ls "$dest/$m".ko* >/dev/null
	done
}

test_modprobe() {
	set -e
	local m file
	for m in "${!KLAB_CLI[@]}"; do
		modprobe "$m"
		file=$(modinfo -n "$m")
		[[ $file == "$dest"/* ]] || fail "$m loads from $file"
		[ "$(modinfo -F version "$m")" = "$version" ]
		[ "$(modinfo -F license "$m")" = GPL ]
		[ "$(cat "/sys/module/$m/version")" = "$version" ]
		klabctl "${KLAB_CLI[$m]}" info >/dev/null
	done
	klabctl status
}

test_remove() {
	set -e
	local m
	for m in "${!KLAB_CLI[@]}"; do
		modprobe -r "$m"
	done
	make -s -C "$KLAB_ROOT" dkms-remove
	for m in "${!KLAB_CLI[@]}"; do
		if modinfo -n "$m" 2>/dev/null; then
			fail "$m is still installed"
		fi
	done
	if dkms status -m klab | grep .; then
		fail "dkms still lists klab"
	fi
}

ktap_plan 3
ktap_run dkms_install test_install
ktap_run dkms_modprobe_modinfo test_modprobe
ktap_run dkms_remove test_remove
ktap_finish
