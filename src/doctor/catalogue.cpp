#include "doctor/check.h"

namespace edgecrew::doctor {

const std::vector<std::string>& section_order() {
  static const std::vector<std::string> k = {"gpu",      "cdi",     "cri",     "crio-config",
                                             "runtime",  "storage", "network", "images",
                                             "services", "smoke"};
  return k;
}

std::vector<Check> catalogue() {
  std::vector<Check> all;
  for (auto section :
       {gpu_checks, cdi_checks, cri_checks, crio_config_checks, runtime_checks, rootless_checks,
        storage_checks, network_checks, images_checks, services_checks, smoke_checks}) {
    auto checks = section();
    all.insert(all.end(), std::make_move_iterator(checks.begin()),
               std::make_move_iterator(checks.end()));
  }
  return all;
}

}  // namespace edgecrew::doctor
