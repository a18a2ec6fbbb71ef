// SPDX-License-Identifier: GPL-2.0
/* Summaries for rcu_demo's harnesses: see krcu_stats.h */
#include "krcu_stats.h"

/* Shell sort with Ciura's gaps: small arrays, no allocation, no recursion */
void krcu_sort_u64(u64 *v, unsigned int n)
{
	static const unsigned int gaps[] = { 701, 301, 132, 57, 23, 10, 4, 1 };
	unsigned int g = 0, gap, i, j;

	do {
		gap = gaps[g++];

		for (i = gap; i < n; i++) {
			u64 x = v[i];

			for (j = i; j >= gap && v[j - gap] > x; j -= gap)
				v[j] = v[j - gap];
			v[j] = x;
		}
	} while (gap > 1);
}

u64 krcu_percentile(const u64 *sorted, unsigned int n, unsigned int pct)
{
	u64 rank;

	if (!n)
		return 0;
	if (pct > 100)
		pct = 100;
	/* nearest rank: ceil(pct * n / 100), at least 1 */
	rank = ((u64)pct * n + 99) / 100;
	if (rank < 1)
		rank = 1;
	return sorted[rank - 1];
}

u64 krcu_median(const u64 *sorted, unsigned int n)
{
	if (!n)
		return 0;
	if (n % 2)
		return sorted[n / 2];
	return sorted[n / 2 - 1] + (sorted[n / 2] - sorted[n / 2 - 1]) / 2;
}

unsigned int krcu_hist_bucket(u64 ns)
{
	unsigned int b = 0;

	ns >>= 10;
	while (ns && b < KRCU_HIST_BUCKETS - 1) {
		ns >>= 1;
		b++;
	}
	return b;
}

u64 krcu_hist_bucket_floor(unsigned int b)
{
	if (!b)
		return 0;
	if (b >= KRCU_HIST_BUCKETS)
		b = KRCU_HIST_BUCKETS - 1;
	return (u64)1 << (b + 9);
}
