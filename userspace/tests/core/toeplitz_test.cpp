// SPDX-License-Identifier: GPL-2.0
// The Toeplitz hash against Microsoft's published RSS verification vectors
// ("Verifying the RSS Hash Calculation", Windows driver documentation):
// the standard 40-byte key, IPv4 and IPv6, with and without TCP ports.
#include "klab_toeplitz.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace {

struct Vector {
    const char *dst;
    uint16_t dport;
    const char *src;
    uint16_t sport;
    uint32_t ip_only;
    uint32_t with_tcp;
};

const Vector kIpv4[] = {
    {"161.142.100.80", 1766, "66.9.149.187", 2794, 0x323e8fc2, 0x51ccc178},
    {"65.69.140.83", 4739, "199.92.111.2", 14230, 0xd718262a, 0xc626b0ea},
    {"12.22.207.184", 38024, "24.19.198.95", 12898, 0xd2d0a5de, 0x5c2b394a},
    {"209.142.163.6", 2217, "38.27.205.30", 48228, 0x82989176, 0xafc7327f},
    {"202.188.127.2", 1303, "153.39.163.191", 44251, 0x5d1809c5, 0x10e828a2},
};

const Vector kIpv6[] = {
    {"3ffe:2501:200:3::1", 1766, "3ffe:2501:200:1fff::7", 2794, 0x2cc18cd5, 0x40207d3d},
    {"ff02::1", 4739, "3ffe:501:8::260:97ff:fe40:efab", 14230, 0x0f0c461c, 0xdde51bbf},
    {"fe80::200:f8ff:fe21:67cf", 38024, "3ffe:1900:4545:3:200:f8ff:fe21:67cf", 44251, 0x4b61e985,
     0x02d1feef},
};

// The input as NICs build it: source address, destination address, then
// (for the 4-tuple) source port and destination port, in network order.
std::vector<u8> tuple(int af, const Vector &v, bool ports)
{
    size_t alen = af == AF_INET ? 4 : 16;
    std::vector<u8> in(2 * alen);

    EXPECT_EQ(inet_pton(af, v.src, in.data()), 1);
    EXPECT_EQ(inet_pton(af, v.dst, in.data() + alen), 1);
    if (ports) {
        for (uint16_t p : {v.sport, v.dport}) {
            in.push_back(static_cast<u8>(p >> 8));
            in.push_back(static_cast<u8>(p));
        }
    }
    return in;
}

void check(int af, const Vector &v)
{
    auto tab = std::make_unique<klab_toeplitz_table>();
    klab_toeplitz_prepare(tab.get(), klab_toeplitz_default_key);

    for (bool ports : {false, true}) {
        std::vector<u8> in = tuple(af, v, ports);
        uint32_t want = ports ? v.with_tcp : v.ip_only;
        unsigned int len = static_cast<unsigned int>(in.size());

        EXPECT_EQ(klab_toeplitz_hash(klab_toeplitz_default_key, in.data(), len), want)
            << v.src << " -> " << v.dst << (ports ? " with ports" : "");
        EXPECT_EQ(klab_toeplitz_hash_table(tab.get(), in.data(), len), want)
            << v.src << " -> " << v.dst << (ports ? " with ports, table" : ", table");
    }
}

TEST(Toeplitz, MicrosoftIpv4Vectors)
{
    for (const Vector &v : kIpv4)
        check(AF_INET, v);
}

TEST(Toeplitz, MicrosoftIpv6Vectors)
{
    for (const Vector &v : kIpv6)
        check(AF_INET6, v);
}

TEST(Toeplitz, RejectsInputLongerThanTheKeyCovers)
{
    u8 in[KLAB_TOEPLITZ_MAX_INPUT + 1] = {0xff};

    EXPECT_EQ(klab_toeplitz_hash(klab_toeplitz_default_key, in, sizeof(in)), 0u);
}

TEST(Toeplitz, EmptyInputAndZeroKeyHashToZero)
{
    u8 zero_key[KLAB_TOEPLITZ_KEY_LEN] = {};
    u8 in[12];

    std::memset(in, 0xa5, sizeof(in));
    EXPECT_EQ(klab_toeplitz_hash(klab_toeplitz_default_key, in, 0), 0u);
    EXPECT_EQ(klab_toeplitz_hash(zero_key, in, sizeof(in)), 0u);
}

// A single set bit selects exactly the key window at its position.
TEST(Toeplitz, OneBitSelectsTheKeyWindow)
{
    u8 in[2] = {0x80, 0x00};

    EXPECT_EQ(klab_toeplitz_hash(klab_toeplitz_default_key, in, 1), 0x6d5a56dau);
    in[0] = 0;
    in[1] = 0x01; // bit 15: the window starting at bit 15 of the key
    EXPECT_EQ(klab_toeplitz_hash(klab_toeplitz_default_key, in, 2), 0x2b6d12adu);
}

} // namespace
