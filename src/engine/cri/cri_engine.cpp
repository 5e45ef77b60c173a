#include "engine/cri/cri_engine.h"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <future>
#include <nlohmann/json.hpp>
#include <set>
#include <system_error>
#include <utility>

#include "engine/cri/cri_logs.h"
#include "engine/cri/crio_http.h"
#include "stack/normalize.h"
#include "util/strings.h"

namespace edgecrew::engine::cri {

namespace {

namespace fs = std::filesystem;

ContainerState to_state(v1::ContainerState state) {
  switch (state) {
    case v1::CONTAINER_CREATED:
      return ContainerState::created;
    case v1::CONTAINER_RUNNING:
      return ContainerState::running;
    case v1::CONTAINER_EXITED:
      return ContainerState::exited;
    default:
      return ContainerState::unknown;
  }
}

std::chrono::system_clock::time_point from_nanoseconds(std::int64_t ns) {
  if (ns <= 0) return {};
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::nanoseconds(ns)));
}

std::string label(const google::protobuf::Map<std::string, std::string>& labels,
                  std::string_view key) {
  auto found = labels.find(std::string(key));
  return found == labels.end() ? std::string() : found->second;
}

std::string pod_name(const v1::PodSandboxMetadata& metadata) {
  return metadata.namespace_() + "_" + metadata.name();
}

// The image id in a container's image_ref: containerd lists the config digest ("sha256:<hex>"),
// while its ContainerStatus may give a repository digest ("name@sha256:...") instead, which is
// not the image's id; a bare 64-hex id (CRI-O) gets the prefix. "" when it is no id.
std::string image_id_of(const std::string& ref) {
  if (ref.find('@') != std::string::npos) return {};
  if (ref.starts_with("sha256:")) return ref;
  if (ref.size() == 64 && ref.find_first_not_of("0123456789abcdef") == std::string::npos) {
    return "sha256:" + ref;
  }
  return {};
}

// What ContainerStatus tells, onto a Container.
void apply_status(const v1::ContainerStatus& status, Container& c) {
  c.id = status.id();
  c.state = to_state(status.state());
  c.exit_code = status.exit_code();
  c.started_at = from_nanoseconds(status.started_at());
  if (!status.image().image().empty()) c.image = status.image().image();
  if (std::string id = image_id_of(status.image_ref()); !id.empty()) c.image_id = id;
  c.service = label(status.labels(), k_label_service);
  c.spec_hash = label(status.labels(), k_label_spec_hash);
}

// A pod without a container (a create that failed half-way): listed, so that up makes it again
// and down removes it.
Container from_sandbox(const v1::PodSandbox& pod) {
  Container c;
  c.id = pod.id();
  c.name = pod_name(pod.metadata());
  c.service = label(pod.labels(), k_label_service);
  c.spec_hash = label(pod.labels(), k_label_spec_hash);
  c.state = ContainerState::unknown;
  c.started_at = from_nanoseconds(pod.created_at());
  c.sandbox_id = pod.id();
  c.runtime_handler = pod.runtime_handler();
  return c;
}

bool is_unknown_handler(const Error& error) {
  return error.message.find("no runtime for") != std::string::npos ||
         error.message.find("RuntimeHandler") != std::string::npos ||
         error.message.find("runtime handler") != std::string::npos;
}

// A pod on the pod network needs a CNI plugin to be set up and torn down; without one containerd
// keeps the failed sandbox until it can tear its network down.
Error with_network_hint(Error error, const std::string& service) {
  if (error.message.find("cni") == std::string::npos &&
      error.message.find("CNI") == std::string::npos) {
    return error;
  }
  error.message += fmt::format(
      " (service {} asks for the pod network, which the runtime cannot set up or tear down: "
      "install and configure a CNI plugin, or give the service network_mode: host)",
      service);
  return error;
}

// containerd's CRI reads NamespaceOption.userns_options from 1.7 on; 1.6 drops the field unread
// and would run the pod in the host's user namespace. Its version reads "1.6.20", "v1.6.20" or
// "1.6.20~ds1".
bool drops_userns_options(const v1::VersionResponse& version) {
  if (version.runtime_name() != "containerd") return false;
  std::string text = version.runtime_version();
  if (text.starts_with("v")) text.erase(0, 1);
  int major = 0;
  int minor = 0;
  if (std::sscanf(text.c_str(), "%d.%d", &major, &minor) != 2) return false;
  return major < 1 || (major == 1 && minor < 7);
}

std::chrono::seconds whole_seconds(std::chrono::milliseconds duration, std::int64_t at_least) {
  auto seconds = std::chrono::ceil<std::chrono::seconds>(duration);
  return std::max(seconds, std::chrono::seconds(at_least));
}

}  // namespace

CriEngine::CriEngine(CriEndpoint endpoint, CriEngineOptions options)
    : m_endpoint(std::move(endpoint)),
      m_options(std::move(options)),
      m_client(m_endpoint.socket, m_options.deadlines) {}

std::string CriEngine::resolve(const std::string& id) {
  std::lock_guard lock(m_mutex);
  std::string current = id;
  for (auto found = m_replaced.find(current); found != m_replaced.end();
       found = m_replaced.find(current)) {
    current = found->second;
  }
  return current;
}

void CriEngine::remember_sandbox(const std::string& container_id, const std::string& sandbox_id) {
  std::lock_guard lock(m_mutex);
  m_sandbox_of[container_id] = sandbox_id;
}

Result<std::vector<Container>> CriEngine::list(const std::string& project) {
  v1::PodSandboxFilter pod_filter;
  (*pod_filter.mutable_label_selector())[std::string(k_label_project)] = project;
  auto pods = m_client.list_pod_sandbox(pod_filter);
  if (!pods) return pods.error();
  v1::ContainerFilter container_filter;
  (*container_filter.mutable_label_selector())[std::string(k_label_project)] = project;
  auto listed = m_client.list_containers(container_filter);
  if (!listed) return listed.error();

  std::map<std::string, const v1::PodSandbox*> pod_by_id;
  for (const auto& pod : pods->items()) pod_by_id[pod.id()] = &pod;
  // ListContainers has no exit code nor start time: ContainerStatus for each, side by side.
  std::vector<std::future<Result<v1::ContainerStatusResponse>>> statuses;
  for (const auto& c : listed->containers()) {
    statuses.push_back(std::async(
        std::launch::async, [this, id = c.id()] { return m_client.container_status(id, false); }));
  }
  std::vector<Container> out;
  std::set<std::string> pods_with_container;
  for (int i = 0; i < listed->containers_size(); ++i) {
    const v1::Container& item = listed->containers(i);
    auto status = statuses[static_cast<std::size_t>(i)].get();
    if (!status) {
      if (status.error().kind == ErrorKind::not_found) continue;  // removed meanwhile
      return status.error();
    }
    Container c;
    c.image = item.image().image();
    c.image_id = image_id_of(item.image_ref());
    apply_status(status->status(), c);
    c.sandbox_id = item.pod_sandbox_id();
    remember_sandbox(c.id, c.sandbox_id);
    pods_with_container.insert(item.pod_sandbox_id());
    if (auto pod = pod_by_id.find(item.pod_sandbox_id()); pod != pod_by_id.end()) {
      c.name = pod_name(pod->second->metadata());
      c.runtime_handler = pod->second->runtime_handler();
    } else {
      c.name = item.metadata().name();
    }
    out.push_back(std::move(c));
  }
  for (const auto& pod : pods->items()) {
    if (!pods_with_container.contains(pod.id())) out.push_back(from_sandbox(pod));
  }
  return out;
}

Result<RuntimeSpec> CriEngine::runtime_spec(const std::string& given) {
  const std::string id = resolve(given);
  auto status = m_client.container_status(id, true);
  if (!status) return status.error();
  // containerd and CRI-O put the spec they handed the runtime under info["info"].runtimeSpec.
  auto info = status->info().find("info");
  if (info == status->info().end()) {
    return Error{ErrorKind::unavailable, "the runtime's verbose ContainerStatus has no info"};
  }
  auto parsed = nlohmann::json::parse(info->second, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains("runtimeSpec")) {
    return Error{ErrorKind::unavailable, "no runtimeSpec in the verbose ContainerStatus"};
  }
  return runtime_spec_from_json(parsed["runtimeSpec"].dump(), "the runtimeSpec of " + id);
}

Result<Container> CriEngine::inspect(const std::string& given) {
  const std::string id = resolve(given);
  auto status = m_client.container_status(id, false);
  if (status) {
    Container c;
    apply_status(status->status(), c);
    c.name = status->status().metadata().name();
    return c;
  }
  if (status.error().kind != ErrorKind::not_found) return status.error();
  auto pod = m_client.pod_sandbox_status(id, false);
  if (!pod) return status.error();
  Container c;
  c.id = id;
  c.name = pod_name(pod->status().metadata());
  c.service = label(pod->status().labels(), k_label_service);
  c.spec_hash = label(pod->status().labels(), k_label_spec_hash);
  c.sandbox_id = id;
  c.runtime_handler = pod->status().runtime_handler();
  return c;
}

Result<std::optional<ImageInfo>> CriEngine::image(const std::string& image) {
  auto status = m_client.image_status(image);
  if (!status) return status.error();
  if (!status->has_image()) return std::optional<ImageInfo>();
  const auto& found = status->image();
  ImageInfo info;
  info.id = found.id();
  info.repo_digests.assign(found.repo_digests().begin(), found.repo_digests().end());
  info.size = static_cast<std::int64_t>(found.size());
  return std::optional<ImageInfo>(std::move(info));
}

Result<ImageStore> CriEngine::image_store() {
  // CRI-O keeps its images in containers-storage and says where on GET /info; a runtime that
  // answers no HTTP there (containerd) has its own content store, seen only through the CRI.
  auto info = crio_info(m_endpoint.socket);
  if (info && info->has_value()) {
    const CrioInfo& crio = **info;
    return ImageStore{StoreKind::containers_storage, crio.storage_driver, crio.storage_root, "",
                      "CRI-O GET /info on " + m_endpoint.socket};
  }
  auto version = m_client.version();
  if (!version) return version.error();
  return ImageStore{
      version->runtime_name() == "cri-o" ? StoreKind::containers_storage : StoreKind::containerd,
      "", "", "",
      fmt::format("{} {} on {}", version->runtime_name(), version->runtime_version(),
                  m_endpoint.socket)};
}

Status CriEngine::pull_image(const std::string& image, const ProgressSink& progress) {
  // PullImage is one call with no progress of its own: the display gets its start and its end.
  if (progress) progress({.layer = "", .status = "pulling through the CRI runtime"});
  auto pulled = m_client.pull_image(image);
  if (!pulled) return pulled.error();
  if (progress) progress({.layer = "", .status = "pulled " + pulled->image_ref()});
  return Ok{};
}

Status CriEngine::ensure_volume(const stack::Volume& volume, const std::string& /*project*/) {
  if (volume.external) return Ok{};
  const fs::path path = volume_host_path(volume, m_options.mapping);
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) {
    return Error{error_kind_from_errno(ec.value()),
                 fmt::format("cannot create the folder of volume {} at {}: {} (set "
                             "EDGECREW_CRI_DATA_ROOT to a writable folder)",
                             volume.name, path.string(), ec.message())};
  }
  return Ok{};
}

Result<bool> CriEngine::remove_volume(const stack::Volume& volume) {
  if (volume.external) return false;  // not edgecrew's data to delete
  const fs::path path = volume_host_path(volume, m_options.mapping);
  std::error_code ec;
  const std::uintmax_t removed = fs::remove_all(path, ec);
  if (ec) {
    return Error{error_kind_from_errno(ec.value()),
                 fmt::format("cannot remove the folder of volume {} at {}: {}", volume.name,
                             path.string(), ec.message())};
  }
  return removed > 0;
}

// The CRI mapping mounts no anonymous volume (it says so in its unmapped notes): none to remove.
Result<std::vector<std::string>> CriEngine::remove_anonymous_volumes(const std::string&) {
  return std::vector<std::string>{};
}

// A pod joins the runtime's one pod network (CNI); there are no project networks to create.
Status CriEngine::ensure_networks(const stack::Stack&, const std::vector<const stack::Service*>&) {
  return Ok{};
}

Result<NetworksRemoved> CriEngine::remove_networks(const stack::Stack&) {
  return NetworksRemoved{};
}

Status CriEngine::remove_pod(const std::string& sandbox_id) {
  v1::ContainerFilter filter;
  filter.set_pod_sandbox_id(sandbox_id);
  auto containers = m_client.list_containers(filter);
  if (!containers) return containers.error();
  for (const auto& c : containers->containers()) {
    if (c.state() == v1::CONTAINER_RUNNING) {
      if (auto stopped = m_client.stop_container(c.id(), std::chrono::seconds(0));
          !stopped && stopped.error().kind != ErrorKind::not_found) {
        return stopped.error();
      }
    }
    if (auto removed = m_client.remove_container(c.id());
        !removed && removed.error().kind != ErrorKind::not_found) {
      return removed.error();
    }
  }
  // A sandbox whose network never came up cannot be stopped cleanly ("cni plugin not
  // initialized" on teardown), yet may still be removed: try, and report the stop's error only
  // when the removal fails too.
  auto stopped = m_client.stop_pod_sandbox(sandbox_id);
  auto removed = m_client.remove_pod_sandbox(sandbox_id);
  if (removed || removed.error().kind == ErrorKind::not_found) return Ok{};
  if (!stopped && stopped.error().kind != ErrorKind::not_found) {
    return Error{stopped.error().kind, stopped.error().message + "; " + removed.error().message};
  }
  return removed.error();
}

Status CriEngine::remove_service_pods(const std::string& project, const std::string& service) {
  v1::PodSandboxFilter filter;
  (*filter.mutable_label_selector())[std::string(k_label_project)] = project;
  (*filter.mutable_label_selector())[std::string(k_label_service)] = service;
  auto pods = m_client.list_pod_sandbox(filter);
  if (!pods) return pods.error();
  for (const auto& pod : pods->items()) {
    if (auto removed = remove_pod(pod.id()); !removed) return removed;
  }
  return Ok{};
}

Status CriEngine::check_userns_support(const CriSpec& spec, const std::string& service) {
  const auto& namespaces = spec.pod.linux().security_context().namespace_options();
  if (!namespaces.has_userns_options() || namespaces.userns_options().mode() != v1::POD) {
    return Ok{};
  }
  auto version = m_client.version();
  if (!version) return version.error();
  if (!drops_userns_options(*version)) return Ok{};
  return Error{
      ErrorKind::invalid_input,
      fmt::format("service {} asks for a private user namespace (userns_mode), which {} "
                  "{} on {} does not read from the CRI: the pod would run in the host's "
                  "user namespace (containerd 1.7 or later, or CRI-O, have it; or use "
                  "the Podman engine)",
                  service, version->runtime_name(), version->runtime_version(), m_endpoint.socket)};
}

Result<std::string> CriEngine::create(const Workload& workload) {
  if (workload.stack == nullptr || workload.service == nullptr) {
    return Error{ErrorKind::internal, "CriEngine::create: a workload without a service"};
  }
  const stack::Stack& stack = *workload.stack;
  const stack::Service& service = *workload.service;
  auto mapped = map_service(service, stack, m_options.mapping);
  if (!mapped) return mapped.error();
  CriSpec& spec = *mapped;
  if (!spec.refused.empty()) {
    return Error{ErrorKind::invalid_input,
                 fmt::format("service {} cannot run on the CRI engine: {}", service.name,
                             join(spec.refused, "; "))};
  }
  if (auto userns = check_userns_support(spec, service.name); !userns) return userns.error();
  if (!workload.spec_hash.empty()) {
    (*spec.pod.mutable_labels())[std::string(k_label_spec_hash)] = workload.spec_hash;
    (*spec.container.mutable_labels())[std::string(k_label_spec_hash)] = workload.spec_hash;
  }
  // A pod of this service that is still there holds its name: the remains of a create that
  // failed, or of a container that exited. The planner removed the one it knew about.
  if (auto cleaned = remove_service_pods(stack.name, service.name); !cleaned) {
    return with_network_hint(cleaned.error(), service.name);
  }
  std::error_code ec;
  fs::create_directories(spec.pod.log_directory(), ec);
  // The log file keeps its name from pod to pod: the previous pod's log moves aside (one is kept,
  // as the kubelet keeps the previous container's), so that logs show this container's only.
  const fs::path log_file = fs::path(spec.pod.log_directory()) / spec.container.log_path();
  if (!ec && fs::exists(log_file, ec)) {
    fs::rename(log_file, log_file.string() + ".previous", ec);
  }
  if (ec) {
    return Error{error_kind_from_errno(ec.value()),
                 fmt::format("cannot create the pod log folder {}: {} (set EDGECREW_CRI_LOG_ROOT "
                             "to a writable folder)",
                             spec.pod.log_directory(), ec.message())};
  }

  v1::RunPodSandboxRequest run;
  *run.mutable_config() = spec.pod;
  run.set_runtime_handler(spec.runtime_handler);
  auto pod = m_client.run_pod_sandbox(run);
  if (!pod) {
    if (!spec.runtime_handler.empty() && is_unknown_handler(pod.error())) {
      return Error{ErrorKind::invalid_input,
                   fmt::format("the CRI runtime on {} has no runtime handler \"{}\" (x-edgecrew "
                               "runtime of service {}): {} (add it to the runtime's "
                               "configuration and restart it: CRI-O [crio.runtime.runtimes.{}], "
                               "containerd [plugins.\"io.containerd.grpc.v1.cri\".containerd."
                               "runtimes.{}]; or drop x-edgecrew runtime)",
                               m_endpoint.socket, spec.runtime_handler, service.name,
                               pod.error().message, spec.runtime_handler, spec.runtime_handler)};
    }
    // A sandbox that failed may still hold the pod's name: remove what is left of it now.
    (void)remove_service_pods(stack.name, service.name);
    return with_network_hint(pod.error(), service.name);
  }

  v1::CreateContainerRequest request;
  request.set_pod_sandbox_id(pod->pod_sandbox_id());
  *request.mutable_config() = spec.container;
  *request.mutable_sandbox_config() = spec.pod;
  if (m_options.on_create) m_options.on_create(request);
  auto created = m_client.create_container(request);
  if (!created) {
    // Never leave a pod without its container behind, holding the service's name.
    (void)remove_pod(pod->pod_sandbox_id());
    return created.error();
  }
  remember_sandbox(created->container_id(), pod->pod_sandbox_id());
  return created->container_id();
}

Result<std::string> CriEngine::replace(const std::string& id, const std::string& project,
                                       const std::string& service_name) {
  const stack::Stack* stack = m_options.stack;
  const stack::Service* service =
      stack != nullptr && stack->name == project ? stack->find(service_name) : nullptr;
  if (service == nullptr) {
    return Error{ErrorKind::invalid_input,
                 fmt::format("container {} of service {} has exited, and a CRI container cannot "
                             "be started again; run `edgecrew up` to make a new one",
                             id.substr(0, 12), service_name)};
  }
  auto created = create(Workload{stack, service, stack::spec_hash(*service, *stack)});
  if (!created) return created.error();
  if (auto started = m_client.start_container(*created); !started) return started.error();
  std::lock_guard lock(m_mutex);
  m_replaced[id] = *created;
  return *created;
}

Status CriEngine::start(const std::string& given) {
  const std::string id = resolve(given);
  auto status = m_client.container_status(id, false);
  if (status) {
    const v1::ContainerStatus& s = status->status();
    switch (s.state()) {
      case v1::CONTAINER_CREATED:
        return m_client.start_container(id);
      case v1::CONTAINER_RUNNING:
        return Ok{};
      default: {
        auto replaced =
            replace(id, label(s.labels(), k_label_project), label(s.labels(), k_label_service));
        if (!replaced) return replaced.error();
        return Ok{};
      }
    }
  }
  if (status.error().kind != ErrorKind::not_found) return status.error();
  // A pod without a container, as list reports it.
  auto pod = m_client.pod_sandbox_status(id, false);
  if (!pod) return status.error();
  auto replaced = replace(id, label(pod->status().labels(), k_label_project),
                          label(pod->status().labels(), k_label_service));
  if (!replaced) return replaced.error();
  return Ok{};
}

Status CriEngine::unpause(const std::string& id) {
  return Error{ErrorKind::invalid_input,
               fmt::format("container {}: the CRI has no pause, so there is nothing to unpause "
                           "(a container paused outside the CRI, with the runtime itself, must be "
                           "resumed the same way)",
                           id.substr(0, 12))};
}

Status CriEngine::stop(const std::string& given, std::chrono::milliseconds grace,
                       const std::string& /*signal*/) {
  // The CRI has no signal to choose: the runtime sends the image's STOPSIGNAL (cri_mapping notes
  // stop_signal as unmapped).
  const std::string id = resolve(given);
  auto stopped = m_client.stop_container(id, whole_seconds(grace, 0));
  if (stopped || stopped.error().kind != ErrorKind::not_found) return stopped;
  auto pod = m_client.stop_pod_sandbox(id);
  if (pod || pod.error().kind == ErrorKind::not_found) return Ok{};
  return pod;
}

Status CriEngine::remove(const std::string& given) {
  const std::string id = resolve(given);
  std::string sandbox;
  {
    std::lock_guard lock(m_mutex);
    if (auto found = m_sandbox_of.find(id); found != m_sandbox_of.end()) sandbox = found->second;
  }
  if (!sandbox.empty()) {
    // The pod is known: the container, then its sandbox (which takes any other container with
    // it), as the bare RPC sequence does.
    auto removed = m_client.remove_container(id);
    if (!removed && removed.error().kind != ErrorKind::not_found) return removed;
    auto stopped = m_client.stop_pod_sandbox(sandbox);
    if (!stopped && stopped.error().kind != ErrorKind::not_found) return stopped;
    auto gone = m_client.remove_pod_sandbox(sandbox);
    if (!gone && gone.error().kind != ErrorKind::not_found) return gone;
    return Ok{};
  }
  v1::ContainerFilter filter;
  filter.set_id(id);
  auto found = m_client.list_containers(filter);
  if (!found) return found.error();
  for (const auto& c : found->containers()) {
    if (c.id() == id) return remove_pod(c.pod_sandbox_id());
  }
  return remove_pod(id);  // a pod without a container, or one that is gone already
}

Result<ExecResult> CriEngine::exec(const std::string& given, const std::vector<std::string>& argv,
                                   std::chrono::milliseconds timeout) {
  const std::string id = resolve(given);
  auto response = m_client.exec_sync(id, argv, whole_seconds(timeout, 1));
  if (!response) {
    const Error& error = response.error();
    if (error.kind == ErrorKind::io && error.message.find("timeout") != std::string::npos) {
      return Error{ErrorKind::timeout,
                   fmt::format("running `{}` in container {}: still running after {} ms",
                               fmt::join(argv, " "), id.substr(0, 12), timeout.count())};
    }
    return error;
  }
  ExecResult result;
  result.exit_code = response->exit_code();
  result.output = response->stdout() + response->stderr();
  return result;
}

Status CriEngine::logs(const std::string& given, const LogOptions& options, const LogSink& sink) {
  const std::string id = resolve(given);
  auto status = m_client.container_status(id, false);
  if (!status) return status.error();
  const std::string& path = status->status().log_path();
  if (path.empty()) {
    return Error{ErrorKind::not_found,
                 fmt::format("container {} has no log file (its pod has no log_directory)",
                             id.substr(0, 12))};
  }
  LogFollow follow;
  follow.poll_interval = m_options.log_poll_interval;
  follow.still_running = [this, id]() -> Result<bool> {
    auto now = m_client.container_status(id, false);
    if (!now) {
      if (now.error().kind == ErrorKind::not_found) return false;
      return now.error();
    }
    auto state = now->status().state();
    return state == v1::CONTAINER_RUNNING || state == v1::CONTAINER_CREATED;
  };
  return read_cri_log(path, options, sink, follow);
}

}  // namespace edgecrew::engine::cri
