# SPDX-License-Identifier: GPL-2.0
#
# What makes a kernel log a failed run, for scripts/vm-run, scripts/check
# and their test (scripts/tests/splat_test.sh).  Sourced, not run.

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

# splat_first FILE: print "LINE:TEXT" of the first splat in FILE as a
# report shows it, TEXT without the serial console's carriage returns and
# the kernel's timestamp; false if there is none
splat_first() {
	local hit text

	hit=$(splat_find "$1") || return
	text=${hit#*:}
	text=${text//$'\r'/}
	[[ $text =~ ^\[\ *[0-9]+\.[0-9]+\]\ (.*)$ ]] && text=${BASH_REMATCH[1]}
	printf '%s:%s\n' "${hit%%:*}" "$text"
}

# splat_summary FILE [MAX]: one line per stack trace in FILE (at most MAX,
# default 4): what printed it (the last title line before its "Call
# Trace:"), the task it ran in and its frames from the innermost out,
# unreliable ("?") ones left out.  vm-run prints it last, so that the end
# of its output, which is what a log excerpt keeps, names the code.
splat_summary() {
	tr -d '\r' <"$1" | sed -E 's/^\[ *[0-9]+\.[0-9]+\] //' | awk -v max="${2:-4}" '
	function flush() {
		if (frames != "")
			printf "splat: %s [%s]: %s\n", title, task, frames
		intrace = 0; frames = ""; n = 0
	}
	/^(WARNING:|BUG:|Oops|Kernel panic|NMI backtrace|rcu: INFO|watchdog: |INFO: task|kernel BUG at|general protection)/ ||
	/page allocation failure/ {
		if (intrace) flush()
		if (done >= max) exit
		title = $0; task = "?"; rip = ""; next
	}
	/^CPU: [0-9]+ PID: / {
		if (intrace) flush()
		task = $0; sub(/ Tainted:.*| Not tainted.*/, "", task); next
	}
	# a soft lockup shows the registers, RIP first, before its trace,
	# which then starts at the caller of the function that spins
	!intrace && /^RIP: 0010:/ { rip = $2; sub(/^0010:/, "", rip); sub(/\+.*/, "", rip); next }
	/^Call Trace:/ {
		if (intrace) flush()
		intrace = 1; done++
		if (rip != "") { frames = rip; n = 1; rip = "" }
		next
	}
	# markers of other stacks and the registers of an interrupted context:
	# its frames follow
	intrace && /^ *(<[A-Z\/]+>|\? )/ { next }
	intrace && /^RIP: 0010:/ { f = $2; sub(/^0010:/, "", f); $0 = " " f }
	intrace && /^(RIP|Code|RSP|RAX|RDX|RBP|R10|R13|FS|CS|CR2|DR0|DR3|PKRU): / { next }
	intrace && /^ *[A-Za-z_.][A-Za-z0-9_.]*\+0x/ {
		f = $1; sub(/\+.*/, "", f)
		if (n++ < 16) frames = frames (frames == "" ? "" : " < ") f
		next
	}
	intrace { flush() }
	END { if (intrace) flush() }'
}
