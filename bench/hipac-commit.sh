#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# nf_hipac's commit time for small changes to a big table, in the VM:
#   make bench-hipac-commit [RULES=10000] [KO=path/to/nf_hipac.ko]
#   (MEM_LIMIT_MB, default 1536: the module's mem_limit for the run)
# loads KO (default: this tree's module), restores a ClassBench-like
# access list of RULES FORWARD rules (5-tuple prefixes, ports, ACCEPT and
# DROP alternating), then times single-rule klabctl commands (each one
# transaction: append, insert in the middle, insert at the top, delete in
# the middle) and one restore --noflush of five changes.  Prints one JSON
# line per timing: wall milliseconds of the whole command, as
# `time klabctl hipac ...` would show, and, from the module's debug
# output where it gives them, the milliseconds the commit spent building
# the trees and the bytes it allocated for them.  Under TCG the absolute
# numbers are several times the host's; compare modules on the same run.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
klabctl=$root/build/bin/klabctl
ko=${KO:-$root/modules/nf_hipac/nf_hipac.ko}
rules=${RULES:-10000}
reps=${REPS:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; rmmod nf_hipac 2>/dev/null || true' EXIT

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

ms_since() {
	echo $((($(date +%s%N) - $1) / 1000000))
}

# The last commit's build time and new bytes, if the module logs them
built() {
	dmesg | sed -n 's/.* \([0-9]*\) new, \([0-9]*\) ns$/,"build_ms":\2,"new_bytes":\1/p' |
		tail -n 1 | awk -F'[:,]' '{ printf ",\"build_ms\":%d,\"new_bytes\":%s", $3 / 1e6, $5 }'
}

report() {
	printf '{"bench":"hipac-commit","module":"%s","rules":%d,"op":"%s","ms":%d%s}\n' \
		"$ko" "$rules" "$1" "$2" "$(built)"
}

timed() {
	local op=$1 t0
	shift
	t0=$(date +%s%N)
	"$@" >/dev/null
	report "$op" "$(ms_since "$t0")"
}

for dep in $(modinfo -F depends "$ko" | tr ',' ' '); do
	modprobe "$dep"
done
rmmod nf_hipac 2>/dev/null || true
# the access list's tree is bigger than the default mem_limit (256 MiB)
insmod "$ko" debug=2 mem_limit=$((${MEM_LIMIT_MB:-1536} << 20))
gen "$rules" >"$tmp/rules"

timed restore "$klabctl" hipac restore -4 <"$tmp/rules"
mid=$((rules / 2))
for i in $(seq "$reps"); do
	timed append "$klabctl" hipac -A FORWARD -s "11.250.$i.1" -d "11.251.$i.1" \
		-p tcp --dport 4242 -j ACCEPT
	timed insert_middle "$klabctl" hipac -I FORWARD "$mid" -s "10.252.$i.0/24" \
		-d "10.31.$i.0/24" -p udp --dport 53 -j DROP
	timed insert_top_wide "$klabctl" hipac -I FORWARD 1 -p udp --dport "$((4000 + i))" -j ACCEPT
	timed delete_middle "$klabctl" hipac -D FORWARD "$mid"
done
{
	echo "*filter"
	echo "-A FORWARD -s 10.253.0.1 -p tcp --dport 4243 -j ACCEPT"
	echo "-I FORWARD $mid -s 10.253.1.0/24 -j DROP"
	echo "-I FORWARD 10 -d 10.253.2.0/24 -p tcp --dport 80 -j ACCEPT"
	echo "-D FORWARD $((mid + 10))"
	echo "-D FORWARD 20"
	echo "COMMIT"
} >"$tmp/txn"
timed transaction_of_5 "$klabctl" hipac restore -4 --noflush <"$tmp/txn"
timed flush_and_restore "$klabctl" hipac restore -4 <"$tmp/rules"
