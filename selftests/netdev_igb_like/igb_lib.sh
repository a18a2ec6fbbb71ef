#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers for netdev_igb_like's selftests, sourced.  Two setups:
#
#   igb_pair_up    a0 in namespace igbA (10.99.0.1), b0 in igbB
#                  (10.99.0.2): IP traffic between two stacks (ping, TCP)
#   igb_local_up   a0 and b0 both in this namespace, no addresses: raw
#                  frames from igb_pkt, counted by the driver and by packet
#                  sockets on the receiving end
#
# Under TCG every process costs tens of milliseconds and `ip netns exec`
# (a mount namespace, sysfs remounted) several times that, so the tests
# that only need frames on the wire use the local pair, read counters
# with one ethtool call each (stats) and read files with shell builtins.

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
	pp_trace_on
}

TRACING=/sys/kernel/tracing

# Page pools: each time the core tries to free a destroyed pool (at
# page_pool_destroy(), then every second) the page_pool_release
# tracepoint reports the pages still in flight.  A pool whose last report
# is not 0 is waiting for pages: in an skb somewhere, or leaked.
pp_trace_on() {
	echo 1 > "$TRACING/events/page_pool/page_pool_release/enable"
	echo > "$TRACING/trace"
}

# pp_pools: "POOLS_SEEN POOLS_WITH_PAGES_OUT" from the trace so far
pp_pools() {
	awk '/page_pool_release:/ {
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^page_pool=/) p = $i
			if ($i ~ /^inflight=/) { sub("inflight=", "", $i); f = $i }
		}
		last[p] = f
	} END {
		for (p in last) { n++; if (last[p] != 0) out++ }
		print n + 0, out + 0
	}' "$TRACING/trace"
}

# kick_defer_lists: a loopback ping from each CPU runs NET_RX there, which
# frees the skbs that sockets handed back to the CPU that built them
# (6.1's skb_attempt_defer_free(): TCP's consumed skbs wait on a list of
# the CPU that allocated them, unkicked up to net.core.skb_defer_max / 2,
# and their pages with them)
kick_defer_lists() {
	local cpu

	for cpu in $(seq 0 $(($(nproc) - 1))); do
		taskset -c "$cpu" $PING -c 1 -W 1 127.0.0.1 >/dev/null 2>&1 || true
	done
}

# pp_check_released: every pool destroyed since igb_require got all its
# pages back (the core retries once a second)
pp_check_released() {
	local seen out i

	kick_defer_lists
	for ((i = 0; i < 12; i++)); do
		read -r seen out < <(pp_pools)
		[ "$out" = 0 ] && break
		sleep 0.5
	done
	echo "page pools destroyed: $seen, still waiting for pages: $out"
	[ "$seen" -gt 0 ] || fail "no page pool destroyed: nothing was checked"
	[ "$out" = 0 ] || { grep page_pool_release "$TRACING/trace" | tail -5;
		fail "pages still out of a destroyed pool"; }
}

# igb_run NAME FUNCTION: ktap_run, with the test's duration as a comment
igb_run() {
	local t0=$EPOCHREALTIME

	ktap_run "$@"
	echo "# $1: $(awk -v a="$t0" -v b="$EPOCHREALTIME" \
		'BEGIN { printf "%.1f", b - a }') s"
}

# quiet DEV: no IPv6 (router solicitations, MLD) on a device
quiet() {
	echo 1 > "/proc/sys/net/ipv6/conf/$1/disable_ipv6"
}

# igb_local_up [klabctl add options...]: a0 and b0 here, up, pfifo on a0
igb_local_up() {
	igb_pair_down
	klabctl igb add a0 peer b0 "$@" >/dev/null || fail "klabctl igb add"
	quiet a0
	quiet b0
	ip link set a0 up
	ip link set b0 up
	igb_fifo a0
	wait_link
}

# igb_fifo DEV: a qdisc that does not drop what it queued.  fq_codel, the
# default, drops frames that waited over 5 ms (CoDel): under flow control
# or TX moderation a stopped queue makes them wait, and those drops are
# the qdisc's (tc -s qdisc), not the driver's.
igb_fifo() {
	tc qdisc replace dev "$1" root pfifo limit 4096
}

# igb_pair_up [klabctl add options...]: a0 in igbA, b0 in igbB, both up
igb_pair_up() {
	igb_pair_down
	klabctl igb add a0 peer b0 "$@" >/dev/null || fail "klabctl igb add"
	quiet a0
	quiet b0
	ip netns add "$NSA"
	ip netns add "$NSB"
	ip link set a0 netns "$NSA"
	ip link set b0 netns "$NSB"
	ina sh -c "ip addr add 10.99.0.1/24 dev a0 && ip link set a0 up &&
		ip link set lo up"
	inb sh -c "ip addr add 10.99.0.2/24 dev b0 && ip link set b0 up &&
		ip link set lo up"
	wait_link
}

# up_both: both ends' operstate is up, wherever they are
up_both() {
	local a b

	if [ -e "/run/netns/$NSA" ]; then
		a=$(ina cat /sys/class/net/a0/operstate 2>/dev/null)
		b=$(inb cat /sys/class/net/b0/operstate 2>/dev/null)
	else
		read -r a < /sys/class/net/a0/operstate
		read -r b < /sys/class/net/b0/operstate
	fi
	[ "$a" = up ] && [ "$b" = up ]
}

# wait_link: until both ends' operstate is up again (linkwatch runs the
# carrier change and reactivates the qdisc up to a second later; frames
# sent before are dropped by the deactivated qdisc)
wait_link() {
	local i

	for ((i = 0; i < 50; i++)); do
		up_both 2>/dev/null && return 0
		sleep 0.1
	done
	echo "link did not come up" >&2
	return 1
}

# igb_pair_down: delete the pair wherever it is, then the namespaces
igb_pair_down() {
	local ns

	# whatever is not there fails quietly
	klabctl igb del a0 2>/dev/null || true
	for ns in "$NSA" "$NSB"; do
		[ -e "/run/netns/$ns" ] || continue
		ip netns exec "$ns" klabctl igb del a0 2>/dev/null ||
			ip netns exec "$ns" klabctl igb del b0 2>/dev/null || true
		ip netns del "$ns" 2>/dev/null || true
	done
	klabctl igb del b0 2>/dev/null || true
}

# mac DEV, here
mac() {
	local m

	read -r m < "/sys/class/net/$1/address"
	echo "$m"
}

# stats DEV [NS]: every ethtool -S counter of DEV into the array S
declare -A S
stats() {
	local k v

	S=()
	while read -r k v; do
		[ -n "$v" ] && S[${k%:}]=$v
	done < <(if [ -n "${2:-}" ]; then ip netns exec "$2" ethtool -S "$1";
		 else ethtool -S "$1"; fi)
}

# xfer [igb_pkt xfer options] TXIF DSTIF: frames across the local pair;
# the result line in $XFER
xfer() {
	XFER=$("$PKT" xfer "$@") || { echo "$XFER"; return 1; }
	echo "$XFER"
}

# irqs DEV: the sum of the device's vectors in /proc/interrupts
irqs() {
	local line f s=0

	while read -r line; do
		[[ $line == *" $1-TxRx-"* ]] || continue
		for f in ${line#*:}; do
			[[ $f =~ ^[0-9]+$ ]] || break
			s=$((s + f))
		done
	done < /proc/interrupts
	echo "$s"
}

# softirqs NAME: the sum over the CPUs of a line of /proc/softirqs
softirqs() {
	local name rest f s=0

	while read -r name rest; do
		[ "$name" = "$1:" ] || continue
		for f in $rest; do s=$((s + f)); done
	done < /proc/softirqs
	echo "$s"
}

# show DEV [NS]: klabctl igb show -j of one device
show() {
	if [ -n "${2:-}" ]; then
		ip netns exec "$2" klabctl -j igb show "$1"
	else
		klabctl -j igb show "$1"
	fi | jq -c '.devices[0]'
}
