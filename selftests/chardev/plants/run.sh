#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# klab_blk's planted bugs against its detectors: ../../lib/plants.sh.
#   selftests/chardev/plants/run.sh NAME...	(NAME: a patch without .patch)
exec "$(dirname "$0")/../../lib/plants.sh" chardev "$@"
