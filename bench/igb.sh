#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# netdev_igb_like against veth, in one boot (scripts/vm-run -b -- bench/igb.sh):
# the same two-namespace setup on a klab pair and on a veth pair, then
#
#   pktgen   64-byte frames (pkt_size 60 + FCS) from one end; packets per
#            second received by the other end's device
#   tcp      iperf3, one TCP stream, receiver's throughput
#   xdp_drop pktgen into an XDP program returning XDP_DROP; drops/s
#   itr      klab only: pktgen at rx-usecs 0, 10, 50, 100 (adaptive off):
#            pps and the receiver's interrupts per second
#
# and the ratios klab/veth.  One JSON line per result; not a test.
#   env: PKTS (frames per pktgen run, 500000), REPS (runs, median, 3),
#        TCP_SECS (5)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib.sh
source "$root/bench/lib.sh"
PATH=$root/build/bin:$PATH
PKTS=${PKTS:-500000}
REPS=${REPS:-3}
TCP_SECS=${TCP_SECS:-5}
XDP_OBJ=$root/build/selftests/netdev_igb_like/xdp_progs.o
NSX=benchX
NSY=benchY

inx() { ip netns exec "$NSX" "$@"; }
iny() { ip netns exec "$NSY" "$@"; }

"$root/scripts/modules" load netdev_igb_like
modprobe pktgen
modprobe veth

pair_down() {
	ip netns del "$NSX" 2>/dev/null || true
	ip netns del "$NSY" 2>/dev/null || true
	klabctl igb del x0 2>/dev/null || true
	ip link del x0 2>/dev/null || true
	sleep 0.5
}

# pair_up klab|veth: x0 in benchX (10.98.0.1), y0 in benchY (10.98.0.2)
pair_up() {
	pair_down
	if [ "$1" = klab ]; then
		klabctl igb add x0 peer y0 >/dev/null
	else
		# one queue per CPU, as the klab pair has
		ip link add x0 numtxqueues "$(nproc)" numrxqueues "$(nproc)" \
			type veth peer name y0 numtxqueues "$(nproc)" \
			numrxqueues "$(nproc)"
	fi
	ip netns add "$NSX"
	ip netns add "$NSY"
	inx sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	iny sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	ip link set x0 netns "$NSX"
	ip link set y0 netns "$NSY"
	inx ip addr add 10.98.0.1/24 dev x0
	iny ip addr add 10.98.0.2/24 dev y0
	inx ip link set x0 up
	iny ip link set y0 up
	inx ip link set lo up
	iny ip link set lo up
	inx ip neigh add 10.98.0.2 lladdr "$(iny cat /sys/class/net/y0/address)" dev x0
	iny ip neigh add 10.98.0.1 lladdr "$(inx cat /sys/class/net/x0/address)" dev y0
	sleep 1
}

rx_packets() { iny cat /sys/class/net/y0/statistics/rx_packets; }

# every XDP drop counter of y0 (klab: rx_queue_N_xdp_drop, veth: ..._xdp_drops)
xdp_drops() {
	iny ethtool -S y0 | awk '$1 ~ /xdp_drop/ { s += $2 } END { print s + 0 }'
}

# irqs DEV: the interrupts of DEV's vectors (klab), from /proc/interrupts
irqs() {
	awk -v name="$1-TxRx-" 'index($0, name) {
		for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i
	} END { print s + 0 }' /proc/interrupts
}

# polls NS DEV: the NAPI polls of DEV's vectors (klab; 0 for veth)
polls() {
	ip netns exec "$1" ethtool -S "$2" |
		awk '$1 ~ /^q_vector_[0-9]+_polls:/ { s += $2 } END { print s + 0 }'
}

# the counters a pktgen run moves: y0's interrupts, x0's, y0's polls, x0's
costs() {
	echo "$(irqs y0) $(irqs x0) $(polls "$NSY" y0) $(polls "$NSX" x0)"
}

pg() { echo "$2" > "/proc/net/pktgen/$1"; }

# pktgen's result line of x0 once its run ended ("OK: USEC(c..+d..) usec,
# ..."), waiting for it: "pgctrl start" waits only for the devices that
# are running 125 ms after it, so under load it returns before a thread
# that had not yet picked the run up has even started, and removing x0
# then finds it running (pktgen's "WARNING: trying to remove a running
# interface")
pktgen_result() {
	local line i

	for ((i = 0; i < 1200; i++)); do
		line=$(inx grep '^Result: OK: [0-9]*(c' /proc/net/pktgen/x0) &&
			{ echo "$line"; return; }
		sleep 0.1
	done
	echo "pktgen on x0 did not finish" >&2
	return 1
}

# pktgen_run: PKTS 64-byte frames out of x0 by kpktgend_0; prints
# "nanoseconds received_packets xdp_drops y0_irqs x0_irqs y0_polls
# x0_polls", the nanoseconds being pktgen's own of the run
pktgen_run() {
	local mac usec r0 r1 d0 d1 c0 c1 i

	mac=$(iny cat /sys/class/net/y0/address)
	inx bash -c "
		echo rem_device_all > /proc/net/pktgen/kpktgend_0
		echo add_device x0 > /proc/net/pktgen/kpktgend_0
		echo 'count $PKTS' > /proc/net/pktgen/x0
		echo 'pkt_size 60' > /proc/net/pktgen/x0
		echo 'clone_skb 0' > /proc/net/pktgen/x0
		echo 'delay 0' > /proc/net/pktgen/x0
		echo 'dst 10.98.0.2' > /proc/net/pktgen/x0
		echo 'dst_mac $mac' > /proc/net/pktgen/x0
		echo 'udp_dst_min 9' > /proc/net/pktgen/x0
		echo 'udp_dst_max 9' > /proc/net/pktgen/x0"
	r0=$(rx_packets)
	d0=$(xdp_drops)
	read -ra c0 < <(costs)
	inx bash -c 'echo start > /proc/net/pktgen/pgctrl'
	usec=$(pktgen_result | sed 's/^Result: OK: \([0-9]*\)(c.*/\1/')
	sleep 0.2
	r1=$(rx_packets)
	d1=$(xdp_drops)
	read -ra c1 < <(costs)
	# the thread lets go of x0 on its next loop: wait for that, or
	# deleting the pair finds x0 still pktgen's
	inx bash -c 'echo rem_device_all > /proc/net/pktgen/kpktgend_0
		for ((i = 0; i < 100; i++)); do
			[ -e /proc/net/pktgen/x0 ] || exit 0
			sleep 0.1
		done'
	echo -n "$((usec * 1000)) $((r1 - r0)) $((d1 - d0))"
	for i in 0 1 2 3; do
		echo -n " $((c1[i] - c0[i]))"
	done
	echo
}

# per FRAMES: COUNT / FRAMES with two decimals
per() { awk -v c="$1" -v f="$2" 'BEGIN { printf "%.2f", f ? c / f : 0 }'; }

# cost_line FRAMES YIRQ XIRQ YPOLL XPOLL: klab's interrupts and polls per
# frame received, on each end (adaptive ITR)
cost_line() {
	echo "{\"bench\":\"pktgen_cost\",\"dev\":\"klab\",\"frames\":$1,\"y0_irqs_per_frame\":$(per "$2" "$1"),\"x0_irqs_per_frame\":$(per "$3" "$1"),\"y0_polls_per_frame\":$(per "$4" "$1"),\"x0_polls_per_frame\":$(per "$5" "$1")}"
}

# rate COUNT NS: per second
rate() { awk -v c="$1" -v ns="$2" 'BEGIN { printf "%.0f", c / (ns / 1e9) }'; }

declare -A pps tcp xdp
declare -a c0 c1

for kind in klab veth; do
	pair_up $kind
	runs=()
	sum=(0 0 0 0 0)
	for ((r = 0; r < REPS; r++)); do
		read -r ns got _ yi xi yp xp < <(pktgen_run)
		runs+=("$(rate "$got" "$ns")")
		sum=($((sum[0] + got)) $((sum[1] + yi)) $((sum[2] + xi))
		     $((sum[3] + yp)) $((sum[4] + xp)))
	done
	pps[$kind]=$(median "${runs[@]}")
	echo "{\"bench\":\"pktgen\",\"dev\":\"$kind\",\"frame\":64,\"packets\":$PKTS,\"pps\":${pps[$kind]},\"runs\":[$(IFS=,; echo "${runs[*]}")]}"
	[ $kind = klab ] && cost_line "${sum[@]}"

	iny iperf3 -s -1 -D
	sleep 0.5
	read -ra c0 < <(costs)
	tcp[$kind]=$(inx iperf3 -c 10.98.0.2 -t "$TCP_SECS" -J |
		jq '.end.sum_received.bits_per_second / 1e6 | floor')
	read -ra c1 < <(costs)
	echo "{\"bench\":\"tcp\",\"dev\":\"$kind\",\"streams\":1,\"secs\":$TCP_SECS,\"Mbit_s\":${tcp[$kind]}}"
	# klab: the interrupts and polls of the run, each end
	[ $kind = klab ] && echo "{\"bench\":\"tcp_cost\",\"dev\":\"klab\",\"y0_irqs\":$((c1[0] - c0[0])),\"x0_irqs\":$((c1[1] - c0[1])),\"y0_polls\":$((c1[2] - c0[2])),\"x0_polls\":$((c1[3] - c0[3]))}"

	iny ip link set dev y0 xdp obj "$XDP_OBJ" sec xdp_drop
	runs=()
	for ((r = 0; r < REPS; r++)); do
		read -r ns _ drops _ _ _ _ < <(pktgen_run)
		runs+=("$(rate "$drops" "$ns")")
	done
	xdp[$kind]=$(median "${runs[@]}")
	echo "{\"bench\":\"xdp_drop\",\"dev\":\"$kind\",\"frame\":64,\"packets\":$PKTS,\"drops_per_s\":${xdp[$kind]},\"runs\":[$(IFS=,; echo "${runs[*]}")]}"
	iny ip link set dev y0 xdp off

	if [ $kind = klab ]; then
		for usecs in 0 10 50 100; do
			iny ethtool -C y0 adaptive-rx off rx-usecs $usecs
			read -r ns got _ ints _ _ _ < <(pktgen_run)
			echo "{\"bench\":\"itr\",\"dev\":\"klab\",\"rx_usecs\":$usecs,\"pps\":$(rate "$got" "$ns"),\"irqs_per_s\":$(rate "$ints" "$ns"),\"frames_per_irq\":$(awk -v g="$got" -v i="$ints" 'BEGIN { printf "%.1f", i ? g / i : 0 }')}"
		done
		iny ethtool -C y0 adaptive-rx on
	fi
done
pair_down

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b ? a / b : 0 }'; }
echo "{\"bench\":\"ratio\",\"pps\":$(ratio "${pps[klab]}" "${pps[veth]}"),\"tcp\":$(ratio "${tcp[klab]}" "${tcp[veth]}"),\"xdp_drop\":$(ratio "${xdp[klab]}" "${xdp[veth]}")}"
