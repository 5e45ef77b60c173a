#pragma once
// Progress events as plain lines, "SERVICE  phase  detail", one per event: what up, down and
// restart print while they work (the executor calls the sink under one lock).

#include <fmt/format.h>

#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

#include "host/runtime_traps.h"
#include "plan/events.h"
#include "plan/executor.h"

namespace edgecrew::cli {

// Pads the service column to the longest of `names`, so the phases line up.
inline plan::EventSink event_lines(std::ostream& out, const std::vector<std::string>& names) {
  std::size_t width = 0;
  for (const auto& n : names) width = std::max(width, n.size());
  return [&out, width](const plan::Event& e) {
    std::string line =
        fmt::format("{:<{}}  {:<8}  {}", e.service, width, plan::to_string(e.phase), e.detail);
    line.erase(line.find_last_not_of(' ') + 1);
    out << line << "\n" << std::flush;
  };
}

// "edgecrew: VERB failed for N service(s):" and one line per failure and skipped service; under a
// runtime error that a known host trap causes, the cause, the fix and the doctor's check id.
inline void print_failures(std::ostream& err, const std::string& verb,
                           const plan::ExecutionResult& result) {
  err << fmt::format("edgecrew: {} failed for {} service(s):\n", verb, result.failures.size());
  for (const auto& f : result.failures) {
    err << fmt::format("  {}: {}\n", f.service, f.why);
    if (auto trap = host::known_trap(f.why)) {
      err << fmt::format("    cause: {}; fix: {} (edgecrew doctor --only runtime: {})\n",
                         trap->cause, trap->fix, trap->check_id);
    }
  }
  for (const auto& s : result.skipped) err << fmt::format("  {}: not attempted\n", s);
}

}  // namespace edgecrew::cli
