#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# 50 RAM disks made and removed through configfs and 50 through klabctl,
# checked for leaks: see test_create_remove_50 in blk_dev.sh
exec "$(dirname "$0")/blk_dev.sh" create_remove_50
