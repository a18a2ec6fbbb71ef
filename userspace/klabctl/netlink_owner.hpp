// SPDX-License-Identifier: GPL-2.0
// Which process owns a netlink socket, given the socket's port id: what
// `conntrack -E` appends to an event a process caused
// ("[USERSPACE] portid=N progname=NAME").
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace klab {

// The inode of the @protocol socket bound to @portid, from one line of
// /proc/net/netlink ("sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode").
std::optional<unsigned long> netlink_line_inode(const std::string &line, int protocol,
                                                uint32_t portid);

// The name (as /proc/PID/stat shows it) of the process holding the
// @protocol socket bound to @portid in this network namespace, if it is
// still there.  The last answer is cached, so a flush that caused a
// thousand events is looked up once.
std::optional<std::string> netlink_owner(int protocol, uint32_t portid);

} // namespace klab
