#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Regenerate the hipac_rules{4,6}.* files from iptables-legacy (run as root,
# from this directory): what klabctl hipac's printers must reproduce.
set -eu
gen() {
	v=$1 ipt=$2 save=$3
	unshare -n sh -eu -c '
		grep -v "^#" "hipac_rules'$v'.txt" | while IFS= read -r line; do
			eval "'$ipt' $line"
		done
		'$ipt' -S >hipac_rules'$v'.S
		'$ipt' -S -v >hipac_rules'$v'.Sv
		'$ipt' -L -n -v -x --line-numbers >hipac_rules'$v'.Lnvx
		'$ipt' -L -n >hipac_rules'$v'.Ln
		'$ipt' -L -v >hipac_rules'$v'.Lv
		'$ipt' -L INPUT -n -v --line-numbers >hipac_rules'$v'.LINPUT
		'$save' -c | grep -v "^#" >hipac_rules'$v'.save
	'
}
gen 4 iptables-legacy iptables-legacy-save
gen 6 ip6tables-legacy ip6tables-legacy-save
