#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sched_demo's planted bugs against its detectors: ../../lib/plants.sh.
#   selftests/sched_demo/plants/run.sh NAME...
exec "$(dirname "$0")/../../lib/plants.sh" sched_demo "$@"
