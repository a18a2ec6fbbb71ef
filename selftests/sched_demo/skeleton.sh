#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The foundation's contract, for sched_demo: see ../lib/skeleton.sh
exec "$(dirname "$0")/../lib/skeleton.sh" sched_demo
