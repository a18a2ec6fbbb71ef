#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make install into a DESTDIR: klabctl and its nf-hipac name run from
# there, man reads the page, bash loads the completion for both names;
# make uninstall removes it all again.  Run by ctest (make host-test).
set -u

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
dest=$tmp/dest
prefix=/opt/klab

not_ok() {
	echo "not ok: $*"
	failed=1
}

make -s --no-print-directory -C "$root" install DESTDIR="$dest" PREFIX="$prefix" \
	>"$tmp/log" 2>&1 || { cat "$tmp/log"; echo "not ok: make install failed"; exit 1; }

bin=$dest$prefix/sbin
"$bin/klabctl" --version | grep -q '^klabctl ' || not_ok "installed klabctl --version"
[ "$(readlink "$bin/nf-hipac")" = klabctl ] || not_ok "nf-hipac is not a link to klabctl"
"$bin/nf-hipac" --help 2>&1 | grep -q iptables || not_ok "nf-hipac --help"

page=$dest$prefix/share/man/man8/klabctl.8
MANWIDTH=80 man -l "$page" 2>/dev/null >"$tmp/man" || not_ok "man -l $page"
grep -q "klabctl - " "$tmp/man" || not_ok "the man page has no NAME line"
grep -q "EXAMPLES" "$tmp/man" || not_ok "the man page has no EXAMPLES"

compl=$dest$prefix/share/bash-completion/completions
for name in klabctl nf-hipac; do
	bash -c "source '$compl/$name' && complete -p $name" >/dev/null 2>&1 ||
		not_ok "no completion for $name in $compl/$name"
done

make -s --no-print-directory -C "$root" uninstall DESTDIR="$dest" PREFIX="$prefix" >/dev/null ||
	not_ok "make uninstall"
left=$(find "$dest" -type f -o -type l)
[ -z "$left" ] || not_ok "left after uninstall: $left"

[ "$failed" = 0 ] && echo "ok: make install / uninstall into DESTDIR"
exit "$failed"
