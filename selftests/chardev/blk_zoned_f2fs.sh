#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# f2fs (mkfs.f2fs -m) and fio --zonemode=zbd on a zoned klab_blk, under
# their own time limit: see test_f2fs and test_fio_zbd in blk_zoned.sh
exec "$(dirname "$0")/blk_zoned.sh" f2fs fio_zbd
