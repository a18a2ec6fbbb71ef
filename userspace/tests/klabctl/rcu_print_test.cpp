// SPDX-License-Identifier: GPL-2.0
// klabctl rcu: the text views and ratios of runs.
#include "rcu_print.hpp"

#include <gtest/gtest.h>

namespace klab::rcu {
namespace {

Json scale_run(const char *type, uint64_t median_ps)
{
    return Json{{"harness", "scale"},
                {"type", type},
                {"success", true},
                {"stopped", false},
                {"elapsed_ns", 1000000},
                {"results", Json::array({Json{{"name", type},
                                              {"irqs_off", 1},
                                              {"median_ps", median_ps},
                                              {"min_ps", median_ps - 100},
                                              {"max_ps", median_ps + 100},
                                              {"mean_ps", median_ps}}})}};
}

TEST(RcuPrint, ScaleRatios)
{
    Json runs = Json::array({scale_run("rcu", 2000), scale_run("klab_rcu", 3000),
                             scale_run("seqlock", 4000), scale_run("klab_seqlock", 2000)});
    Json r = scale_ratios(runs);
    EXPECT_DOUBLE_EQ(1.5, r["klab_rcu_over_rcu"].get<double>());
    EXPECT_DOUBLE_EQ(0.5, r["klab_seqlock_over_seqlock"].get<double>());
    EXPECT_TRUE(scale_ratios(Json::array({scale_run("klab_rcu", 1)})).empty());
}

TEST(RcuPrint, ScaleTableShowsThousandths)
{
    std::string t = render_scale_table(Json::array({scale_run("klab_rcu", 7655)}));
    EXPECT_NE(std::string::npos, t.find("klab_rcu")) << t;
    EXPECT_NE(std::string::npos, t.find("7.655")) << t;
    EXPECT_NE(std::string::npos, t.find("7.555")) << t;
    EXPECT_NE(std::string::npos, t.find("off")) << t;
}

TEST(RcuPrint, TortureUsesRcutortureLabels)
{
    Json status{
        {"harness", "torture"},
        {"type", "busted_rcu"},
        {"success", false},
        {"stopped", false},
        {"elapsed_ns", 3000000000ULL},
        {"results",
         Json::array({Json{{"name", "busted_rcu"}, {"errors", 1}, {"reader_pipe", {10, 2, 1}}}})}};
    std::string t = render_run(status);
    EXPECT_NE(std::string::npos, t.find("torture busted_rcu: FAILURE in 3.0s")) << t;
    EXPECT_NE(std::string::npos, t.find("Reader Pipe:")) << t;
    EXPECT_NE(std::string::npos, t.find(" 10 2 1")) << t;
    EXPECT_NE(std::string::npos, t.find("errors 1")) << t;
}

TEST(RcuPrint, StoppedRun)
{
    Json status{{"harness", "demo"}, {"type", "rcu"}, {"success", false}, {"stopped", true}};
    EXPECT_NE(std::string::npos, render_run(status).find("STOPPED"));
}

TEST(RcuPrint, HarnessNames)
{
    EXPECT_STREQ("torture", harness_name(0));
    EXPECT_STREQ("gp-check", harness_name(5));
    EXPECT_STREQ("unknown", harness_name(99));
}

} // namespace
} // namespace klab::rcu
