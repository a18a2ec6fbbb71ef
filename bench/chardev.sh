#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The chardev module's benchmarks (make bench-chardev, inside the VM): the
# RAM disk's, then the pipe's if there is one.  One JSON line per result.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
rc=0
"$here/chardev-blk.sh" || rc=1
if [ -x "$here/chardev-pipe.sh" ]; then
	"$here/chardev-pipe.sh" || rc=1
fi
exit $rc
