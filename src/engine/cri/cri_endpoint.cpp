#include "engine/cri/cri_endpoint.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <system_error>

namespace edgecrew::engine::cri {

namespace fs = std::filesystem;

namespace {

fs::path under(const fs::path& root, const std::string& absolute) {
  return root / fs::path(absolute).relative_path();
}

// runtime-endpoint from crictl.yaml: "" when the file or the key is absent.
Result<std::string> crictl_runtime_endpoint(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return std::string();
  try {
    YAML::Node doc = YAML::LoadFile(file.string());
    if (!doc.IsMap() || !doc["runtime-endpoint"]) return std::string();
    return doc["runtime-endpoint"].as<std::string>();
  } catch (const YAML::Exception& e) {
    return Error{ErrorKind::invalid_input,
                 fmt::format("{}: cannot read runtime-endpoint: {}", file.string(), e.what())};
  }
}

Result<CriEndpoint> configured(const std::string& endpoint, const std::string& source) {
  auto path = unix_socket_path(endpoint, source);
  if (!path) return path.error();
  return CriEndpoint{*path, source};
}

}  // namespace

std::string CriEndpoint::describe() const {
  return fmt::format("CRI socket {} ({})", socket, source);
}

Result<std::string> unix_socket_path(const std::string& endpoint, const std::string& where) {
  constexpr std::string_view scheme = "unix://";
  std::string path = endpoint;
  if (path.starts_with(scheme)) path = path.substr(scheme.size());
  if (path.empty() || path.front() != '/') {
    return Error{ErrorKind::invalid_input,
                 fmt::format("{}: \"{}\" is not a unix socket; edgecrew talks to the CRI on its "
                             "local socket only (unix:///run/containerd/containerd.sock)",
                             where, endpoint)};
  }
  return path;
}

Result<CriEndpoint> discover_endpoint(const EndpointInputs& inputs) {
  if (!inputs.flag.empty()) return configured(inputs.flag, "--cri-endpoint");
  if (!inputs.environment.empty()) {
    return configured(inputs.environment, "CONTAINER_RUNTIME_ENDPOINT");
  }
  if (!inputs.stack.empty()) return configured(inputs.stack, "x-edgecrew cri_endpoint");
  const fs::path crictl = under(inputs.root, k_crictl_config);
  auto from_file = crictl_runtime_endpoint(crictl);
  if (!from_file) return from_file.error();
  if (!from_file->empty()) return configured(*from_file, crictl.string());

  std::vector<std::string> tried;
  for (auto [socket, source] : {std::pair{k_crio_socket, "CRI-O's default"},
                                std::pair{k_containerd_socket, "containerd's default"}}) {
    const fs::path path = under(inputs.root, socket);
    std::error_code ec;
    if (fs::is_socket(path, ec)) return CriEndpoint{path.string(), source};
    tried.push_back(path.string());
  }
  return Error{
      ErrorKind::unavailable,
      fmt::format("no CRI runtime found: no --cri-endpoint, no CONTAINER_RUNTIME_ENDPOINT, "
                  "no runtime-endpoint in {}, and neither {} nor {} exists (start CRI-O or "
                  "containerd, or pass --cri-endpoint unix:///PATH)",
                  crictl.string(), tried[0], tried[1])};
}

}  // namespace edgecrew::engine::cri
