#pragma once
// The CDI spec model (CDI specification "Spec", "Device", "ContainerEdits"): what a spec file says,
// with where each part was written, so that checks and `cdi validate` can point at it.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "util/diagnostics.h"

namespace edgecrew::cdi {

struct DeviceNode {
  Location where;
  std::string path;       // in the container
  std::string host_path;  // on the host; "" means the same as `path` (hostPath needs 0.5.0)
  std::string type;       // "", "c", "b", "u", "p"
  std::optional<std::int64_t> major;
  std::optional<std::int64_t> minor;
  std::string permissions;
  // The host path the runtime stats: host_path when set, else path.
  const std::string& source() const { return host_path.empty() ? path : host_path; }
};

struct Mount {
  Location where;
  std::string host_path;
  std::string container_path;
  std::string type;  // needs 0.4.0
  std::vector<std::string> options;
};

struct Hook {
  Location where;
  std::string hook_name;
  std::string path;
  std::vector<std::string> env;
  std::vector<Location> env_at;
};

// A network interface moved into the container (netDevices, needs 1.1.0).
struct NetDevice {
  Location where;
  std::string host_interface_name;
  std::string name;  // in the container
};

// Intel RDT settings (intelRdt, needs 0.7.0; schemata and enableMonitoring need 1.1.0).
struct IntelRdt {
  Location where;
  std::string clos_id;
  bool has_schemata = false;  // present, even as an empty list
  bool enable_monitoring = false;
};

// One annotation, kept for the key rules of the library's schema validator.
struct Annotation {
  Location where;
  std::string key;
  std::string value;
};

struct ContainerEdits {
  Location where;
  std::vector<std::string> env;
  std::vector<Location> env_at;  // where each env entry is written
  std::vector<DeviceNode> device_nodes;
  std::vector<Mount> mounts;
  std::vector<Hook> hooks;
  std::optional<IntelRdt> intel_rdt;  // set when written and not null
  bool has_additional_gids = false;   // needs 0.7.0
  std::vector<NetDevice> net_devices;
  bool empty() const {
    return env.empty() && device_nodes.empty() && mounts.empty() && hooks.empty() && !intel_rdt &&
           !has_additional_gids && net_devices.empty();
  }
};

struct Device {
  Location where;
  std::string name;
  bool has_annotations = false;  // needs 0.6.0
  std::vector<Annotation> annotations;
  ContainerEdits edits;
};

struct Spec {
  std::string file;     // as given (the host path, without the --root prefix)
  std::string version;  // cdiVersion as written
  Location version_at;
  std::string kind;  // "nvidia.com/gpu"
  Location kind_at;
  bool has_annotations = false;  // needs 0.6.0
  Location annotations_at;
  std::vector<Annotation> annotations;
  bool devices_written = false;  // "devices" is present, even as an empty list
  Location devices_at;
  std::vector<Device> devices;
  ContainerEdits edits;  // applied with any device of the spec
};

}  // namespace edgecrew::cdi
