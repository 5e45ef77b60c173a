#pragma once
// Runs checks in parallel, each on its own thread with its own timeout, and returns the findings in
// the order the checks are given (the catalogue's), whatever order they finish in.

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
  std::vector<std::string> ignore_ids;     // a failure of these ("all": any) is an ignored warning
  std::vector<std::string> opt_ins;        // flags given that enable opt-in checks ("--smoke")
};

struct Report {
  std::string root;
  std::vector<Finding> findings;  // in the order of the checks run
  std::chrono::milliseconds duration{0};
  int count(Verdict v) const;
  bool failed() const { return count(Verdict::fail) > 0; }
};

// Errors (invalid_input): an unknown section or check id, with a did-you-mean hint.
Status check_selection(const std::vector<Check>& checks, const Selection& selection);

// Runs the checks of `checks` in the selected sections against `facts`; an opt-in check whose flag
// was not given is a skip ("not run without --smoke"). A check that outlives its timeout is a
// failure "timed out after N ms (its title)"; its thread is left to finish on its own (it holds
// the facts), one that answered is joined.
Report run_checks(const std::vector<Check>& checks, const std::shared_ptr<const Facts>& facts,
                  const Selection& selection);

}  // namespace edgecrew::doctor
