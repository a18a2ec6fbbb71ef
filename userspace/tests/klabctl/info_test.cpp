// SPDX-License-Identifier: GPL-2.0
#include "error.hpp"
#include "info.hpp"

#include <gtest/gtest.h>
#include <klab/sched.h>
#include <netlink/genl/genl.h>

#include <memory>

namespace {

struct MsgDeleter {
    void operator()(struct nl_msg *msg) const { nlmsg_free(msg); }
};
using MsgPtr = std::unique_ptr<struct nl_msg, MsgDeleter>;

const klab::Module kSched = {"sched", "sched_demo", KLAB_SCHED_FAMILY_NAME,
                             KLAB_SCHED_FAMILY_VERSION, "test"};

MsgPtr make_reply()
{
    MsgPtr msg(nlmsg_alloc());

    EXPECT_NE(genlmsg_put(msg.get(), 0, 1, 0x20, 0, 0, KLAB_CMD_INFO, KLAB_SCHED_FAMILY_VERSION),
              nullptr);
    return msg;
}

TEST(Info, DecodesCommonAttributesInStableOrder)
{
    MsgPtr msg = make_reply();

    // Deliberately out of order, with attributes klabctl does not know.
    ASSERT_EQ(nla_put_u64(msg.get(), KLAB_A_CHANGES, 3), 0);
    ASSERT_EQ(nla_put_u32(msg.get(), KLAB_A_MODULE_FIRST + 5, 99), 0);
    ASSERT_EQ(nla_put_string(msg.get(), KLAB_A_STATE, "ready"), 0);
    ASSERT_EQ(nla_put_u64(msg.get(), KLAB_A_UPTIME_NS, 12300000000ull), 0);
    ASSERT_EQ(nla_put_u32(msg.get(), KLAB_A_DEBUG_LEVEL, 2), 0);
    ASSERT_EQ(nla_put_string(msg.get(), KLAB_A_VERSION, "0.1.0"), 0);
    ASSERT_EQ(nla_put_u32(msg.get(), __KLAB_A_COMMON_END, 1), 0);

    klab::Json info = klab::decode_info(kSched, nlmsg_hdr(msg.get()));
    EXPECT_EQ(info.dump(),
              R"({"module":"sched_demo","family":"klab_sched","version":"0.1.0",)"
              R"("state":"ready","debug_level":2,"uptime_ns":12300000000,"changes":3})");
}

TEST(Info, LeavesOutMissingAttributes)
{
    MsgPtr msg = make_reply();

    ASSERT_EQ(nla_put_u32(msg.get(), KLAB_A_DEBUG_LEVEL, 7), 0);
    klab::Json info = klab::decode_info(kSched, nlmsg_hdr(msg.get()));
    EXPECT_EQ(info.dump(), R"({"module":"sched_demo","family":"klab_sched","debug_level":7})");
}

TEST(Info, RejectsMalformedAttributes)
{
    MsgPtr msg = make_reply();
    uint16_t too_short = 1;

    ASSERT_EQ(nla_put(msg.get(), KLAB_A_UPTIME_NS, sizeof(too_short), &too_short), 0);
    EXPECT_THROW(klab::decode_info(kSched, nlmsg_hdr(msg.get())), klab::Error);
}

} // namespace
