# SPDX-License-Identifier: GPL-2.0
#
# What makes a kernel log a failed run, for scripts/vm-run and its test
# (scripts/tests/splat_test.sh).  Sourced, not run.

# Kernel log patterns that fail a run (extended regexps, GNU grep).  The
# register dump of an oops or warning (__show_regs) names the code segment
# of the interrupted context, the kernel's "RIP: 0010:func+0x12/0x80" or
# user space's "RIP: 0033:0x7f...", and is matched only so and at a word
# boundary: module messages such as "ipt_CLUSTERIP: ..." are no splat.
# shellcheck disable=SC2034 # used by the scripts that source this file
SPLAT_RE='WARNING:|BUG:|Oops|Call Trace:|\bRIP: 00(10|33):|general protection|still has objects|Kernel panic|kernel BUG at|UBSAN:|BUG [^ ]+ \((Not tainted|Tainted)'

# splat_find FILE: print "LINE:TEXT" of the first splat in FILE; false if
# there is none
splat_find() {
	grep -a -n -m1 -E "$SPLAT_RE" "$1"
}
