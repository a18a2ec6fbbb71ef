// SPDX-License-Identifier: GPL-2.0
// klabctl hipac: registration of the common verbs and routing of the
// iptables-style command lines.
#include "hipac.hpp"

#include "hipac_nl.hpp"
#include "hipac_parse.hpp"
#include "module.hpp"

#include <cstring>
#include <ostream>
#include <string_view>

namespace klab {

namespace {

bool is_common_verb(std::string_view arg)
{
    for (const char *v : {"info", "set", "monitor", "-h", "--help"})
        if (arg == v)
            return true;
    return false;
}

} // namespace

void add_hipac(CLI::App &mod, Cli & /* cli */)
{
    mod.footer(std::string("\nIt also takes iptables' syntax (filter table):\n") +
               hipac::usage_text());
}

std::optional<int> hipac::run_from_argv(int argc, const char *const *argv, std::ostream &out,
                                        std::ostream &err)
{
    Options opts;
    int i = 1;

    for (; i < argc; i++) {
        std::string_view a = argv[i];
        if (a == "-j" || a == "--json")
            opts.json = true;
        else if (a == "-p" || a == "--pretty")
            opts.pretty = true;
        else
            break;
    }
    if (i >= argc || std::strcmp(argv[i], "hipac") != 0)
        return std::nullopt;
    if (i + 1 < argc && is_common_verb(argv[i + 1]))
        return std::nullopt;
    return run(std::vector<std::string>(argv + i + 1, argv + argc), opts, out, err);
}

} // namespace klab
