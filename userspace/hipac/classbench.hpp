// SPDX-License-Identifier: GPL-2.0
// ClassBench-like rule sets for the HiPAC classifier: 5-tuple rules whose
// prefix lengths, port ranges and protocols follow the shapes of the three
// ClassBench profiles (Taylor and Turner, 2005): access control lists,
// firewalls and IP chains.  Seeded, so a set can be made again.
#pragma once

#include "rule_set.hpp"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace klab::hipac {

// The five dimensions of a 5-tuple rule set, in tree order.
enum Dim : u8 { kSrc, kDst, kProto, kSport, kDport, kDims };

hipac_dims five_tuple_dims();

enum class Profile { kAcl, kFirewall, kIpChain };

Profile parse_profile(const std::string &name);
const char *profile_name(Profile p);

RuleSet generate(Profile profile, size_t n_rules, uint32_t seed);

// Packets drawn like ClassBench's trace generator: mostly points inside a
// random rule's box, so lookups exercise the rules rather than miss them
// all; the rest uniformly random.
std::vector<std::vector<u32>> packets(const RuleSet &rs, size_t n, uint32_t seed);

} // namespace klab::hipac
