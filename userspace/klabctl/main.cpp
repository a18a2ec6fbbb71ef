// SPDX-License-Identifier: GPL-2.0
#include "cli.hpp"

#include <iostream>

int main(int argc, char **argv)
{
    return klab::run(argc, argv, std::cout, std::cerr);
}
