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

// A bad argument found after parsing (CLI11 catches the rest); klabctl
// exits with kExitUsage after printing "Error: <what()>".
class UsageError : public Error {
  public:
    using Error::Error;
};

// A negative acknowledgement: what() is the kernel's extack message or
// strerror(code()), code() the positive errno.
class KernelError : public Error {
  public:
    KernelError(const std::string &what, int code) : Error(what), code_(code) {}
    int code() const { return code_; }

  private:
    int code_;
};

} // namespace klab
