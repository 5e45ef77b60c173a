#pragma once
// The cri section's pure comparison, for tests: handlers loaded by the runtime vs configured in
// crio.conf (a configured handler CRI-O did not load was dropped for a bad runtime_path).

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "doctor/finding.h"
#include "host/crio_config.h"

namespace edgecrew::doctor {

Outcome compare_handlers(const std::string& runtime_name,
                         const std::optional<std::set<std::string>>& loaded,
                         const std::string& loaded_source,
                         const std::vector<std::string>& configured, const host::CrioConfig& crio);

}  // namespace edgecrew::doctor
