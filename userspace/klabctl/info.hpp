// SPDX-License-Identifier: GPL-2.0
// Decoding of the state common to every klab family (INFO replies and
// events on the "events" group).
#pragma once

#include "module.hpp"
#include "printer.hpp"

struct nlmsghdr;

namespace klab {

// The info record of @m from an INFO reply or SET event.  Attributes this
// klabctl does not know are ignored; missing ones are left out.
Json decode_info(const Module &m, struct nlmsghdr *nlh);

} // namespace klab
