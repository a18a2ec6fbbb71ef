#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The bash completion completes names the kernel lists: a slab cache and
# a RAM disk created here are offered after "klabctl slab show" and
# "klabctl chardev blk del".
set -uo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../lib/klab.sh"
require_root

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; klabctl slab destroy kcompl_test >/dev/null 2>&1;
	klabctl chardev blk del kcompl0 >/dev/null 2>&1;
	klab_unload slabcache; klab_unload chardev' EXIT
klabctl completion >"$tmp/klabctl" || exit 1

# complete WORD...: the candidates for the last word (may be "")
complete_words() {
	# shellcheck disable=SC2016 # expanded by the inner bash
	bash -c 'source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_klabctl; printf "%s\n" "${COMPREPLY[@]}"' "$tmp/klabctl" "$@"
}

test_slab_cache() {
	set -e
	klab_load slabcache
	klabctl slab create kcompl_test 64
	complete_words klabctl slab show "" >"$tmp/c"
	cat "$tmp/c"
	grep -qx kcompl_test "$tmp/c" || fail "kcompl_test not offered"
	complete_words klabctl slab show kcompl >"$tmp/c"
	[ "$(cat "$tmp/c")" = kcompl_test ] || fail "prefix: $(cat "$tmp/c")"
}

test_blk_device() {
	set -e
	klab_load chardev
	klabctl chardev blk add kcompl0 size 16
	complete_words klabctl chardev blk del "" >"$tmp/c"
	cat "$tmp/c"
	grep -qx kcompl0 "$tmp/c" || fail "kcompl0 not offered"
}

ktap_plan 2
ktap_run completion_slab_caches test_slab_cache
ktap_run completion_blk_devices test_blk_device
ktap_finish
