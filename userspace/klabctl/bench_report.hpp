// SPDX-License-Identifier: GPL-2.0
// klabctl bench report: make bench's results as one HTML page with SVG
// pictures.
#pragma once

#include "module.hpp"

#include <string>

namespace klab {

// Read the JSON lines of @results, write the page to @html_path and each
// picture as an .svg file beside it; returns what was written ("report",
// "results": how many measurements, "figures": the .svg file names).
// Throws Error when @results holds no benchmark result.
Json write_report(const std::string &results, const std::string &html_path);

} // namespace klab
