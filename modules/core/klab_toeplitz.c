// SPDX-License-Identifier: GPL-2.0
/*
 * The Toeplitz hash of receive-side scaling: see klab_toeplitz.h.
 */
#include "klab_toeplitz.h"

const u8 klab_toeplitz_default_key[KLAB_TOEPLITZ_KEY_LEN] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

/* The 32 key bits that start at bit @bit of @key (bit 0: MSB of key[0]) */
static u32 klab_toeplitz_window(const u8 *key, unsigned int bit)
{
	unsigned int byte = bit / 8, shift = bit % 8;
	u64 w = 0;
	unsigned int i;

	/* five bytes hold any 32-bit window; past the key's end reads 0 */
	for (i = 0; i < 5; i++) {
		w <<= 8;
		if (byte + i < KLAB_TOEPLITZ_KEY_LEN)
			w |= key[byte + i];
	}
	return (u32)(w >> (8 - shift));
}

u32 klab_toeplitz_hash(const u8 *key, const u8 *input, unsigned int len)
{
	u32 result = 0;
	unsigned int i, b;

	if (len > KLAB_TOEPLITZ_MAX_INPUT)
		return 0;
	for (i = 0; i < len; i++)
		for (b = 0; b < 8; b++)
			if (input[i] & (0x80 >> b))
				result ^= klab_toeplitz_window(key, i * 8 + b);
	return result;
}

void klab_toeplitz_prepare(struct klab_toeplitz_table *tab, const u8 *key)
{
	unsigned int i, v, b;

	for (i = 0; i < KLAB_TOEPLITZ_MAX_INPUT; i++) {
		u32 bits[8];

		for (b = 0; b < 8; b++)
			bits[b] = klab_toeplitz_window(key, i * 8 + b);
		for (v = 0; v < 256; v++) {
			u32 h = 0;

			for (b = 0; b < 8; b++)
				if (v & (0x80 >> b))
					h ^= bits[b];
			tab->t[i][v] = h;
		}
	}
}

u32 klab_toeplitz_hash_table(const struct klab_toeplitz_table *tab,
			     const u8 *input, unsigned int len)
{
	u32 result = 0;
	unsigned int i;

	if (len > KLAB_TOEPLITZ_MAX_INPUT)
		return 0;
	for (i = 0; i < len; i++)
		result ^= tab->t[i][input[i]];
	return result;
}
