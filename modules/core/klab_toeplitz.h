/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Toeplitz hash of receive-side scaling, as NICs compute it over a
 * packet's addresses and ports (Microsoft's "RSS hashing functions").
 *
 * For each bit of the input, from the most significant bit of input[0] to
 * the least significant bit of input[n-1], the result is XORed with the
 * 32 bits of the key that start at that bit position when the bit is set.
 * A 40-byte key covers inputs up to 36 bytes: the IPv6 4-tuple.
 *
 * Freestanding: built into netdev_igb_like and, on the host, into the
 * core tests (C and C++), which check it against Microsoft's published
 * verification vectors.
 */
#ifndef _KLAB_TOEPLITZ_H
#define _KLAB_TOEPLITZ_H

#include "klab_platform.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Length of an RSS key (the standard key and ethtool -X hkey) */
#define KLAB_TOEPLITZ_KEY_LEN	40

/* The longest input a KLAB_TOEPLITZ_KEY_LEN key can hash: 36 bytes */
#define KLAB_TOEPLITZ_MAX_INPUT	(KLAB_TOEPLITZ_KEY_LEN - 4)

/* Microsoft's sample key, the default of most NICs (igb's included) */
extern const u8 klab_toeplitz_default_key[KLAB_TOEPLITZ_KEY_LEN];

/**
 * klab_toeplitz_hash - hash @len bytes of @input with @key
 * @key: KLAB_TOEPLITZ_KEY_LEN bytes
 * @input: the tuple, in network byte order, fields in the order
 *	source address, destination address, source port, destination port
 * @len: bytes of @input, at most KLAB_TOEPLITZ_MAX_INPUT
 *
 * Return: the 32-bit hash, or 0 when @len is too long.
 */
u32 klab_toeplitz_hash(const u8 *key, const u8 *input, unsigned int len);

/*
 * The same hash through a table prepared once per key: for each input
 * byte position, the XOR contribution of each of its 256 values.  Eight
 * times fewer steps per packet than the bit loop, for 36 KiB per key.
 */
struct klab_toeplitz_table {
	u32 t[KLAB_TOEPLITZ_MAX_INPUT][256];
};

void klab_toeplitz_prepare(struct klab_toeplitz_table *tab, const u8 *key);
u32 klab_toeplitz_hash_table(const struct klab_toeplitz_table *tab,
			     const u8 *input, unsigned int len);

#ifdef __cplusplus
}
#endif

#endif /* _KLAB_TOEPLITZ_H */
