#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# nf_hipac's iptables-compatible command line against iptables-legacy:
# the same rules list the same (-L in its formats, -S), the same commands
# give the same results and exit codes, usage errors exit 2.

# The test functions run through ktap_run.
# shellcheck disable=SC2317
# shellcheck source=hipac_cli_lib.sh
source "$(dirname "$0")/hipac_cli_lib.sh"

# --- listings equal iptables-legacy's for the same rules ---

# listings V FAMILY_OPT: the same rule file loaded into nf_hipac and into
# iptables-legacy, the listing formats compared
listings() {
	local v=$1 fam=$2 fmt

	load_both "$v" "$fam"
	for fmt in "-L -n -v -x --line-numbers" "-L -v" "-S -v" "-L INPUT -n --line-numbers" \
		"-S INPUT 2"; do
		# shellcheck disable=SC2086 # fmt holds several arguments
		hipac "$fam" $fmt >"$tmp/h" || fail "nf-hipac $fmt: exit $?"
		# shellcheck disable=SC2086
		ipt "$fam" $fmt >"$tmp/i" || fail "iptables $fmt: exit $?"
		same "$fam $fmt" "$tmp/i" "$tmp/h"
	done
}

test_listings_ipv4() { listings 4 -4; }
test_listings_ipv6() { listings 6 -6; }

# --- the same commands give the same results and exit codes ---

test_commands_like_iptables() {
	local line h i

	fresh_ns "$NS_H" "$NS_I"
	while IFS= read -r line; do
		case $line in '#'* | '') continue ;; esac
		eval "hipac $line" >"$tmp/h" 2>"$tmp/he"
		h=$?
		eval "ipt $line" >"$tmp/i" 2>"$tmp/ie"
		i=$?
		echo "$line: iptables $i, nf-hipac $h"
		[ "$h" = "$i" ] || {
			cat "$tmp/ie" "$tmp/he"
			fail "$line: exit $h, iptables-legacy exits $i"
		}
		same "output of $line" "$tmp/i" "$tmp/h"
	done <<'EOF'
-N a
-N b
-A INPUT -s 1.2.3.4 -j a
-I INPUT -p tcp --dport 22 -j ACCEPT
-I INPUT 2 -j b
-A a -c 7 8 -p udp
-R INPUT 1 -p tcp --dport 23 -j ACCEPT
-D INPUT -s 1.2.3.4 -j a
-D INPUT 1
-E b c
-P FORWARD DROP
-A c -c 3 4 -j DROP
-Z c
-F a
-X c
-N c
-A nosuch -j ACCEPT
-I INPUT 9 -j ACCEPT
-D INPUT -s 9.9.9.9 -j ACCEPT
-A OUTPUT -p tcp -m mark --mark 3 --dport 8 -j ACCEPT
-A OUTPUT -p tcp --dport 8 -m mark --mark 3 -j ACCEPT
-S OUTPUT
-D OUTPUT -p tcp -m tcp --dport 8 -m mark --mark 3 -j ACCEPT
-D OUTPUT -p tcp -m tcp --dport 8 -m mark --mark 3 -j ACCEPT
-S OUTPUT
-D OUTPUT -m mark --mark 3 -p tcp --dport 8 -j ACCEPT
-L OUTPUT -n
-A OUTPUT -m mark -j DROP
-A OUTPUT -p icmp -m icmp -j DROP
-A OUTPUT -m ttl -j DROP
-A OUTPUT -m iprange -j DROP
-A OUTPUT -p tcp -m multiport -j DROP
-A OUTPUT -m mark --mark 1 -m ttl
-A OUTPUT -p udp -m tcp -j DROP
-A OUTPUT -m tcp --dport 1
-A OUTPUT -p tcp -m tcp -j DROP
-A OUTPUT -p udp -m mark --mark 1 -m udp
-A OUTPUT -p tcp --dport 0:65535 -j ACCEPT
-A OUTPUT -p dccp --dport 80 -j DROP
-A OUTPUT -p dccp -m multiport --dports 80,81 -j DROP
-A OUTPUT -p sctp -m sctp --dport 0:65535
-A OUTPUT -p udp -m dccp --dport 5
-A OUTPUT -m mark --mark 1 -m connmark --mark 2 -j ACCEPT
-A OUTPUT -m connmark --mark 2 -m connmark --mark 3 -j ACCEPT
-A OUTPUT -p tcp -m tcp --dport 80 -m multiport --dports 1,2 -j ACCEPT
-A OUTPUT -m mark -m limit --mark 4 --limit 1/s -j ACCEPT
-A OUTPUT -p tcp -m multiport --dport 80 -j ACCEPT
-A OUTPUT -p tcp --dp 81 --sp=82 -j ACCEPT
-A OUTPUT -p tcp --d 82 -j ACCEPT
-A OUTPUT -m limit --lim 1/s -j ACCEPT
-A OUTPUT --so 1.2.3.4 --fragment -m comment --comm x --jum ACCEPT
-A OUTPUT -m comm -j ACCEPT
-A OUTPUT -j LOG --log-pr x_1-Y --log-l 3
-A OUTPUT -p tcp -m tcp --dport 1 -m tcp --sport 2 -j ACCEPT
-A OUTPUT -p tcp -m tcp --dport 3 -m tcp --dport 4 -j ACCEPT
-A OUTPUT -p tcp -m comment --comment x --dport 22 -j ACCEPT
-A OUTPUT -m connmark --mark 2 -m mark --mark 1 -j ACCEPT
-S OUTPUT
-L OUTPUT -v -n
-D OUTPUT -p tcp -j DROP
-D OUTPUT -p tcp -m tcp -j DROP
-D OUTPUT -p dccp -m dccp --dport 80 -j DROP
-S OUTPUT
-X
-X a
EOF
	hipac -L -n -v -x --line-numbers >"$tmp/h"
	ipt -L -n -v -x --line-numbers >"$tmp/i"
	same "final listing" "$tmp/i" "$tmp/h"
}

test_usage_errors_exit_2() {
	local line

	fresh_ns "$NS_H"
	for line in "" "-A INPUT -A INPUT" "-A INPUT --dport 5" "-A INPUT -p tcp --dport 70000" \
		"-A INPUT -s 1.2.3.400"; do
		# shellcheck disable=SC2086 # line holds several arguments
		expect_exit 2 hipac $line
		grep -q '^Error: ' "$tmp/err" || fail "no \"Error: \" message"
	done
}

hipac_cli_start 4
ktap_run listings_ipv4 test_listings_ipv4
ktap_run listings_ipv6 test_listings_ipv6
ktap_run commands_like_iptables test_commands_like_iptables
ktap_run usage_errors_exit_2 test_usage_errors_exit_2
ktap_finish
