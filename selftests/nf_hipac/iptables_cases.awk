# SPDX-License-Identifier: GPL-2.0
#
# The cases of iptables-test.py in iptables' .t files (iptables-t/):
# "family<TAB>chain<TAB>rule<TAB>expected<TAB>OK|FAIL<TAB>file:line", one
# per rule line and chain of the filter table; "%" lines (commands run
# first) have the chain "%".  Lines only for iptables-nft are left out.

FNR == 1 {
	table = "filter"; chains = ""
	fam = FILENAME ~ /libip6t_/ ? 6 : 4
	file = FILENAME; sub(/.*\//, "", file)
	lines = 0
}
/^#/ || /^[ \t]*$/ { next }
/^\*/ { table = substr($0, 2); next }
/^:/ { chains = substr($0, 2); next }
table != "filter" { next }
/^%/ { printf "%s\t%%\t%s\t\t\t%s:%d\n", fam, substr($0, 2), file, FNR; next }
{
	n = split($0, f, ";")
	if (n < 3 || f[4] == "NFT")
		next
	if (per_file && ++lines > per_file)
		next
	k = split(chains, cs, ",")
	for (i = 1; i <= k; i++)
		printf "%s\t%s\t%s\t%s\t%s\t%s:%d\n", fam, cs[i], f[1], f[2], f[3], file, FNR
}
