#pragma once
// The crio-config section's verdict on CRI-O's files, shared with the runtime section, and its
// comparison of the files with what the running CRI-O reports, for the check and its tests.

#include "doctor/facts.h"
#include "doctor/finding.h"
#include "host/crio_config.h"
#include "host/crio_validate.h"

namespace edgecrew::doctor {

// What CRI-O does with its files on this host (host::validate_crio_config), decided once per run
// and shared by the crio-config and runtime sections.
const host::CrioVerdict& crio_verdict(const Facts& facts);

// Each key the files set whose value differs in `running` (CRI-O's GET /config): warn, naming
// the keys and whether a SIGHUP applies them or CRI-O must restart; pass when none differs.
Outcome compare_applied(const host::CrioConfig& files, const host::CrioConfig& running);

}  // namespace edgecrew::doctor
