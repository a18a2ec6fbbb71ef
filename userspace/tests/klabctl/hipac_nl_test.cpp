// SPDX-License-Identifier: GPL-2.0
// klabctl hipac: rules survive the trip through NF_HIPAC_R_* attributes.
#include "hipac_nl.hpp"
#include "hipac_testdata.hpp"

#include <netlink/attr.h>
#include <netlink/msg.h>
#include <sys/socket.h>

#include <memory>

namespace {

using namespace hipac_test;

struct MsgDeleter {
    void operator()(struct nl_msg *msg) const { nlmsg_free(msg); }
};

Rule through_attributes(const Rule &r, int family)
{
    std::unique_ptr<struct nl_msg, MsgDeleter> msg(nlmsg_alloc());
    put_rule(msg.get(), family, r);

    struct nlmsghdr *nlh = nlmsg_hdr(msg.get());
    struct nlattr *nest = nlmsg_find_attr(nlh, 0, NF_HIPAC_A_RULE);
    EXPECT_NE(nest, nullptr);
    return get_rule(nest, family);
}

TEST(HipacNetlink, EveryRuleRoundTrips)
{
    for (const RuleFile &f : kRuleFiles) {
        int family = f.family;
        for (const std::string &line : command_lines(std::string(f.name) + ".txt")) {
            Command c = parse_command(split_line(line), family, f.table);
            if (c.has_rule) {
                EXPECT_EQ(through_attributes(c.rule, family), c.rule) << line;
            }
        }
    }
}

// The order goes as NF_HIPAC_R_MATCH_ORDER only when it is not ascending,
// so that rules typed as before are sent as before.
TEST(HipacNetlink, MatchOrderOnlyWhenNotAscending)
{
    for (auto [line, want] : {std::pair{"-A INPUT -p tcp -m mark --mark 1 --dport 2", true},
                              {"-A INPUT -p tcp --dport 2 -m mark --mark 1", false}}) {
        Rule r = parse_command(split_line(line), AF_INET).rule;
        std::unique_ptr<struct nl_msg, MsgDeleter> msg(nlmsg_alloc());
        put_rule(msg.get(), AF_INET, r);
        struct nlattr *nest = nlmsg_find_attr(nlmsg_hdr(msg.get()), 0, NF_HIPAC_A_RULE);
        ASSERT_NE(nest, nullptr);
        struct nlattr *order = nla_find(static_cast<struct nlattr *>(nla_data(nest)), nla_len(nest),
                                        NF_HIPAC_R_MATCH_ORDER);
        EXPECT_EQ(order != nullptr, want) << line;
        if (order) {
            const auto *m = static_cast<const uint8_t *>(nla_data(order));
            EXPECT_EQ(std::vector<uint8_t>(m, m + nla_len(order)),
                      (std::vector<uint8_t>{NF_HIPAC_M_MARK, NF_HIPAC_M_TCP_UDP}));
        }
        EXPECT_EQ(through_attributes(r, AF_INET), r) << line;
    }
}

// A port match without options is in the rule only by the order, which goes
// then even when ascending; back from the kernel it is the same rule.
TEST(HipacNetlink, PortMatchWithoutOptionsGoesAsTheOrder)
{
    for (auto [line, want] :
         {std::pair{"-A INPUT -p tcp -m tcp", std::vector<uint8_t>{NF_HIPAC_M_TCP_UDP}},
          {"-A INPUT -p dccp -m dccp -m mark --mark 1",
           std::vector<uint8_t>{NF_HIPAC_M_TCP_UDP, NF_HIPAC_M_MARK}},
          {"-A INPUT -p udp", std::vector<uint8_t>{}}}) {
        Rule r = parse_command(split_line(line), AF_INET).rule;
        std::unique_ptr<struct nl_msg, MsgDeleter> msg(nlmsg_alloc());
        put_rule(msg.get(), AF_INET, r);
        struct nlattr *nest = nlmsg_find_attr(nlmsg_hdr(msg.get()), 0, NF_HIPAC_A_RULE);
        ASSERT_NE(nest, nullptr);
        struct nlattr *order = nla_find(static_cast<struct nlattr *>(nla_data(nest)), nla_len(nest),
                                        NF_HIPAC_R_MATCH_ORDER);
        std::vector<uint8_t> got;
        if (order) {
            const auto *m = static_cast<const uint8_t *>(nla_data(order));
            got.assign(m, m + nla_len(order));
        }
        EXPECT_EQ(got, want) << line;
        EXPECT_EQ(through_attributes(r, AF_INET), r) << line;
    }
}

TEST(HipacNetlink, FragmentAndDefaults)
{
    Rule r = parse_command(split_line("-A INPUT ! -f -j REJECT"), AF_INET).rule;
    std::unique_ptr<struct nl_msg, MsgDeleter> msg(nlmsg_alloc());
    put_rule(msg.get(), AF_INET, r);
    struct nlattr *nest = nlmsg_find_attr(nlmsg_hdr(msg.get()), 0, NF_HIPAC_A_RULE);
    ASSERT_NE(nest, nullptr);
    // "! -f" is FRAG_INV alone: the module refuses both flags together.
    EXPECT_EQ(
        nla_find(static_cast<struct nlattr *>(nla_data(nest)), nla_len(nest), NF_HIPAC_R_FRAG),
        nullptr);
    EXPECT_NE(
        nla_find(static_cast<struct nlattr *>(nla_data(nest)), nla_len(nest), NF_HIPAC_R_FRAG_INV),
        nullptr);
    EXPECT_EQ(through_attributes(r, AF_INET), r);
}

} // namespace
