#pragma once
// Runs checks in parallel, each on its own thread with its own timeout, and returns the findings in
// catalogue order whatever order they finish in.

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "doctor/check.h"
#include "doctor/facts.h"
#include "doctor/finding.h"
#include "util/result.h"

namespace edgecrew::doctor {

struct Selection {
  std::vector<std::string> only_sections;  // empty: every section
  std::vector<std::string> ignore_ids;     // a failure of these is reported as an ignored warning
  std::vector<std::string> opt_ins;        // flags given that enable opt-in checks ("--smoke")
};

struct Report {
  std::string root;
  std::vector<Finding> findings;  // catalogue order
  std::chrono::milliseconds duration{0};
  int count(Verdict v) const;
  bool failed() const { return count(Verdict::fail) > 0; }
};

// Errors (invalid_input): an unknown section or check id, with a did-you-mean hint.
Status check_selection(const std::vector<Check>& checks, const Selection& selection);

// Runs the selected checks of `checks` against `facts`. A check that outlives its timeout is a
// failure "timed out after N s"; its thread is left to finish on its own (it holds the facts).
Report run_checks(const std::vector<Check>& checks, std::shared_ptr<const Facts> facts,
                  const Selection& selection);

}  // namespace edgecrew::doctor
