// SPDX-License-Identifier: GPL-2.0
#include "extack.hpp"

#include <gtest/gtest.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <cerrno>
#include <memory>

namespace {

struct MsgDeleter {
    void operator()(struct nl_msg *msg) const { nlmsg_free(msg); }
};
using MsgPtr = std::unique_ptr<struct nl_msg, MsgDeleter>;

// An NLMSG_ERROR for @error echoing a request with @echoed payload bytes.
MsgPtr make_error(int error, int flags, int echoed = 0)
{
    MsgPtr msg(nlmsg_alloc());
    struct nlmsghdr *nlh =
        nlmsg_put(msg.get(), 0, 1, NLMSG_ERROR, sizeof(struct nlmsgerr) + echoed, flags);
    auto *err = static_cast<struct nlmsgerr *>(nlmsg_data(nlh));

    err->error = error;
    err->msg.nlmsg_len = NLMSG_HDRLEN + 64;
    if (flags & NLM_F_CAPPED)
        return msg;
    err->msg.nlmsg_len = NLMSG_HDRLEN + echoed;
    memset(err + 1, 0xaa, echoed); // must not be mistaken for TLVs
    return msg;
}

std::string message_of(const MsgPtr &msg)
{
    return klab::extack_message(static_cast<struct nlmsgerr *>(nlmsg_data(nlmsg_hdr(msg.get()))));
}

TEST(Extack, PlainErrorUsesStrerror)
{
    EXPECT_EQ(message_of(make_error(-EPERM, NLM_F_CAPPED)), "Operation not permitted");
}

TEST(Extack, CappedMessage)
{
    MsgPtr msg = make_error(-EINVAL, NLM_F_CAPPED | NLM_F_ACK_TLVS);

    ASSERT_EQ(nla_put_string(msg.get(), NLMSGERR_ATTR_MSG, "debug level out of range"), 0);
    ASSERT_EQ(nla_put_u32(msg.get(), NLMSGERR_ATTR_OFFS, 20), 0);
    EXPECT_EQ(message_of(msg), "debug level out of range");
}

TEST(Extack, UncappedMessageAfterEchoedRequest)
{
    MsgPtr msg = make_error(-EINVAL, NLM_F_ACK_TLVS, 12);

    ASSERT_EQ(nla_put_string(msg.get(), NLMSGERR_ATTR_MSG, "bad thing"), 0);
    EXPECT_EQ(message_of(msg), "bad thing");
}

TEST(Extack, OffsetWithoutMessage)
{
    MsgPtr msg = make_error(-EINVAL, NLM_F_CAPPED | NLM_F_ACK_TLVS);

    ASSERT_EQ(nla_put_u32(msg.get(), NLMSGERR_ATTR_OFFS, 24), 0);
    EXPECT_EQ(message_of(msg), "Invalid argument (invalid attribute at offset 24)");
}

TEST(Extack, FlagWithoutTlvs)
{
    EXPECT_EQ(message_of(make_error(-ENOENT, NLM_F_CAPPED | NLM_F_ACK_TLVS)),
              "No such file or directory");
}

} // namespace
