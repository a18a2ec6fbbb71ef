#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# zonefs on a zoned klab_blk in both queue modes (formatted by
# blk_mkzonefs), under its own time limit: see test_zonefs in blk_zoned.sh
exec "$(dirname "$0")/blk_zoned.sh" zonefs
