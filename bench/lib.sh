# SPDX-License-Identifier: GPL-2.0
# Shared by the benchmark scripts (sourced).

# median of the arguments (the lower one of an even count)
median() {
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
