#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Regenerate the hipac_rules{4,6}.* and hipac_nat{4,6}.* files from
# iptables-legacy (run as root, from this directory): what klabctl hipac's
# printers must reproduce.
set -eu
gen() {
	name=$1 table=$2 ipt=$3 save=$4
	unshare -n sh -eu -c '
		grep -v "^#" "'$name'.txt" | while IFS= read -r line; do
			eval "'$ipt' -t '$table' $line"
		done
		'$ipt' -t '$table' -S >'$name'.S
		'$ipt' -t '$table' -S -v >'$name'.Sv
		'$ipt' -t '$table' -L -n -v -x --line-numbers >'$name'.Lnvx
		'$ipt' -t '$table' -L -n >'$name'.Ln
		'$ipt' -t '$table' -L -v >'$name'.Lv
		'$ipt' -t '$table' -L INPUT -n -v --line-numbers >'$name'.LINPUT
		'$save' -t '$table' -c | grep -v "^#" >'$name'.save
	'
}
gen hipac_rules4 filter iptables-legacy iptables-legacy-save
gen hipac_rules6 filter ip6tables-legacy ip6tables-legacy-save
gen hipac_nat4 nat iptables-legacy iptables-legacy-save
gen hipac_nat6 nat ip6tables-legacy ip6tables-legacy-save
