#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# klabctl bench report on a fixture of real result lines: every module with
# results gets its pictures, each one well-formed SVG, the page opens in a
# headless browser (Debian's chromium) and shows them: its screenshot must
# hold much more than the same page's without the pictures.  Run by ctest.
#   bench_report_test.sh PATH/TO/klabctl PATH/TO/results.json
set -u

klabctl=${1:?usage: bench_report_test.sh KLABCTL RESULTS}
results=${2:?usage: bench_report_test.sh KLABCTL RESULTS}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

fail() {
	echo "not ok: $*"
	failed=1
}

"$klabctl" -j bench report "$results" -o "$tmp/report.html" >"$tmp/out.json" ||
	{ echo "not ok: klabctl bench report failed"; exit 1; }
# the fixture has no veth line, so no NIC picture
want="blk-iops.svg hipac-pps.svg rcu-gp.svg rcu-read.svg sched-fairness.svg sched-switch.svg slab-bulk.svg"
got=$(jq -r '.figures[]' "$tmp/out.json" | sort | paste -sd' ')
[ "$got" = "$want" ] || fail "figures: got '$got', want '$want'"
for f in $got; do
	python3 -c 'import sys, xml.etree.ElementTree as t; t.parse(sys.argv[1])' \
		"$tmp/$f" 2>"$tmp/xml.err" || fail "$f is not well-formed: $(cat "$tmp/xml.err")"
	n=$(grep -c '<title>' "$tmp/$f")
	[ "$n" -ge 2 ] || fail "$f draws only $n values"
done
grep -q '<h2>netdev_igb_like: virtual NIC</h2>' "$tmp/report.html" ||
	fail "the page has no section for the NIC"
grep -q 'Nothing to draw' "$tmp/report.html" ||
	fail "the NIC's missing comparison is not said"
[ "$(grep -c '<svg' "$tmp/report.html")" -eq 7 ] || fail "the page does not inline the 7 pictures"
! grep -q '<script\|http://[^w]\|https://' "$tmp/report.html" ||
	fail "the page loads something from outside or runs a script"

: >"$tmp/empty"
"$klabctl" bench report "$tmp/empty" -o "$tmp/x.html" 2>"$tmp/err"
rc=$?
if [ $rc -ne 2 ] || ! grep -q '^Error: ' "$tmp/err"; then
	fail "no results: exit $rc, $(cat "$tmp/err")"
fi

# the page as a browser draws it, against the same page without its
# pictures: the pictures must add to what is drawn (a page whose SVG the
# browser cannot draw comes out as the text alone)
python3 - "$tmp/report.html" >"$tmp/text.html" <<'PY'
import re, sys
print(re.sub(r'<figure>.*?</figure>', '', open(sys.argv[1]).read(), flags=re.S))
PY
for page in report text; do
	timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--user-data-dir="$tmp/chromium" --window-size=900,2600 \
		--screenshot="$tmp/$page.png" "file://$tmp/$page.html" >/dev/null 2>&1
	[ -s "$tmp/$page.png" ] || fail "no screenshot of the $page page"
done
if [ -s "$tmp/report.png" ] && [ -s "$tmp/text.png" ]; then
	r=$(stat -c %s "$tmp/report.png") t=$(stat -c %s "$tmp/text.png")
	[ "$r" -gt $((t * 3 / 2)) ] ||
		fail "the pictures do not show: screenshot $r bytes, the text alone $t"
	echo "# screenshot: $r bytes, the text alone $t"
fi
# commit latency: a line per operation through the median of its repeated
# runs, named by the operation while one module is measured
mkdir -p "$tmp/commit"
for run in 10 40 20; do
	for n in 1000 10000; do
		printf '{"bench":"hipac-commit","module":"/x/nf_hipac.ko","rules":%d,"op":"append","ms":%d}\n' \
			"$n" $((run * n / 1000))
	done
done >"$tmp/commit/results.json"
"$klabctl" bench report "$tmp/commit/results.json" -o "$tmp/commit/r.html" >/dev/null ||
	fail "commit-only report"
svg=$tmp/commit/hipac-commit.svg
[ "$(grep -o '<circle' "$svg" | wc -l)" -eq 2 ] ||
	fail "repeated runs are not one point per rule count: $(grep -o '<circle' "$svg" | wc -l) points"
grep -q '>append<' "$svg" || fail "the line is not named by its operation"
grep -q '<title>append: 1k &#8594; 20</title>' "$svg" &&
	grep -q '<title>append: 10k &#8594; 200</title>' "$svg" ||
	fail "the points are not the runs' medians: $(grep -o '<title>[^<]*' "$svg" | tr '\n' ' ')"
! grep -q '/x/nf_hipac.ko' "$svg" || fail "the line is named by the module's path"
[ $failed -eq 0 ] && echo "ok: bench report"
exit $failed
