#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Privileges of every klab generic netlink op (genl_fuzz -p): freshly
# loaded modules, so no run started by an earlier test moves the state;
# in the VM's own network namespace, whose state root of a new user and
# network namespace must not be able to change.  The modules are unloaded
# at the end, which must succeed.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/../lib/klab.sh"

require_root
"$KLAB_ROOT/scripts/modules" unload &&
	"$KLAB_ROOT/scripts/modules" load || exit "$KSFT_FAIL"
rc=$KSFT_PASS
"$KLAB_ROOT/build/selftests/gauntlet/genl_fuzz" -p "$@" || rc=$KSFT_FAIL
if ! "$KLAB_ROOT/scripts/modules" unload; then
	echo "# genl_perm: a module would not unload: a leaked reference"
	rc=$KSFT_FAIL
fi
exit "$rc"
