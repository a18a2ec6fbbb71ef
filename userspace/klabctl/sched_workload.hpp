// SPDX-License-Identifier: GPL-2.0
// klabctl sched: workload files (JSON), read into the scheduler core's run
// description, with errors that name the file, line and field.
#pragma once

#include "error.hpp"

extern "C" {
#include "ksched.h"
}

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace klab::sched {

// A workload file's run description.  spec.entities points into ents.
struct Workload {
    struct ksched_run_spec spec;
    std::vector<struct ksched_entity_spec> ents;
    std::string file;
    // where each entity came from in the file, for messages: its JSON
    // path ("entities[2]") and line
    std::vector<std::string> ent_paths;
    std::vector<int> ent_lines;
    // the line of each field, by JSON pointer
    std::map<std::string, int> lines;

    // The line of a run-level field given by its name without unit
    // ("/duration" finds "duration_ms"), else 1
    int run_line(const std::string &pointer) const
    {
        for (const char *unit : {"", "_s", "_ms", "_us", "_ns"}) {
            auto it = lines.find(pointer + unit);
            if (it != lines.end())
                return it->second;
        }
        return 1;
    }

    Workload() = default;
    Workload(const Workload &o) { *this = o; }
    Workload &operator=(const Workload &o)
    {
        spec = o.spec;
        ents = o.ents;
        file = o.file;
        ent_paths = o.ent_paths;
        ent_lines = o.ent_lines;
        lines = o.lines;
        spec.entities = ents.data();
        return *this;
    }
};

// A bad workload file: what() is "FILE:LINE: FIELD: message".
class WorkloadError : public Error {
  public:
    using Error::Error;
};

// Read @text (the contents of @file) into a description.  CPUs default to
// @default_cpus (a mask of CPU ids).  Only the file's own form is checked.
Workload parse_workload(const std::string &text, const std::string &file, uint64_t default_cpus);

// Check @w as the core does (ranges, programs and, if @admission, the
// deadline bandwidth); its complaints come back as WorkloadError at the
// line of the entity concerned.
void check_workload(const Workload &w, bool admission);

// The same for a file on disk.
Workload load_workload(const std::string &file, uint64_t default_cpus);

// The mask of CPUs this process may run on (the default for a run).
uint64_t online_cpus();

// The error of ksched_spec_check() @err as "FILE:LINE: entities[N] (name): msg"
std::string spec_error_text(const Workload &w, const struct ksched_spec_error &err);

} // namespace klab::sched
