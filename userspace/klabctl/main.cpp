// SPDX-License-Identifier: GPL-2.0
#include "cli.hpp"
#include "hipac.hpp"

#include <cstring>
#include <iostream>
#include <vector>

int main(int argc, char **argv)
{
    const char *slash = std::strrchr(argv[0], '/');
    const char *name = slash ? slash + 1 : argv[0];

    // nf-hipac ARGS is klabctl hipac ARGS.
    if (std::strcmp(name, klab::hipac::kProgramName) == 0) {
        std::vector<const char *> args{"klabctl", "hipac"};
        args.insert(args.end(), argv + 1, argv + argc);
        return klab::run(static_cast<int>(args.size()), args.data(), std::cout, std::cerr);
    }
    return klab::run(argc, argv, std::cout, std::cerr);
}
