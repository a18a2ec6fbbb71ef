#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# nf_hipac's save and restore (nf-hipac = klabctl hipac): save | restore
# round-trips exactly, a restore with one bad line changes nothing and
# names the line, --noflush adds as iptables-legacy-restore does, and
# unprivileged changes fail, but root of a user namespace changes the
# rule set of a network namespace it owns, and only that one.

# The test functions run through ktap_run.
# shellcheck disable=SC2317
# shellcheck source=hipac_cli_lib.sh
source "$(dirname "$0")/hipac_cli_lib.sh"

# --- save | restore round trips exactly ---

# roundtrip V FAMILY_OPT: restore iptables-legacy-save's output (every
# option, counters) and save it back byte for byte; then save -c |
# restore -c changes nothing, counters included, and save | restore
# nothing but the counters (iptables-restore without -c zeroes them)
roundtrip() {
	local v=$1 fam=$2

	fresh_ns "$NS_H"
	expect_exit 0 hipac restore "$fam" -c "$DATA/hipac_rules$v.save"
	saved "$fam" >"$tmp/saved"
	same "save after restoring iptables-legacy-save's file" "$DATA/hipac_rules$v.save" "$tmp/saved"

	hipac save "$fam" -c | hipac restore "$fam" -c || fail "save -c | restore -c: exit $?"
	saved "$fam" >"$tmp/again"
	same "save after save -c | restore -c" "$tmp/saved" "$tmp/again"

	hipac save "$fam" | grep -v '^#' >"$tmp/plain"
	hipac save "$fam" | hipac restore "$fam" || fail "save | restore: exit $?"
	hipac save "$fam" | grep -v '^#' >"$tmp/again"
	same "save after save | restore" "$tmp/plain" "$tmp/again"
}

test_roundtrip_ipv4() { roundtrip 4 -4; }
test_roundtrip_ipv6() { roundtrip 6 -6; }

# --- a restore with one bad line changes nothing ---

# bad_restore WANT_EXIT WANT_MESSAGE FILE [OPTION...]: restore FILE, which
# must fail with WANT_EXIT and a message containing WANT_MESSAGE, and leave
# the rule set as it was
bad_restore() {
	local want=$1 msg=$2 file=$3
	shift 3

	saved >"$tmp/before"
	expect_exit "$want" hipac restore "$@" "$file"
	grep -qF -- "$msg" "$tmp/err" || fail "message does not contain \"$msg\""
	saved >"$tmp/after"
	same "rule set after a failed restore" "$tmp/before" "$tmp/after"
}

# with_line N TEXT: the IPv4 rule file with TEXT inserted as line N
with_line() {
	sed "$1i\\
$2" "$DATA/hipac_rules4.save" >"$tmp/bad"
}

test_bad_line_changes_nothing() {
	local n

	fresh_ns "$NS_H"
	expect_exit 0 hipac restore -c "$DATA/hipac_rules4.save"
	n=$(($(grep -n '\] -A INPUT' "$DATA/hipac_rules4.save" | sed -n 3p | cut -d: -f1) + 1))
	[ "$n" -gt 5 ] || fail "no third INPUT rule in hipac_rules4.save"

	# The kernel refuses the line: a jump to a chain that does not exist.
	with_line "$n" "-A INPUT -p tcp -j nosuchchain"
	bad_restore 1 "line $n failed" "$tmp/bad"
	bad_restore 1 "line $n failed" "$tmp/bad" --noflush
	# The kernel refuses it only at COMMIT: still named by its line.
	with_line "$n" "-A INPUT -p udp -j REJECT --reject-with tcp-reset"
	bad_restore 1 "line $n failed" "$tmp/bad"
	# The parser refuses the line (iptables-restore exits 2 for these).
	with_line "$n" "-A INPUT -p tcp --bogus 1"
	bad_restore 2 "Error occurred at line: $n" "$tmp/bad"
	# A table without COMMIT applies nothing.
	grep -v '^COMMIT' "$DATA/hipac_rules4.save" >"$tmp/bad"
	bad_restore 1 "COMMIT expected" "$tmp/bad"
}

test_noflush_like_iptables() {
	local file=$tmp/more

	load_both 4 -4
	printf '%s\n' '*filter' ':user1 - [0:0]' ':new - [0:0]' '-A INPUT -s 9.9.9.9/32 -j new' \
		'-A new -j user1' '-A user1 -j ACCEPT' 'COMMIT' >"$file"
	expect_exit 0 hipac restore --noflush "$file"
	ip netns exec "$NS_I" iptables-legacy-restore --noflush "$file" || fail "iptables-legacy-restore failed"
	hipac -S >"$tmp/h"
	ipt -S >"$tmp/i"
	same "-S after restore --noflush" "$tmp/i" "$tmp/h"
}

# --- unprivileged changes fail ---

test_unprivileged_fails() {
	fresh_ns "$NS_H"
	expect_exit 0 hipac restore -c "$DATA/hipac_rules4.save"
	saved >"$tmp/before"
	expect_exit 1 ip netns exec "$NS_H" "${nobody[@]}" nf-hipac -A INPUT -j ACCEPT
	grep -q 'Permission denied\|not permitted' "$tmp/err" || fail "no EPERM message"
	expect_exit 1 ip netns exec "$NS_H" "${nobody[@]}" nf-hipac -F
	expect_exit 1 ip netns exec "$NS_H" "${nobody[@]}" nf-hipac -P INPUT DROP
	expect_exit 1 ip netns exec "$NS_H" "${nobody[@]}" klabctl hipac -Z
	# root opens the file: nobody may not be able to reach the tree
	expect_exit 1 ip netns exec "$NS_H" "${nobody[@]}" nf-hipac restore -6 <"$DATA/hipac_rules6.save"
	saved >"$tmp/after"
	same "rule set after unprivileged changes" "$tmp/before" "$tmp/after"
}

# --- root of a user namespace: its own network namespace only ---

# nf_hipac's ops are GENL_UNS_ADMIN_PERM: CAP_NET_ADMIN over the user
# namespace that owns the socket's network namespace.  nobody, root of a
# new user namespace, changes the rules of a network namespace made in
# it, and is refused in one the VM's root made (NS_H); NS_H and the
# VM's own rule set stay as they were.
test_userns_root_changes_own_only() {
	local rule='-A INPUT -s 192.0.2.1/32 -j DROP' bin

	fresh_ns "$NS_H"
	expect_exit 0 hipac restore -c "$DATA/hipac_rules4.save"
	saved >"$tmp/before"
	nf-hipac save -c | grep -v '^#' >"$tmp/vm_before"

	# klabctl where nobody may run it from a user namespace: the tree
	# may sit under a root-only directory (a CI clone in mktemp -d)
	bin=$(mktemp -d)
	chmod 755 "$bin"
	cp "$(command -v klabctl)" "$bin/" || fail "cannot copy klabctl"

	# shellcheck disable=SC2086 # $rule is words
	expect_exit 0 ip netns exec "$NS_H" "${nobody[@]}" \
		unshare --user --map-root-user --net \
		sh -c "$bin/klabctl hipac $rule && $bin/klabctl hipac -S INPUT" >"$tmp/own"
	grep -qx -- "$rule" "$tmp/own" ||
		fail "the rule is not in the new namespace: $(cat "$tmp/own")"

	# shellcheck disable=SC2086
	expect_exit 1 ip netns exec "$NS_H" "${nobody[@]}" \
		unshare --user --map-root-user "$bin/klabctl" hipac $rule
	rm -rf "$bin"
	grep -q 'Permission denied\|not permitted' "$tmp/err" ||
		fail "no EPERM message in a namespace nobody does not own"

	saved >"$tmp/after"
	same "NS_H's rule set after root of a user namespace worked" \
		"$tmp/before" "$tmp/after"
	nf-hipac save -c | grep -v '^#' >"$tmp/vm_after"
	same "the VM's rule set after root of a user namespace worked" \
		"$tmp/vm_before" "$tmp/vm_after"
}

hipac_cli_start 7
ktap_run roundtrip_ipv4 test_roundtrip_ipv4
ktap_run roundtrip_ipv6 test_roundtrip_ipv6
ktap_run bad_line_changes_nothing test_bad_line_changes_nothing
ktap_run noflush_like_iptables test_noflush_like_iptables
ktap_run unprivileged_fails test_unprivileged_fails
ktap_run userns_root_changes_own_only test_userns_root_changes_own_only
ktap_run module_info_still_works expect_exit 0 nf-hipac info
ktap_finish
