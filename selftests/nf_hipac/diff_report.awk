# SPDX-License-Identifier: GPL-2.0
#
# Compare what two firewalls did with the same packets (diff_iptables.sh):
#
#   awk -v A=NAME -v B=NAME -f diff_report.awk RULES PKTS VERDICTS SAVE_A SAVE_B
#
# RULES and PKTS: hipac_gen's files; VERDICTS: hipac_send's report, whose
# jobs end in "a" or "b" (the namespaces of the two sides); SAVE_*: each
# side's rule set in iptables-save -c format.  Prints a MISMATCH line per
# OUTPUT verdict and per rule or policy counter that differ, with the
# packet or the rule, then one SUMMARY line.  Exits 1 on any mismatch.

function counters(s, side, key) {
	gsub(/[][]/, "", s)
	if (!(key in seen)) {
		seen[key] = 1
		order[++n_keys] = key
	}
	cnt[side, key] = s
}

FILENAME == ARGV[1] {
	if ($1 == "-A")
		rule[$2 "/" ++n_rules[$2]] = $0
	next
}
FILENAME == ARGV[2] {
	pkt[n_pkts++] = $0
	next
}
FILENAME == ARGV[3] {
	side = substr($1, length($1))
	verdict[side, $2] = $3
	if (side == "a" && $1 ~ /^out/) {
		n_out++
		if ($3 == "ok")
			n_ok++
	}
	next
}
{
	side = FILENAME == ARGV[4] ? "a" : "b"
}
/^:/ && $2 != "-" {
	counters($3, side, substr($1, 2) "/0")
}
/^\[/ {
	counters($1, side, $3 "/" ++pos[side, $3])
}

END {
	bad = 0
	for (i = 0; i < n_pkts; i++) {
		if (!(("a", i) in verdict) && !(("b", i) in verdict))
			continue
		if (verdict["a", i] != verdict["b", i]) {
			printf "MISMATCH packet %d (%s): %s %s, %s %s\n", i, pkt[i],
				A, verdict["a", i], B, verdict["b", i]
			bad++
		}
	}
	n_hit = 0
	for (k = 1; k <= n_keys; k++) {
		key = order[k]
		a = ("a", key) in cnt ? cnt["a", key] : "missing"
		b = ("b", key) in cnt ? cnt["b", key] : "missing"
		if (a !~ /^0:/)
			n_hit++
		if (a == b)
			continue
		split(key, kc, "/")
		text = kc[2] == 0 ? "policy of " kc[1] : rule[key]
		printf "MISMATCH %s rule %s: %s [%s], %s [%s] (packets:bytes): %s\n",
			kc[1], kc[2], A, a, B, b, text
		bad++
	}
	printf "SUMMARY %d packets (%d through OUTPUT, %d accepted there), %d counters (%d nonzero), %d disagreements\n",
		n_pkts, n_out, n_ok, n_keys, n_hit, bad
	exit bad > 0
}
