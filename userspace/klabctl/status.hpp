// SPDX-License-Identifier: GPL-2.0
// klabctl status: which klab modules are loaded, read from sysfs.
#pragma once

#include "module.hpp"
#include "printer.hpp"

#include <filesystem>

namespace klab {

// The status record of @m from @sys_module (normally /sys/module): its
// kernel module, "state" (the module's initstate, or "not loaded"), and
// when loaded its version, taint flags and reference count.
Json module_status(const std::filesystem::path &sys_module, const Module &m);

} // namespace klab
