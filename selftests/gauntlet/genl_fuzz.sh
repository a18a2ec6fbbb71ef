#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The generic netlink fuzzer (genl_fuzz.c) over every klab family, with all
# modules loaded.  It runs in a scratch network namespace: the families
# that honour namespaces (nf_hipac's rule sets, klab_igb's devices) keep
# what valid messages create there, away from the VM's own network.  The
# modules are unloaded at the end: a reference the fuzzer's requests
# leaked fails the unload, and the test.  Arguments go to genl_fuzz
# (-s SEED replays a run); KLAB_STRESS=1: 100,000 messages per family.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/../lib/klab.sh"

require_root
"$KLAB_ROOT/scripts/modules" load || exit "$KSFT_FAIL"
rc=$KSFT_PASS
unshare --net -- "$KLAB_ROOT/build/selftests/gauntlet/genl_fuzz" "$@" ||
	rc=$KSFT_FAIL
if ! "$KLAB_ROOT/scripts/modules" unload; then
	echo "# genl_fuzz: a module would not unload: a leaked reference"
	rc=$KSFT_FAIL
fi
exit "$rc"
