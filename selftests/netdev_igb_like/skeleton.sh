#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The foundation's contract, for netdev_igb_like: see ../lib/skeleton.sh
exec "$(dirname "$0")/../lib/skeleton.sh" netdev_igb_like
