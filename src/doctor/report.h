#pragma once
// The doctor's report as text (grouped by section, one line per check, details under problems)
// and as JSON (schema "edgecrew.doctor/v1", documented in docs/DOCTOR.md).

#include <string>

#include "doctor/runner.h"

namespace edgecrew::doctor {

struct TextOptions {
  bool verbose = false;  // details of every check, and each check's duration
  bool colour = false;   // ANSI colours for the verdict marks (a terminal)
};

std::string report_text(const Report& report, const TextOptions& options = {});
std::string report_json(const Report& report);

}  // namespace edgecrew::doctor
