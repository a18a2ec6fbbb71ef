// SPDX-License-Identifier: GPL-2.0
// The one output path of klabctl: records are nlohmann::ordered_json objects
// with snake_case keys, rendered as JSON or as text.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <iosfwd>
#include <string>

namespace klab {

using Json = nlohmann::ordered_json;

struct Options {
    bool json = false;
    bool pretty = false;
};

class Printer {
  public:
    Printer(std::ostream &out, const Options &opts) : out_(out), opts_(opts) {}

    // Print a record and flush.  In text mode the "module" key labels the
    // line, "family" is left out, keys are shown in kebab-case, keys ending
    // in _ns are shown as durations without the suffix, and nested objects
    // go on indented lines of their own.
    void print(const Json &record);

    // Print a record that reads better as a sentence in text mode.
    void notice(const Json &record, const std::string &text);

  private:
    void emit(const std::string &line);

    std::ostream &out_;
    Options opts_;
};

// Text rendering, exposed for tests.
std::string render_text(const Json &record);
std::string format_duration(uint64_t ns);

} // namespace klab
