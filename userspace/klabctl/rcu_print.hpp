// SPDX-License-Identifier: GPL-2.0
// klabctl rcu: decoding the klab_rcu family's replies and the text views of
// a run's results.
#pragma once

#include "printer.hpp"

#include <string>

struct nlmsghdr;

namespace klab::rcu {

// Harness names, indexed by enum klab_rcu_harness.
const char *harness_name(uint32_t id);

// A STATUS reply as JSON: state, run_id, harness, type, elapsed_ns,
// expected_ns and, once done, success, stopped and "results": one object
// per result group with its name, its counters and its series (arrays).
Json decode_status(struct nlmsghdr *nlh);

// A TYPES reply: {"torture": ["rcu", ...], "seqlock": [...], ...}.
Json decode_types(struct nlmsghdr *nlh);

// The text view of a finished run (a decode_status() result).
std::string render_run(const Json &status);

// The side-by-side table of several scale runs, with the ratios of klab's
// read sides to the kernel's.
std::string render_scale_table(const Json &runs);

// Ratios of klab_rcu to rcu and klab_seqlock to seqlock median read-side
// cost, from several scale runs; keys missing when a side is missing.
Json scale_ratios(const Json &runs);

} // namespace klab::rcu
