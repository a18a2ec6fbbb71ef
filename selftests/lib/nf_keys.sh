#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# nf_keys.sh hold|release: keep the kernel's netfilter static keys set
# while a test removes a module's hooks under traffic.
#
# nf_hooks_needed[pf][hook] is a static key: the first hook registered at
# a (family, hook) point, and the last one unregistered, patch the jump
# label in every NF_HOOK() site of that point with text_poke_bp(), which
# plants an int3 while it rewrites the instruction.  A CPU that meets the
# int3 after the other CPU has finished finds no breakpoint in memory, and
# x86's kprobe_int3_handler() sends it back to run the instruction again.
# Under QEMU's multi-threaded TCG, which the test VM uses, that CPU can
# keep running a stale translation of the int3 and so loop forever: a
# make check run (2026-12-07) hung 425 s in softirq at
# ip_local_deliver+0x5c, the two-byte NOP of nf_hooks_needed[IPV4]
# [LOCAL_IN], while hipac_test unloaded nf_hipac under UDP on lo.  A real
# CPU refetches the instruction; the emulator's cache is the bug.
#
# An empty nft base chain (policy accept) at each IPv4 and IPv6 hook
# holds every key above zero, so that unloading or loading a module under
# traffic removes and adds its hooks without patching code.  The module's
# own hook removal, the part under test, is unchanged.

set -e

case $1 in
hold)
	nft -f - <<-EOF
		table inet klab_keys {
			chain k_pre { type filter hook prerouting priority 0; }
			chain k_in { type filter hook input priority 0; }
			chain k_fwd { type filter hook forward priority 0; }
			chain k_out { type filter hook output priority 0; }
			chain k_post { type filter hook postrouting priority 0; }
		}
	EOF
	;;
release)
	nft delete table inet klab_keys
	;;
*)
	echo "usage: $0 hold|release" >&2
	exit 2
	;;
esac
