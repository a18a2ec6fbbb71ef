// SPDX-License-Identifier: GPL-2.0
// klabctl slab: the attributes of the klab_slab family (slab.cpp and the mm
// observer's slab_mm.cpp): one table of types and record keys, the policy
// replies are parsed with, and the decoder into record fields.
#pragma once

#include "printer.hpp"

#include <klab/slab.h>
#include <netlink/genl/genl.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace klab::slab {

using Attrs = std::array<struct nlattr *, KLAB_SLAB_A_MAX + 1>;

// A message's attributes (@nlh) or a nest's; throws Error when malformed.
Attrs parse_msg(struct nlmsghdr *nlh);
Attrs parse_nest(struct nlattr *nest);

// The attributes of @tb the table knows, as record fields, in table order;
// "flags" as names.
void decode_into(Json &rec, const Attrs &tb);

// "red_zone,poison" for KLAB_SLAB_F_* bits; "none" for 0.
std::string flags_text(uint32_t flags);
// "red_zone,poison" -> the flags; nothing when a name is unknown
std::optional<uint32_t> flags_of(const std::string &text);

} // namespace klab::slab
