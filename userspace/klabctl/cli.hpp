// SPDX-License-Identifier: GPL-2.0
// The klabctl command line: parse, run the selected command, map errors to
// exit codes.
#pragma once

#include <iosfwd>

namespace klab {

// Run klabctl with @argv, printing results to @out and diagnostics to @err.
// Returns the process exit code: kExitOk, kExitUsage or kExitError.
int run(int argc, const char *const *argv, std::ostream &out, std::ostream &err);

} // namespace klab
