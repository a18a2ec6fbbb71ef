// SPDX-License-Identifier: GPL-2.0
// klabctl status reads /sys/module/<module>/{initstate,version,taint,refcnt}.
#include "status.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

namespace {

namespace fs = std::filesystem;

const klab::Module kTest = {
    .name = "test",
    .kmod = "klab_test",
    .family = "klab_test",
    .version = 1,
    .description = "",
};

class Status : public ::testing::Test {
  protected:
    void SetUp() override
    {
        dir_ = fs::temp_directory_path() / ("klab_status_" + std::to_string(::getpid()));
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    void attr(const std::string &name, const std::string &value)
    {
        fs::create_directories(dir_ / kTest.kmod);
        std::ofstream(dir_ / kTest.kmod / name) << value << "\n";
    }

    fs::path dir_;
};

TEST_F(Status, NotLoaded)
{
    EXPECT_EQ(klab::module_status(dir_, kTest),
              (klab::Json{{"module", "klab_test"}, {"state", "not loaded"}}));
}

TEST_F(Status, Loaded)
{
    attr("initstate", "live");
    attr("version", "0.1.0");
    attr("taint", "OE");
    attr("refcnt", "2");
    EXPECT_EQ(klab::module_status(dir_, kTest), (klab::Json{{"module", "klab_test"},
                                                            {"state", "live"},
                                                            {"version", "0.1.0"},
                                                            {"taint", "OE"},
                                                            {"refcnt", 2}}));
}

// A module that did not taint the kernel has an empty taint file
TEST_F(Status, Untainted)
{
    attr("initstate", "live");
    attr("taint", "");
    klab::Json s = klab::module_status(dir_, kTest);

    EXPECT_EQ(s["taint"], "");
    EXPECT_FALSE(s.contains("version"));
}

} // namespace
