// Section "network".
#include "doctor/check.h"

namespace edgecrew::doctor {

std::vector<Check> network_checks() {
  return {};
}

}  // namespace edgecrew::doctor
