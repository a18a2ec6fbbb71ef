// SPDX-License-Identifier: GPL-2.0
#include "printer.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace {

using klab::Json;

const Json kInfo = {{"module", "sched_demo"}, {"family", "klab_sched"},
                    {"version", "0.1.0"},     {"state", "ready"},
                    {"debug_level", 0u},      {"uptime_ns", 12300000000ull},
                    {"changes", 0u}};

std::string print(const Json &record, klab::Options opts)
{
    std::ostringstream out;

    klab::Printer(out, opts).print(record);
    return out.str();
}

TEST(Duration, PicksAUnit)
{
    EXPECT_EQ(klab::format_duration(0), "0ns");
    EXPECT_EQ(klab::format_duration(999), "999ns");
    EXPECT_EQ(klab::format_duration(1500), "1.5us");
    EXPECT_EQ(klab::format_duration(2500000), "2.5ms");
    EXPECT_EQ(klab::format_duration(12300000000ull), "12.3s");
}

TEST(Printer, InfoAsText)
{
    EXPECT_EQ(print(kInfo, {}),
              "sched_demo: version 0.1.0 state ready debug-level 0 uptime 12.3s changes 0\n");
}

TEST(Printer, InfoAsJson)
{
    EXPECT_EQ(print(kInfo, {true, false}),
              R"({"module":"sched_demo","family":"klab_sched","version":"0.1.0","state":"ready",)"
              R"("debug_level":0,"uptime_ns":12300000000,"changes":0})"
              "\n");
}

TEST(Printer, PrettyJson)
{
    std::string out = print(Json{{"module", "rcu_demo"}, {"changes", 1}}, {true, true});

    EXPECT_EQ(out, "{\n    \"module\": \"rcu_demo\",\n    \"changes\": 1\n}\n");
}

TEST(Printer, PrettyAloneIsText)
{
    EXPECT_EQ(print(Json{{"module", "slabcache"}, {"state", "ready"}}, {false, true}),
              "slabcache: state ready\n");
}

TEST(Printer, NewKeysNeedNoPrinterChanges)
{
    Json rec = {{"module", "netdev_igb_like"},
                {"rx_packets", 5},
                {"link_up", true},
                {"queues", Json::array({0, 1})},
                {"poll_time_ns", 1500},
                {"rings", Json::array({{{"id", 0}, {"used", 3}}, {{"id", 1}, {"used", 0}}})},
                {"stats", {{"drops", 2}}}};

    EXPECT_EQ(klab::render_text(rec), "netdev_igb_like: rx-packets 5 link-up true queues 0,1 "
                                      "poll-time 1.5us\n"
                                      "    rings:\n"
                                      "        id 0 used 3\n"
                                      "        id 1 used 0\n"
                                      "    stats:\n"
                                      "        drops 2");
}

TEST(Printer, NoticeIsTextOrRecord)
{
    Json rec = {{"event", "unloaded"}, {"module", "chardev"}, {"family", "klab_chardev"}};
    std::ostringstream text, json;

    klab::Printer(text, {}).notice(rec, "module chardev unloaded");
    klab::Printer(json, {true, false}).notice(rec, "module chardev unloaded");
    EXPECT_EQ(text.str(), "module chardev unloaded\n");
    EXPECT_EQ(json.str(), R"({"event":"unloaded","module":"chardev","family":"klab_chardev"})"
                          "\n");
}

} // namespace
