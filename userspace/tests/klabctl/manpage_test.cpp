// SPDX-License-Identifier: GPL-2.0
// klabctl(8) documents every command: each path of klabctl's command tree
// (the one --help and the completion are drawn from) appears in the page's
// source as "klabctl PATH"; the verbs every module has appear once, as
// "*klabctl* _module_ *VERB".
#include "completion.hpp"
#include "module.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace {

// "info" of "sched info": the common verb, if @path (below a module) is one
std::string common_verb(const std::string &path)
{
    std::string verb = path.substr(path.find(' ') + 1);

    for (const char *v : {"info", "set", "set debug-level", "monitor"})
        if (path.find(' ') != std::string::npos && verb == v)
            return verb;
    return "";
}

std::string read_page()
{
    std::ifstream in(KLAB_MAN_PAGE);
    std::stringstream s;

    s << in.rdbuf();
    return s.str();
}

TEST(ManPage, MentionsEveryCommandAndVerb)
{
    std::ostringstream out;
    klab::Cli cli{out, {}, {}};
    CLI::App app("klabctl", "klabctl");
    std::string page = read_page();
    size_t checked = 0;

    ASSERT_FALSE(page.empty()) << KLAB_MAN_PAGE;
    klab::add_commands(app, cli);
    for (const klab::CommandNode &n : klab::command_tree(app)) {
        if (n.path.empty())
            continue;
        std::string verb = common_verb(n.path);
        bool found =
            page.find("klabctl " + n.path) != std::string::npos ||
            (!verb.empty() && page.find("*klabctl* _module_ *" + verb) != std::string::npos);
        EXPECT_TRUE(found) << "klabctl(8) does not mention \"klabctl " << n.path << "\"";
        checked++;
    }
    // The tree is the real one: every module and many verbs
    EXPECT_GT(checked, 60u);
}

TEST(ManPage, HasASectionPerModule)
{
    std::string page = read_page();

    for (const klab::Command &c : klab::commands()) {
        if (!c.module)
            continue;
        EXPECT_NE(page.find(std::string("## ") + c.module->kmod), std::string::npos)
            << c.module->kmod;
    }
}

} // namespace
