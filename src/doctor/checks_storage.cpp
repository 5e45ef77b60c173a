// Section "storage".
#include "doctor/check.h"

namespace edgecrew::doctor {

std::vector<Check> storage_checks() {
  return {};
}

}  // namespace edgecrew::doctor
