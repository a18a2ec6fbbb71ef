#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# slabcache against the kernel's kmem_cache (SLUB), in one boot (make
# bench-slab runs it in a -b boot with init_on_alloc=0, then in one with the
# stock setting).  In the kernel, preemption off, as Brouer's
# slab_bulk_test01: alloc+free pairs of SIZE-byte objects; bulk alloc +
# bulk free of 1 to 250 objects; pairs on every CPU at once; then the pages
# each allocator uses for 100000 live objects of 24, 100, 256, 700 and
# 2000 bytes, read from /proc/slabinfo and /proc/slabcacheinfo with the same
# code.  Each timing is the median of ROUNDS runs, the two allocators
# taking turns.  One JSON line per result; ratio is slabcache / kmem_cache
# (below 1: slabcache is faster or smaller).  Not a pass/fail test.
#
#   bench/slab.sh    env: ROUNDS (9), SIZE (256), OBJECTS (200000 per run)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bench/lib.sh"
PATH=$root/build/bin:$PATH

rounds=${ROUNDS:-9}
size=${SIZE:-256}
objects=${OBJECTS:-200000}
impls=(slabcache kmem_cache)

"$root/scripts/modules" load slabcache
init_on_alloc=$(klabctl -j slab stats | jq -r .init_on_alloc)

# bench IMPL TEST BULK LOOPS: ns per operation (pair or object)
bench() {
	klabctl -j slab bench "$1" "$2" --size "$size" --bulk "$3" --loops "$4" |
		jq -r '.ns_per_op'
}

# emit TEST BULK NS_SLABCACHE NS_KMEM_CACHE [EXTRA_JSON]
emit() {
	awk -v t="$1" -v b="$2" -v s="$3" -v k="$4" -v i="$init_on_alloc" \
		-v sz="$size" -v r="$rounds" -v x="${5:-}" 'BEGIN {
		printf "{\"bench\":\"slab\",\"init_on_alloc\":%d,\"test\":\"%s\",\"size\":%d,", i, t, sz
		if (b > 0) printf "\"bulk\":%d,", b
		printf "\"slabcache_ns\":%.1f,\"kmem_cache_ns\":%.1f,\"ratio\":%.3f,\"runs\":%d%s}\n",
			s, k, s / k, r, x
	}'
}

# timed TEST BULK LOOPS: both allocators, ROUNDS times each, in turns
timed() {
	local test=$1 bulk=$2 loops=$3 r impl
	local -A ns=([slabcache]="" [kmem_cache]="")

	for ((r = 0; r < rounds; r++)); do
		for impl in "${impls[@]}"; do
			ns[$impl]+=" $(bench "$impl" "$test" "$bulk" "$loops")"
		done
		impls=("${impls[1]}" "${impls[0]}")
	done
	# shellcheck disable=SC2086 # the lists are numbers
	emit "$test" "$([ "$test" = bulk ] && echo "$bulk" || echo 0)" \
		"$(median ${ns[slabcache]})" "$(median ${ns[kmem_cache]})"
}

timed pair 1 "$objects"
for bulk in 1 2 4 8 16 32 64 128 250; do
	timed bulk "$bulk" $((objects / bulk))
done
timed concurrent 1 $((objects / 2))

# pages IMPL SIZE: num_slabs * pagesperslab of the cache holding 100000
# objects, then the bytes of slabcache's magazines meanwhile
pages() {
	local file=/proc/slabinfo name

	name=$(klabctl -j slab bench "$1" hold --size "$2" --loops 100000 | jq -r .name)
	[ "$1" = slabcache ] && file=/proc/slabcacheinfo
	awk -v n="$name" '$1 == n { printf "%d ", $15 * $6 }' "$file"
	klabctl -j slab stats | jq -r .magazine_bytes
	klabctl slab bench "$1" release --size "$2" >/dev/null
}

for s in 24 100 256 700 2000; do
	read -r ours mags < <(pages slabcache "$s")
	read -r slub _ < <(pages kmem_cache "$s")
	awk -v s="$s" -v o="$ours" -v k="$slub" -v i="$init_on_alloc" -v m="$mags" 'BEGIN {
		printf "{\"bench\":\"slab\",\"init_on_alloc\":%d,\"test\":\"pages\",\"size\":%d,\"objects\":100000,\"slabcache_pages\":%d,\"kmem_cache_pages\":%d,\"ratio\":%.4f,\"ideal_pages\":%d,\"slabcache_magazine_bytes\":%d}\n",
			i, s, o, k, o / k, int((100000 * s + 4095) / 4096), m
	}'
done
