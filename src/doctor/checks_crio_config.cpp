// Section "crio-config".
#include "doctor/check.h"

namespace edgecrew::doctor {

std::vector<Check> crio_config_checks() {
  return {};
}

}  // namespace edgecrew::doctor
