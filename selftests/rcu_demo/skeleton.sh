#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The foundation's contract, for rcu_demo: see ../lib/skeleton.sh
exec "$(dirname "$0")/../lib/skeleton.sh" rcu_demo
