#pragma once
// The crio-config section's comparison of CRI-O's files with what the running CRI-O reports, for
// the check and its tests.

#include "doctor/finding.h"
#include "host/crio_config.h"

namespace edgecrew::doctor {

// Each key the files set whose value differs in `running` (CRI-O's GET /config): warn, naming
// the keys and whether a SIGHUP applies them or CRI-O must restart; pass when none differs.
Outcome compare_applied(const host::CrioConfig& files, const host::CrioConfig& running);

}  // namespace edgecrew::doctor
