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

# selftests/runner.sh's marker before each program, for every program
# file of every collection
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
for f in "$root"/selftests/*/*.sh "$root"/selftests/*/*.c; do
	d=${f%/*}
	printf '[   12.345678] klab-runner: start %s/%s\n' "${d##*/}" "${f##*/}"
done >"$tmp"
if hit=$(splat_find "$tmp"); then
	echo "not ok: a runner marker is a splat: $hit"
	failed=1
fi

# The summary vm-run prints last: a stall in softirq, interrupted by the
# timer, its registers between the frames; a second trace of its own
cat >"$tmp" <<'LOG'
[  449.716800] rcu: INFO: rcu_preempt self-detected stall on CPU
[  449.716801] CPU: 1 PID: 1234 Comm: hipac_test Tainted: G           OE      6.1.0-57-amd64 #1  Debian 6.1.158-1
[  449.716802] Hardware name: QEMU Standard PC (Q35 + ICH9, 2009)
[  449.716803] Call Trace:
[  449.716804]  <IRQ>
[  449.716805]  ? show_regs+0x60/0x70
[  449.716806]  rcu_sched_clock_irq.cold+0x15/0x2b
[  449.716807] RIP: 0010:nfh_classify+0x50/0x170 [nf_hipac]
[  449.716808] RSP: 0018:ffffb5c0c0003d40 EFLAGS: 00000246
[  449.716809]  nfh_hook+0x2a/0x90 [nf_hipac]
[  449.716810]  nf_hook_slow+0x3c/0xb0
[  449.716811]  __napi_poll+0x28/0x160
[  449.716906]  net_rx_action+0x2a0/0x350
[  449.716907]  </IRQ>
[  449.716908]  <TASK>
[  449.716909]  ip_send_skb+0x82/0x90
[  449.716910] some later message
[  451.000000] watchdog: BUG: soft lockup - CPU#0 stuck for 49s! [churn.sh:14503]
[  451.000001] Modules linked in: nf_hipac(OE) veth
[  451.000002] CPU: 0 PID: 14503 Comm: churn.sh Tainted: G           OEL     6.1.0-57-amd64 #1  Debian 6.1.158-1
[  451.000003] Hardware name: QEMU Standard PC (Q35 + ICH9, 2009)
[  451.000004] RIP: 0010:__netif_receive_skb_core.constprop.0+0x3c/0xf50
[  451.000005] Code: 41 56 41 55 41 54 55 53 48 83 ec 58 48 8b 1f
[  451.000006] RSP: 0018:ffffb5c0c0003d40 EFLAGS: 00000246
[  451.000007] Call Trace:
[  451.000008]  <IRQ>
[  451.000009]  __netif_receive_skb_one_core+0x3c/0x80
[  451.000010]  process_backlog+0x81/0x120
[  451.000011]  </IRQ>
[  450.000000] BUG: scheduling while atomic: hipac_test/1234/0x00000101
[  450.000001] CPU: 0 PID: 99 Comm: kworker/0:1 Not tainted 6.1.0-57-amd64 #1
[  450.000002] Call Trace:
[  450.000003]  dump_stack_lvl+0x44/0x5c
[  450.000004]  __schedule_bug.cold+0x47/0x53
LOG
want='splat: rcu: INFO: rcu_preempt self-detected stall on CPU [CPU: 1 PID: 1234 Comm: hipac_test]: rcu_sched_clock_irq.cold < nfh_classify < nfh_hook < nf_hook_slow < __napi_poll < net_rx_action < ip_send_skb
splat: watchdog: BUG: soft lockup - CPU#0 stuck for 49s! [churn.sh:14503] [CPU: 0 PID: 14503 Comm: churn.sh]: __netif_receive_skb_core.constprop.0 < __netif_receive_skb_one_core < process_backlog
splat: BUG: scheduling while atomic: hipac_test/1234/0x00000101 [CPU: 0 PID: 99 Comm: kworker/0:1]: dump_stack_lvl < __schedule_bug.cold'
got=$(splat_summary "$tmp")
if [ "$got" != "$want" ]; then
	printf 'not ok: splat_summary printed\n%s\nwant\n%s\n' "$got" "$want"
	failed=1
fi

# The first splat as vm-run and scripts/check report it: its line, its
# text without the serial console's CR and the timestamp; none is false
printf '[    1.000000] healthy\r\n[   12.345678] BUG: kernel NULL pointer dereference, address: 0000000000000008\r\n[   12.345679] Oops: 0000 [#1]\r\n' >"$tmp"
want='2:BUG: kernel NULL pointer dereference, address: 0000000000000008'
got=$(splat_first "$tmp")
if [ "$got" != "$want" ]; then
	printf 'not ok: splat_first printed\n%s\nwant\n%s\n' "$got" "$want"
	failed=1
fi
printf 'Oops: no timestamp in a dmesg -t log\n' >"$tmp"
got=$(splat_first "$tmp")
if [ "$got" != '1:Oops: no timestamp in a dmesg -t log' ]; then
	echo "not ok: splat_first printed '$got' for a line without a timestamp"
	failed=1
fi
printf '[    1.000000] healthy\n' >"$tmp"
if got=$(splat_first "$tmp"); then
	echo "not ok: splat_first found '$got' in a healthy log"
	failed=1
fi

if [ "$failed" = 0 ]; then
	echo "ok: vm-run's splat patterns, first splat and summary"
fi
exit "$failed"
