// SPDX-License-Identifier: GPL-2.0
// Running klabctl's command line in-process, for the CLI tests.
#pragma once

#include "cli.hpp"

#include <sstream>
#include <string>
#include <vector>

namespace klabctl_test {

struct Result {
    int code;
    std::string out;
    std::string err;
};

// klabctl ARGS: exit code, stdout and stderr.
inline Result run(std::vector<const char *> args)
{
    std::ostringstream out, err;

    args.insert(args.begin(), "klabctl");
    int code = klab::run(static_cast<int>(args.size()), args.data(), out, err);
    return {code, out.str(), err.str()};
}

} // namespace klabctl_test
