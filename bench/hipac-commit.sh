#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One-rule commits on a big table, nf_hipac beside iptables-legacy and an
# nftables linear chain, in the same boot (in the VM):
#   make bench-hipac-commit [RULES="10000 100000"] [KO=path/to/nf_hipac.ko]
#   (REPS, default 5: rounds of the one-rule changes, the median is
#   reported; MEM_LIMIT_MB, default 1536: the module's mem_limit; SYSTEMS,
#   default "nf_hipac iptables-legacy nft")
# For each size, each system in turn restores a ClassBench-like access
# list of that many FORWARD rules (5-tuple prefixes, ports, ACCEPT and DROP
# alternating; nft gets the same rules as one chain), then makes the same
# changes with its own command, each its own transaction: append, insert
# in the middle, insert at the top a rule matching every address, replace
# in the middle, delete in the middle, and one restore --noflush (nft -f)
# of ten changes.  Prints one JSON line per system, size and operation:
# the median wall milliseconds of the whole command (as `time` shows it)
# over REPS rounds, for nf_hipac also the median milliseconds the commit
# spent building the trees (the module's debug line), then the kernel
# memory the load added (Slab + VmallocUsed of /proc/meminfo, after
# dropping reclaimable slab, before and after), and the ratios of
# nf_hipac to the others.  Under TCG the absolute numbers are several
# times the host's; compare the systems of one run.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
klabctl=${KLABCTL:-$root/build/bin/klabctl}
ko=${KO:-$root/modules/nf_hipac/nf_hipac.ko}
sizes=${RULES:-10000 100000}
systems=${SYSTEMS:-nf_hipac iptables-legacy nft}
reps=${REPS:-5}
tmp=$(mktemp -d)
cleanup() {
	rm -rf "$tmp"
	rmmod nf_hipac 2>/dev/null || true
	iptables-legacy -F FORWARD 2>/dev/null || true
	nft delete table ip klab 2>/dev/null || true
}
trap cleanup EXIT

# The access list, seeded: addresses from 256 /16 networks, prefixes /20
# to /32 aligned to their length, a source or a destination or both (a rule
# with neither would shadow the rest of a first-match list), TCP, UDP or
# any protocol, a well-known destination port, the unprivileged range or
# none.
gen() {
	awk -v n="$1" 'function addr(len,  net, a, block) {
		net = nets[int(rand() * 256)]
		a = net * 65536 + int(rand() * 65536)
		block = 2 ^ (32 - len)
		a = int(a / block) * block
		return int(a / 16777216) "." int(a / 65536) % 256 "." \
		       int(a / 256) % 256 "." a % 256 "/" len
	}
	BEGIN {
		srand(1)
		for (i = 0; i < 256; i++)
			nets[i] = 10 * 256 + i
		split("22 25 53 80 110 123 143 443 993 3306 5432 8080", ports)
		print "*filter"
		print ":INPUT ACCEPT [0:0]"
		print ":FORWARD ACCEPT [0:0]"
		print ":OUTPUT ACCEPT [0:0]"
		for (i = 0; i < n; i++) {
			line = "-A FORWARD"
			r = rand()
			if (r < 0.85)
				line = line " -s " addr(20 + int(rand() * 13))
			if (r >= 0.15)
				line = line " -d " addr(20 + int(rand() * 13))
			r = rand()
			p = r < 0.6 ? "tcp" : r < 0.9 ? "udp" : ""
			if (p != "") {
				line = line " -p " p
				r = rand()
				if (r < 0.5)
					line = line " --dport " ports[1 + int(rand() * 12)]
				else if (r < 0.7)
					line = line " --dport 1024:65535"
			}
			print line " -j " (i % 2 ? "ACCEPT" : "DROP")
		}
		print "COMMIT"
	}'
}

# iptables rule specs (one a line, "-A FORWARD" or not) as nft expressions
# of the same match, one a line
tonft() {
	awk '{
		e = ""
		for (i = 1; i <= NF; i++) {
			if ($i == "-s")
				e = e " ip saddr " $(++i)
			else if ($i == "-d")
				e = e " ip daddr " $(++i)
			else if ($i == "-p")
				p = $(++i)
			else if ($i == "--dport") {
				d = $(++i)
				sub(":", "-", d)
			} else if ($i == "-j")
				v = tolower($(++i))
		}
		if (p != "")
			e = e (d != "" ? " " p " dport " d : " ip protocol " p)
		print substr(e, 2) " " v
		p = d = ""
	}'
}

now_ns() { date +%s%N; }

# Slab + VmallocUsed in kB, reclaimable slab dropped first
kmem_kb() {
	sync
	echo 2 >/proc/sys/vm/drop_caches
	awk '/^(Slab|VmallocUsed):/ { s += $2 } END { print s }' /proc/meminfo
}

# The last commit's build time in ms, if the module logged one
built_ms() {
	dmesg | sed -n 's/.* new, \([0-9]*\) ns$/\1/p' | tail -n 1 |
		awk '{ printf "%.1f", $1 / 1e6 }'
}

median() {
	tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 }
		END { if (NR) print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

declare -A wall=() kern=()

# timed SYS OP CMD...: run CMD once, add its wall ms (and the module's
# build ms) to the samples of SYS/OP
timed() {
	local sys=$1 op=$2 t0 ms
	shift 2
	[ "$sys" = nf_hipac ] && dmesg -C
	t0=$(now_ns)
	"$@" >/dev/null
	ms=$((($(now_ns) - t0) / 1000))
	wall[$sys/$op]+="$(awk -v u="$ms" 'BEGIN { printf "%.1f", u / 1000 }') "
	[ "$sys" = nf_hipac ] && kern[$sys/$op]+="$(built_ms) "
	return 0
}

report() {
	local sys=$1 op=$2 k=""
	[ -n "${kern[$sys/$op]:-}" ] && k=",\"kernel_ms\":$(median <<<"${kern[$sys/$op]}")"
	printf '{"bench":"hipac-commit","system":"%s","rules":%d,"op":"%s","ms":%s,"runs":"%s"%s}\n' \
		"$sys" "$rules" "$op" "$(median <<<"${wall[$sys/$op]}")" "${wall[$sys/$op]% }" "$k"
}

# one-rule changes of round $1, as iptables specs
spec_append() { echo "-s 11.250.$1.1 -d 11.251.$1.1 -p tcp --dport 4242 -j ACCEPT"; }
spec_mid() { echo "-s 10.252.$1.0/24 -d 10.31.$1.0/24 -p udp --dport 53 -j DROP"; }
spec_top() { echo "-p udp --dport $((4000 + $1)) -j ACCEPT"; }
spec_rep() { echo "-s 10.254.$1.0/24 -p tcp --dport 25 -j DROP"; }

# the ten changes of the restore --noflush, in iptables-restore's form;
# nft's form deletes and inserts at the handles of the same original rules
txn_ipt() {
	echo "*filter"
	for i in 1 2 3; do
		echo "-A FORWARD -s 10.253.$i.1 -p tcp --dport 4243 -j ACCEPT"
		echo "-I FORWARD $((mid + i)) -s 10.253.$((10 + i)).0/24 -j DROP"
		echo "-D FORWARD $((mid + 10 * i))"
	done
	echo "-I FORWARD 10 -d 10.253.20.0/24 -p tcp --dport 80 -j ACCEPT"
	echo "COMMIT"
}

txn_nft() {
	for i in 1 2 3; do
		echo "add rule ip klab FORWARD $(echo "-s 10.253.$i.1 -p tcp --dport 4243 -j ACCEPT" | tonft)"
		echo "insert rule ip klab FORWARD position ${handle[mid + i]} $(echo "-s 10.253.$((10 + i)).0/24 -j DROP" | tonft)"
		echo "delete rule ip klab FORWARD handle ${handle[mid + 10 * i]}"
	done
	echo "insert rule ip klab FORWARD position ${handle[10]} $(echo "-d 10.253.20.0/24 -p tcp --dport 80 -j ACCEPT" | tonft)"
}

load() {
	case $1 in
	iptables-legacy) iptables-legacy-restore <"$tmp/rules" ;;
	nft) nft -f "$tmp/nft" ;;
	nf_hipac) "$klabctl" hipac restore -4 <"$tmp/rules" ;;
	esac
}

# round SYS I: the one-rule changes of round I
round() {
	local sys=$1 i=$2 ipt=() a m t r

	read -ra a <<<"$(spec_append "$i")"
	read -ra m <<<"$(spec_mid "$i")"
	read -ra t <<<"$(spec_top "$i")"
	read -ra r <<<"$(spec_rep "$i")"
	if [ "$sys" = nft ]; then
		# at the handles of original rules, listed after the load
		timed "$sys" append nft add rule ip klab FORWARD \
			"$(tonft <<<"${a[*]}")"
		timed "$sys" insert_middle nft insert rule ip klab FORWARD \
			position "${handle[mid]}" "$(tonft <<<"${m[*]}")"
		timed "$sys" insert_top_wide nft insert rule ip klab FORWARD \
			"$(tonft <<<"${t[*]}")"
		timed "$sys" replace_middle nft replace rule ip klab FORWARD \
			handle "${handle[mid + 10 + i]}" "$(tonft <<<"${r[*]}")"
		timed "$sys" delete_middle nft delete rule ip klab FORWARD \
			handle "${handle[mid + 20 + i]}"
		return
	fi
	case $sys in
	iptables-legacy) ipt=(iptables-legacy) ;;
	nf_hipac) ipt=("$klabctl" hipac) ;;
	esac
	timed "$sys" append "${ipt[@]}" -A FORWARD "${a[@]}"
	timed "$sys" insert_middle "${ipt[@]}" -I FORWARD "$mid" "${m[@]}"
	timed "$sys" insert_top_wide "${ipt[@]}" -I FORWARD 1 "${t[@]}"
	timed "$sys" replace_middle "${ipt[@]}" -R FORWARD "$mid" "${r[@]}"
	timed "$sys" delete_middle "${ipt[@]}" -D FORWARD "$mid"
}

teardown() {
	case $1 in
	iptables-legacy) iptables-legacy -F FORWARD ;;
	nft) nft delete table ip klab ;;
	nf_hipac) rmmod nf_hipac ;;
	esac
}

for dep in $(modinfo -F depends "$ko" | tr ',' ' '); do
	modprobe "$dep"
done
modprobe iptable_filter
rmmod nf_hipac 2>/dev/null || true
ops="restore append insert_middle insert_top_wide replace_middle delete_middle transaction_of_10"
declare -A mem=()
for rules in $sizes; do
	mid=$((rules / 2))
	gen "$rules" >"$tmp/rules"
	{
		echo "add table ip klab"
		echo "add chain ip klab FORWARD { type filter hook forward priority 0; policy accept; }"
		grep -- '^-A FORWARD' "$tmp/rules" | tonft | sed 's/^/add rule ip klab FORWARD /'
	} >"$tmp/nft"
	for sys in $systems; do
		# the module's trees of the access list can be bigger than the
		# default mem_limit (256 MiB): measured, not a limit of the bench
		[ "$sys" = nf_hipac ] &&
			insmod "$ko" debug=2 mem_limit=$((${MEM_LIMIT_MB:-1536} << 20))
		before=$(kmem_kb)
		timed "$sys" restore load "$sys"
		mem[$sys]=$(($(kmem_kb) - before))
		printf '{"bench":"hipac-commit","system":"%s","rules":%d,"kernel_kb":%d,"bytes_per_rule":%d}\n' \
			"$sys" "$rules" "${mem[$sys]}" "$((mem[$sys] * 1024 / rules))"
		if [ "$sys" = nft ]; then
			mapfile -t handle < <(nft -a list chain ip klab FORWARD |
				sed -n 's/.* \(accept\|drop\) # handle \([0-9]*\)$/\2/p')
			# position n (from 1) at index n, as iptables numbers rules
			handle=(0 "${handle[@]}")
		fi
		for i in $(seq "$reps"); do
			round "$sys" "$i"
		done
		if [ "$sys" = nft ]; then
			txn_nft >"$tmp/txn"
			timed "$sys" transaction_of_10 nft -f "$tmp/txn"
		else
			txn_ipt >"$tmp/txn"
			if [ "$sys" = nf_hipac ]; then
				timed "$sys" transaction_of_10 "$klabctl" hipac restore -4 --noflush <"$tmp/txn"
			else
				timed "$sys" transaction_of_10 iptables-legacy-restore --noflush <"$tmp/txn"
			fi
		fi
		for op in $ops; do
			report "$sys" "$op"
		done
		teardown "$sys"
	done
	# nf_hipac's wall time and memory over the others' (the issue's goals:
	# time <= 0.1x iptables-legacy and <= 1.0x nft; memory <= 2x and 1.0x)
	for other in iptables-legacy nft; do
		case " $systems " in *" $other "*) ;; *) continue ;; esac
		case " $systems " in *" nf_hipac "*) ;; *) continue ;; esac
		for op in $ops; do
			awk -v a="$(median <<<"${wall[nf_hipac/$op]}")" -v b="$(median <<<"${wall[$other/$op]}")" \
				-v o="$other" -v op="$op" -v n="$rules" 'BEGIN {
				printf "{\"bench\":\"hipac-commit\",\"ratio\":\"nf_hipac/%s\",\"rules\":%d,\"op\":\"%s\",\"x\":%.3f}\n",
					o, n, op, (b > 0 ? a / b : -1) }'
		done
		awk -v a="${mem[nf_hipac]}" -v b="${mem[$other]}" -v o="$other" -v n="$rules" 'BEGIN {
			printf "{\"bench\":\"hipac-commit\",\"ratio\":\"nf_hipac/%s\",\"rules\":%d,\"op\":\"kernel_memory\",\"x\":%.3f}\n",
				o, n, (b > 0 ? a / b : -1) }'
	done
	wall=()
	kern=()
done
