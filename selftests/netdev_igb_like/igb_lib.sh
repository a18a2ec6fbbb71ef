#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers for netdev_igb_like's selftests, sourced: a pair a0/b0 with each
# end in its own network namespace (igbA 10.99.0.1, igbB 10.99.0.2), and
# readers for ethtool -S, /proc/interrupts and klabctl igb show.

# shellcheck source=../lib/klab.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/klab.sh"

IGB_OUT=${IGB_OUT:-$KLAB_ROOT/build/selftests/netdev_igb_like}
PKT=$IGB_OUT/igb_pkt
XDP_OBJ=$IGB_OUT/xdp_progs.o
# iputils ping, or busybox's where iputils-ping is missing
PING=$(command -v ping || echo busybox ping)
NSA=igbA
NSB=igbB

# a failing command in a test says which, before set -e ends the test
set -o errtrace
trap 'echo "line $LINENO: $BASH_COMMAND: exit $?" >&2' ERR

ina() { ip netns exec "$NSA" "$@"; }
inb() { ip netns exec "$NSB" "$@"; }

igb_require() {
	require_root
	klab_load netdev_igb_like || exit "$KSFT_FAIL"
	[ -x "$PKT" ] || { echo "missing $PKT (make selftests)"; exit "$KSFT_FAIL"; }
}

# igb_pair_up [klabctl add options...]: a0 in igbA, b0 in igbB, both up
igb_pair_up() {
	igb_pair_down
	klabctl igb add a0 peer b0 "$@" >/dev/null || fail "klabctl igb add"
	ip netns add "$NSA"
	ip netns add "$NSB"
	# only the tests' frames on the wire: no IPv6 chatter, no ARP
	ina sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	inb sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	ip link set a0 netns "$NSA"
	ip link set b0 netns "$NSB"
	ina ip addr add 10.99.0.1/24 dev a0
	inb ip addr add 10.99.0.2/24 dev b0
	ina ip neigh add 10.99.0.2 lladdr "$(mac "$NSB" b0)" dev a0 nud permanent
	inb ip neigh add 10.99.0.1 lladdr "$(mac "$NSA" a0)" dev b0 nud permanent
	ina ip link set a0 up
	inb ip link set b0 up
	ina ip link set lo up
	inb ip link set lo up
	wait_link
}

# wait_link: until both ends' operstate is up again (linkwatch runs the
# carrier change and reactivates the qdisc up to a second later; frames
# sent before are dropped by the deactivated qdisc)
wait_link() {
	local i

	for ((i = 0; i < 50; i++)); do
		[ "$(ina cat /sys/class/net/a0/operstate 2>/dev/null)" = up ] &&
			[ "$(inb cat /sys/class/net/b0/operstate 2>/dev/null)" = up ] &&
			return 0
		sleep 0.1
	done
	echo "link did not come up" >&2
	return 1
}

# igb_pair_down: delete the pair wherever it is, then the namespaces
igb_pair_down() {
	local ns

	# whatever is not there fails quietly
	for ns in "$NSA" "$NSB"; do
		ip netns exec "$ns" klabctl igb del a0 2>/dev/null || true
		ip netns exec "$ns" klabctl igb del b0 2>/dev/null || true
		ip netns del "$ns" 2>/dev/null || true
	done
	klabctl igb del a0 2>/dev/null || true
	klabctl igb del b0 2>/dev/null || true
}

# mac NS DEV
mac() { ip netns exec "$1" cat "/sys/class/net/$2/address"; }

# stat NS DEV KEY: one ethtool -S counter
stat() {
	ip netns exec "$1" ethtool -S "$2" | awk -v k="$3:" '$1 == k { print $2 }'
}

# irqs NS DEV: the sum of the device's vectors in /proc/interrupts
irqs() {
	awk -v d="$2-TxRx-" 'index($0, d) {
		for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i
	} END { print s + 0 }' /proc/interrupts
}

# show NS DEV: klabctl igb show -j of one device
show() { ip netns exec "$1" klabctl -j igb show "$2" | jq -c '.devices[0]'; }
