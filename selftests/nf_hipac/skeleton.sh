#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The foundation's contract, for nf_hipac: see ../lib/skeleton.sh
exec "$(dirname "$0")/../lib/skeleton.sh" nf_hipac
