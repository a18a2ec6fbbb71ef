// SPDX-License-Identifier: GPL-2.0
/*
 * The reference classifier: a linear first-match walk, as iptables does.
 * The HiPAC tree must agree with it on every packet.
 */
#include "hipac_internal.h"

/**
 * hipac_linear_lookup() - classify a packet by walking the rules in order
 * @rules: the rules, in order
 * @n_rules: number of @rules
 * @packet: one value per dimension
 *
 * Return: the index of the first rule whose matches all hold, or
 * HIPAC_NO_MATCH.
 */
u32 hipac_linear_lookup(const struct hipac_rule *rules, u32 n_rules,
			const u32 *packet)
{
	u32 i, j;

	for (i = 0; i < n_rules; i++) {
		const struct hipac_rule *rule = &rules[i];

		for (j = 0; j < rule->n_matches; j++) {
			const struct hipac_match *m = &rule->matches[j];

			if (!hipac_match_holds(m, packet[m->dimid]))
				break;
		}
		if (j == rule->n_matches)
			return i;
	}
	return HIPAC_NO_MATCH;
}
