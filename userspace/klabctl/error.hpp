// SPDX-License-Identifier: GPL-2.0
// Errors reported by the kernel or the system, and the exit codes of klabctl.
#pragma once

#include <stdexcept>
#include <string>

namespace klab {

// Exit codes, as ip(8).
inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 1;
inline constexpr int kExitError = 2;

// An error reported by the kernel or the system; klabctl exits with
// kExitError after printing "Error: <what()>".
class Error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

} // namespace klab
