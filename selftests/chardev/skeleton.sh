#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The foundation's contract, for chardev: see ../lib/skeleton.sh
exec "$(dirname "$0")/../lib/skeleton.sh" chardev
