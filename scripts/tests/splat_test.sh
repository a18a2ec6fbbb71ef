#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel-log lines scripts/vm-run takes for a splat (exit 125), and
# lines it must not: module messages such as ipt_CLUSTERIP's, whose name
# ends in "IP:", used to fail a healthy run.  Run by ctest (make host-test).
set -u

# shellcheck source=../splat.sh
source "$(dirname "${BASH_SOURCE[0]}")/../splat.sh" || exit 1

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
failed=0

# check WANT LINE: WANT 1 when LINE is a splat, 0 when it is not
check() {
	local got=0

	printf '[   12.345678] %s\n' "$2" >"$tmp"
	splat_find "$tmp" >/dev/null && got=1
	if [ "$got" != "$1" ]; then
		echo "not ok: splat=$got, want $1: $2"
		failed=1
	fi
}

# Lines of real oopses, warnings and allocator reports (6.1, x86_64)
check 1 'RIP: 0010:nfh_hook+0x1a/0x200 [nf_hipac]'
check 1 'RIP: 0033:0x7f3a2c1e4b3d'
check 1 'CPU: 0 PID: 1 Comm: sh Tainted: G O E 6.1.0-27-amd64 #1 Debian RIP: 0010:x'
check 1 'WARNING: CPU: 1 PID: 233 at net/netfilter/core.c:390 nf_hook_entries_grow+0x1f/0x40'
check 1 'BUG: unable to handle page fault for address: ffffc90000000000'
check 1 'Oops: 0000 [#1] PREEMPT SMP NOPTI'
check 1 'Call Trace:'
check 1 'general protection fault, probably for non-canonical address 0xdead000000000100: 0000 [#1]'
check 1 'Kernel panic - not syncing: panic_on_warn set ...'
check 1 'kernel BUG at net/core/skbuff.c:4230!'
check 1 'UBSAN: shift-out-of-bounds in net/netfilter/x_tables.c:123:4'
check 1 'BUG kmalloc-64 (Tainted: G           O E     ): Object already free'
check 1 'kmem_cache_destroy nfh_rule: Slab cache still has objects when called from nfh_exit'

# Healthy lines that merely contain "RIP:" or look like a register dump
check 0 'ipt_CLUSTERIP: ClusterIP Version 0.8 loaded successfully'
check 0 'ipt_CLUSTERIP: ipt_CLUSTERIP is deprecated and it will removed soon, use xt_cluster instead'
check 0 'CLUSTERIP: 10.0.0.1 is the cluster address'
check 0 'xRIP: 0010:not a register dump'
check 0 'RIP: 0018:not the kernel or user code segment'
check 0 'ipt_CLUSTERIP: RIP: 00100 is no register dump'
check 0 'nf_hipac: family 0: generation 3, 10 rules'

if [ "$failed" = 0 ]; then
	echo "ok: vm-run's splat patterns"
fi
exit "$failed"
