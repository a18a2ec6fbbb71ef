// SPDX-License-Identifier: GPL-2.0
// Decoding of netlink error messages with extended acknowledgement TLVs.
#pragma once

#include <linux/netlink.h>

#include <string>

namespace klab {

// The text to report for a netlink error: the kernel's extack message when
// it sent one, else strerror() of the error number.  @err points at the
// payload of a complete NLMSG_ERROR message.
std::string extack_message(const struct nlmsgerr *err);

} // namespace klab
