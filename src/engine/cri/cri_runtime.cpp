#include "engine/cri/cri_runtime.h"

namespace edgecrew::engine::cri {

CriMappingOptions mapping_options_from(const std::map<std::string, std::string>& environment) {
  CriMappingOptions options;
  auto take = [&environment](const char* name, std::string& into) {
    auto found = environment.find(name);
    if (found != environment.end() && !found->second.empty()) into = found->second;
  };
  take("EDGECREW_CRI_DATA_ROOT", options.data_root);
  take("EDGECREW_CRI_LOG_ROOT", options.log_root);
  take("EDGECREW_CRI_CGROUP_PARENT", options.cgroup_parent);
  return options;
}

}  // namespace edgecrew::engine::cri
