// SPDX-License-Identifier: GPL-2.0
// klab::netlink_owner names this test's own netlink sockets: the first one,
// bound to the pid, and a second one libnl binds to another port id, which
// only the scan of every process finds.
#include "netlink_owner.hpp"

#include <gtest/gtest.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include <linux/netlink.h>
#include <unistd.h>

#include <fstream>
#include <memory>

namespace {

struct SockDeleter {
    void operator()(struct nl_sock *s) const { nl_socket_free(s); }
};
using Sock = std::unique_ptr<struct nl_sock, SockDeleter>;

Sock connected()
{
    Sock s(nl_socket_alloc());

    if (!s || nl_connect(s.get(), NETLINK_ROUTE) < 0)
        return nullptr;
    return s;
}

std::string own_name()
{
    std::ifstream in("/proc/self/comm");
    std::string name;

    std::getline(in, name);
    return name;
}

TEST(NetlinkOwner, ParsesProcNetNetlinkLine)
{
    const std::string line =
        "0000000000000000 12  4242       00000004 0        0        0     2        0        "
        "31337   ";

    EXPECT_EQ(klab::netlink_line_inode(line, 12, 4242), 31337UL);
    EXPECT_FALSE(klab::netlink_line_inode(line, 0, 4242));
    EXPECT_FALSE(klab::netlink_line_inode(line, 12, 4243));
    EXPECT_FALSE(klab::netlink_line_inode(
        "sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode",
        12, 4242));
}

TEST(NetlinkOwner, NamesTheProcessOfEachSocket)
{
    Sock first = connected();
    Sock second = connected();

    ASSERT_TRUE(first && second) << "no NETLINK_ROUTE socket";
    uint32_t p1 = nl_socket_get_local_port(first.get());
    uint32_t p2 = nl_socket_get_local_port(second.get());
    ASSERT_NE(p1, p2);
    EXPECT_EQ(klab::netlink_owner(NETLINK_ROUTE, p1), own_name());
    EXPECT_EQ(klab::netlink_owner(NETLINK_ROUTE, p2), own_name());
}

TEST(NetlinkOwner, UnknownPortHasNoOwner)
{
    Sock s = connected();

    ASSERT_TRUE(s);
    uint32_t port = nl_socket_get_local_port(s.get());
    s.reset();
    EXPECT_FALSE(klab::netlink_owner(NETLINK_ROUTE, port));
}

} // namespace
