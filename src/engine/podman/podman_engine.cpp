#include "engine/podman/podman_engine.h"

#include <fmt/format.h>
#include <stdlib.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <system_error>
#include <thread>
#include <utility>

#include "engine/podman/build_context.h"
#include "engine/podman/podman_mapping.h"
#include "engine/podman/podman_protocol.h"
#include "util/clock.h"
#include "util/fs.h"
#include "util/sha256.h"

namespace edgecrew::engine::podman {

namespace {

using nlohmann::json;

constexpr std::chrono::milliseconds k_poll_interval{50};
// libpod's state names (define.ContainerStatus), and the Docker API's "restarting" and "dead".
ContainerState parse_state(const std::string& state) {
  if (state == "running") return ContainerState::running;
  if (state == "paused") return ContainerState::paused;
  if (state == "created" || state == "configured" || state == "initialized") {
    return ContainerState::created;
  }
  if (state == "exited" || state == "stopped") return ContainerState::exited;
  if (state == "stopping") return ContainerState::stopping;
  if (state == "removing") return ContainerState::removing;
  if (state == "restarting") return ContainerState::restarting;
  if (state == "dead") return ContainerState::dead;
  return ContainerState::unknown;
}

// libpod gives image ids as bare hex; the interface compares "sha256:<hex>" (as ImageInfo::id).
std::string image_digest(const std::string& id) {
  if (id.empty() || id.find(':') != std::string::npos) return id;
  return "sha256:" + id;
}

std::string format_port(const std::string& host_ip, const std::string& host_port,
                        const std::string& container_port_and_protocol) {
  std::string out;
  if (!host_ip.empty()) out = host_ip + ":";
  return out + host_port + "->" + container_port_and_protocol;
}

Container container_from_list(const json& item) {
  Container c;
  c.id = json_string(item, "Id");
  if (auto names = item.find("Names");
      names != item.end() && names->is_array() && !names->empty() && names->front().is_string()) {
    c.name = names->front().get<std::string>();
  }
  c.image = json_string(item, "Image");
  c.image_id = image_digest(json_string(item, "ImageID"));
  c.state = parse_state(json_string(item, "State"));
  c.exit_code = static_cast<int>(json_int(item, "ExitCode"));
  const json labels = json_object(item, "Labels");
  c.service = json_string(labels, std::string(k_label_service));
  c.spec_hash = json_string(labels, std::string(k_label_spec_hash));
  const std::int64_t started = json_int(item, "StartedAt");
  if (started > 0) c.started_at = std::chrono::system_clock::from_time_t(started);
  if (auto ports = item.find("Ports"); ports != item.end() && ports->is_array()) {
    for (const auto& p : *ports) {
      c.ports.push_back(format_port(
          json_string(p, "host_ip"), std::to_string(json_int(p, "host_port")),
          fmt::format("{}/{}", json_int(p, "container_port"), json_string(p, "protocol"))));
    }
  }
  return c;
}

Container container_from_inspect(const json& item) {
  Container c;
  c.id = json_string(item, "Id");
  c.name = json_string(item, "Name");
  c.image = json_string(item, "ImageName");
  c.image_id = image_digest(json_string(item, "Image"));
  const json config = json_object(item, "Config");
  const json labels = json_object(config, "Labels");
  c.service = json_string(labels, std::string(k_label_service));
  c.spec_hash = json_string(labels, std::string(k_label_spec_hash));
  const json state = json_object(item, "State");
  c.state = parse_state(json_string(state, "Status"));
  c.exit_code = static_cast<int>(json_int(state, "ExitCode"));
  // Podman writes "Health"; some releases wrote "Healthcheck" instead: read either.
  json health = json_object(state, "Health");
  if (health.empty()) health = json_object(state, "Healthcheck");
  c.health = json_string(health, "Status");
  if (auto started = parse_rfc3339(json_string(state, "StartedAt"))) c.started_at = *started;
  const json ports = json_object(json_object(item, "NetworkSettings"), "Ports");
  for (const auto& [key, bindings] : ports.items()) {
    if (!bindings.is_array()) continue;
    for (const auto& b : bindings) {
      c.ports.push_back(format_port(json_string(b, "HostIp"), json_string(b, "HostPort"), key));
    }
  }
  return c;
}

// How a streamed answer ended: all of it read (or the reader stopped), or cancelled for being idle.
enum class StreamEnd { finished, stalled };

// Sends `request` and hands each line of its streamed answer (JSON lines: a pull's or a build's
// events) to `on_line`, which returns false to stop reading; a last line without a newline goes
// too, unless reading stopped. The stream is cancelled once nothing arrives for `idle`: an image
// has no size limit, so silence is the only sign of a hung Podman. An Error names `what` and
// `shown` (the route) when the request fails or the status is not 2xx.
Result<StreamEnd> stream_lines(const net::HttpRequest& request, std::string_view shown,
                               const std::string& what, std::chrono::milliseconds idle,
                               const std::function<bool(std::string_view line)>& on_line) {
  LineSplitter lines;
  auto last_event = SteadyClock::now();
  bool stalled = false;
  bool stopped = false;
  auto on_piece = [&](std::string_view piece) {
    last_event = SteadyClock::now();
    stopped = !lines.feed(piece, on_line);
    return !stopped;
  };
  auto cancelled = [&] {
    stalled = SteadyClock::now() - last_event >= idle;
    return stalled;
  };
  auto response = net::http_stream(request, on_piece, cancelled);
  if (!response) {
    return Error{response.error().kind,
                 fmt::format("{}: podman API {} {}: {}", what, request.method, shown,
                             response.error().message)};
  }
  if (response->status < 200 || response->status >= 300) return api_error(*response, what);
  if (!stopped && !lines.rest().empty()) on_line(lines.rest());
  return stalled ? StreamEnd::stalled : StreamEnd::finished;
}

}  // namespace

PodmanEngine::PodmanEngine(PodmanEndpoint endpoint, PodmanTimeouts timeouts)
    : m_endpoint(std::move(endpoint)), m_timeouts(timeouts) {}

Result<net::HttpResponse> PodmanEngine::call(const std::string& method, const std::string& path,
                                             const std::string& body,
                                             std::chrono::milliseconds timeout) {
  net::HttpRequest request;
  request.method = method;
  request.url = fmt::format("http://d{}{}", k_api_prefix, path);
  request.unix_socket = m_endpoint.socket;
  request.connect_timeout = m_timeouts.connect;
  request.timeout = timeout;
  if (!body.empty()) {
    request.headers.emplace_back("Content-Type", "application/json");
    request.body = body;
  }
  auto response = net::http_request(request);
  if (!response) {
    return Error{response.error().kind,
                 fmt::format("podman API {} {}: {}", method, path, response.error().message)};
  }
  return response;
}

Result<bool> PodmanEngine::exists(const std::string& path, const std::string& what) {
  auto response = call("GET", path, "", m_timeouts.call);
  if (!response) return response.error();
  if (response->status == 204) return true;
  if (response->status == 404) return false;
  return api_error(*response, what);
}

Result<std::vector<Container>> PodmanEngine::list(const std::string& project) {
  const json filters = {{"label", {fmt::format("{}={}", k_label_project, project)}}};
  auto response = call("GET", "/containers/json?all=true&filters=" + query_escape(filters.dump()),
                       "", m_timeouts.call);
  if (!response) return response.error();
  const std::string what = fmt::format("listing the containers of project {}", project);
  if (response->status != 200) return api_error(*response, what);
  auto body = parse_body(*response, what);
  if (!body) return body.error();
  std::vector<Container> out;
  if (!body->is_array()) return out;
  for (const auto& item : *body) out.push_back(container_from_list(item));
  return out;
}

Result<Container> PodmanEngine::inspect(const std::string& id) {
  auto response = call("GET", "/containers/" + query_escape(id) + "/json", "", m_timeouts.call);
  if (!response) return response.error();
  const std::string what = "inspecting container " + id;
  if (response->status != 200) return api_error(*response, what);
  auto body = parse_body(*response, what);
  if (!body) return body.error();
  return container_from_inspect(*body);
}

Result<RuntimeSpec> PodmanEngine::runtime_spec(const std::string& id) {
  auto response = call("GET", "/containers/" + query_escape(id) + "/json", "", m_timeouts.call);
  if (!response) return response.error();
  const std::string what = "inspecting container " + id;
  if (response->status != 200) return api_error(*response, what);
  auto body = parse_body(*response, what);
  if (!body) return body.error();
  // Podman writes the spec it hands the OCI runtime to a file its inspect names.
  std::string path = json_string(*body, "OCIConfigPath");
  if (path.empty()) return Error{ErrorKind::not_found, what + ": no OCIConfigPath"};
  auto text = read_file(path);
  if (!text) {
    return Error{text.error().kind,
                 "cannot read the container's OCI config " + path + ": " + text.error().message};
  }
  return runtime_spec_from_json(*text, "the OCI config " + path);
}

Result<std::optional<ImageInfo>> PodmanEngine::image(const std::string& image) {
  // The image route takes the whole reference, slashes included, as its last path element.
  auto response = call("GET", "/images/" + image + "/json", "", m_timeouts.call);
  if (!response) return response.error();
  if (response->status == 404) return std::optional<ImageInfo>();
  const std::string what = "inspecting image " + image;
  if (response->status != 200) return api_error(*response, what);
  auto body = parse_body(*response, what);
  if (!body) return body.error();
  ImageInfo info;
  // libpod's Id is the config digest's bare hex; the interface compares "sha256:<hex>".
  info.id = json_string(*body, "Id");
  if (info.id.empty()) return Error{ErrorKind::io, what + ": Podman's answer has no Id"};
  info.id = image_digest(info.id);
  if (auto digests = body->find("RepoDigests"); digests != body->end() && digests->is_array()) {
    for (const auto& d : *digests) {
      if (d.is_string()) info.repo_digests.push_back(d.get<std::string>());
    }
  }
  info.size = json_int(*body, "Size");
  if (auto config = body->find("Config"); config != body->end() && config->is_object()) {
    if (auto env = config->find("Env"); env != config->end() && env->is_array()) {
      for (const auto& e : *env) {
        if (e.is_string()) info.env.push_back(e.get<std::string>());
      }
    }
    if (auto labels = config->find("Labels"); labels != config->end() && labels->is_object()) {
      for (const auto& [key, value] : labels->items()) {
        if (value.is_string()) info.labels[key] = value.get<std::string>();
      }
    }
  }
  return std::optional<ImageInfo>(std::move(info));
}

Result<ImageStore> PodmanEngine::image_store() {
  auto response = call("GET", "/info", "", m_timeouts.call);
  if (!response) return response.error();
  const std::string what = "reading Podman's /info";
  if (response->status != 200) return api_error(*response, what);
  auto body = parse_body(*response, what);
  if (!body) return body.error();
  const json store = json_object(*body, "store");
  ImageStore out;
  out.kind = StoreKind::containers_storage;
  out.driver = json_string(store, "graphDriverName");
  out.graphroot = json_string(store, "graphRoot");
  out.runroot = json_string(store, "runRoot");
  out.found_by = "libpod /info on " + m_endpoint.socket;
  if (out.graphroot.empty()) {
    return Error{ErrorKind::io, what + ": it names no store.graphRoot"};
  }
  return out;
}

Status PodmanEngine::pull_image(const std::string& image, const ProgressSink& progress) {
  const std::string what = "pulling image " + image;
  // The compat route, for its per-layer events; the tag (or digest) goes separately, and is
  // never empty, since an empty one asks Docker's API for every tag of the repository.
  const PullReference ref = split_reference(image);
  const std::string path = fmt::format("/images/create?fromImage={}&tag={}", query_escape(ref.name),
                                       query_escape(ref.tag_or_digest));
  net::HttpRequest request;
  request.method = "POST";
  request.url = fmt::format("http://d{}{}", k_compat_prefix, path);
  request.unix_socket = m_endpoint.socket;
  request.connect_timeout = m_timeouts.connect;

  // The status is 200 before the outcome is known: a failure is an {"error": ...} line.
  std::optional<std::string> failed;
  auto on_line = [&](std::string_view line) {
    auto message = parse_pull_message(line);
    if (!message) return true;
    if (!message->error.empty()) {
      failed = message->error;
      return false;
    }
    if (progress && !message->progress.status.empty()) progress(message->progress);
    return true;
  };
  auto end = stream_lines(request, path, what, m_timeouts.pull, on_line);
  if (!end) return end.error();
  if (failed) {
    // The registry's "manifest unknown" / "name unknown": no such image or tag there.
    const bool missing = failed->find("manifest unknown") != std::string::npos ||
                         failed->find("name unknown") != std::string::npos;
    return Error{missing ? ErrorKind::not_found : ErrorKind::unavailable,
                 fmt::format("{}: {}", what, *failed)};
  }
  if (*end == StreamEnd::stalled) {
    return Error{ErrorKind::timeout,
                 fmt::format("{}: stalled, Podman reported no progress for {}; cancelled", what,
                             m_timeouts.pull.count() % 1000 == 0
                                 ? fmt::format("{} s", m_timeouts.pull.count() / 1000)
                                 : fmt::format("{} ms", m_timeouts.pull.count()))};
  }
  if (progress) progress({.layer = "", .status = "pulled " + image});
  return Ok{};
}

Result<Engine::Built> PodmanEngine::build_image(const stack::Build& build, const std::string& tag,
                                                const BuildSink& output) {
  const std::string what = "building image " + tag;
  auto context = pack_context(build);
  if (!context) return Error{context.error().kind, what + ": " + context.error().message};
  // What the image is made of: the context as sent, and every setting but the tag.
  stack::Build labelled = build;
  labelled.labels[std::string(k_label_build_hash)] =
      sha256_hex(context->tar + '\0' + build_query(build, "", context->dockerfile));
  // no_cache and pull (a newer base image) ask for a build whatever the inputs.
  if (!build.no_cache && !build.pull) {
    auto existing = image(tag);
    if (!existing) return Error{existing.error().kind, what + ": " + existing.error().message};
    const std::string key(k_label_build_hash);
    if (*existing && (*existing)->labels[key] == labelled.labels[key]) return Built::unchanged;
  }
  const std::string path = "/build?" + build_query(labelled, tag, context->dockerfile);
  net::HttpRequest request;
  request.method = "POST";
  request.url = fmt::format("http://d{}{}", k_api_prefix, path);
  request.unix_socket = m_endpoint.socket;
  request.connect_timeout = m_timeouts.connect;
  request.headers = {{"Content-Type", "application/x-tar"}};
  request.body = std::move(context->tar);

  BuildLog log;
  auto on_line = [&](std::string_view line) {
    log.feed(line, output);
    return true;
  };
  auto end = stream_lines(request, "/build", what, m_timeouts.build_idle, on_line);
  if (!end) return end.error();
  log.finish(output);
  if (!log.error().empty()) {
    std::string message = fmt::format("{}: {}", what, log.error());
    if (!log.step().empty()) {
      message += fmt::format("\n  failed at {}", log.step());
      for (const auto& line : log.step_output()) message += "\n  | " + line;
    }
    return Error{ErrorKind::invalid_input, message};
  }
  if (*end == StreamEnd::stalled) {
    return Error{ErrorKind::timeout,
                 fmt::format("{}: Podman reported nothing for {} s{}; cancelled", what,
                             m_timeouts.build_idle.count() / 1000,
                             log.step().empty() ? "" : " during " + log.step())};
  }
  return Built::built;
}

Result<std::optional<json>> PodmanEngine::get_json(const std::string& path,
                                                   const std::string& what) {
  auto response = call("GET", path, "", m_timeouts.call);
  if (!response) return response.error();
  if (response->status == 404) return std::optional<json>();
  if (response->status != 200) return api_error(*response, what);
  auto body = parse_body(*response, what);
  if (!body) return body.error();
  return std::optional<json>(std::move(*body));
}

Result<std::string> PodmanEngine::create(const Workload& workload) {
  if (workload.stack == nullptr || workload.service == nullptr) {
    return Error{ErrorKind::internal, "PodmanEngine::create: a workload without a service"};
  }
  const stack::Service& service = *workload.service;
  if (Status net = ensure_service_networks(workload); !net) return net.error();
  auto anonymous = anonymous_volumes(workload);
  if (!anonymous) return anonymous.error();
  PodmanSpec spec = map_service(service, *workload.stack, workload.spec_hash, *anonymous);
  auto response = call("POST", "/containers/create", spec.body.dump(), m_timeouts.call);
  if (!response) return response.error();
  const std::string what = "creating the container of service " + service.name;
  if (response->status != 201 && response->status != 200) return api_error(*response, what);
  auto body = parse_body(*response, what);
  if (!body) return body.error();
  std::string id = json_string(*body, "Id");
  if (id.empty()) return Error{ErrorKind::io, what + ": Podman's answer has no Id"};
  return id;
}

Result<std::string> PodmanEngine::version() {
  auto response = call("GET", "/_ping", "", m_timeouts.call);
  if (!response) return response.error();
  if (const std::string* server = response->header("Server")) {
    constexpr std::string_view k_prefix = "Libpod/";  // "Libpod/4.3.1 (linux)"
    if (server->starts_with(k_prefix)) {
      std::string v = server->substr(k_prefix.size());
      return v.substr(0, v.find(' '));
    }
  }
  if (const std::string* v = response->header("Libpod-Api-Version")) return *v;
  return Error{ErrorKind::not_found, "Podman's _ping answer names no version"};
}

Status PodmanEngine::start(const std::string& id) {
  const std::string path = "/containers/" + query_escape(id);
  auto response = call("POST", path + "/start", "", m_timeouts.call);
  if (!response) return response.error();
  // 304: it runs already.
  if (response->status == 204 || response->status == 304) return Ok{};
  // A container that is still stopping (a stop from elsewhere) cannot start yet: wait until it
  // has stopped, at most a stop's margin, and start it then.
  auto inspected = inspect(id);
  if (inspected && inspected->state == ContainerState::stopping) {
    auto waited = call("POST", path + "/wait?condition=exited&condition=stopped&interval=100ms", "",
                       m_timeouts.stop_margin);
    if (!waited) return waited.error();
    response = call("POST", path + "/start", "", m_timeouts.call);
    if (!response) return response.error();
    if (response->status == 204 || response->status == 304) return Ok{};
  }
  return api_error(*response, "starting container " + id);
}

Status PodmanEngine::unpause(const std::string& id) {
  auto response = call("POST", "/containers/" + query_escape(id) + "/unpause", "", m_timeouts.call);
  if (!response) return response.error();
  if (response->status == 204 || response->status == 200) return Ok{};
  return api_error(*response, "unpausing container " + id);
}

Status PodmanEngine::stop(const std::string& id, std::chrono::milliseconds grace,
                          const std::string& signal) {
  const std::string path = "/containers/" + query_escape(id);
  const std::string what = "stopping container " + id;
  auto inspected = call("GET", path + "/json", "", m_timeouts.call);
  if (!inspected) return inspected.error();
  if (container_is_gone(*inspected)) return Ok{};
  if (inspected->status != 200) return api_error(*inspected, what);
  auto body = parse_body(*inspected, what);
  if (!body) return body.error();
  const ContainerState state = parse_state(json_string(json_object(*body, "State"), "Status"));
  if (state != ContainerState::running && state != ContainerState::paused) return Ok{};
  // A paused container's processes are frozen: a signal waits for them, and Podman refuses to
  // stop it ("container state improper"). Resumed first, it stops as a running one does.
  if (state == ContainerState::paused) {
    if (Status resumed = unpause(id); !resumed) return resumed.error();
  }
  const std::string policy =
      json_string(json_object(json_object(*body, "HostConfig"), "RestartPolicy"), "Name");
  const bool restarts = !policy.empty() && policy != "no";
  const std::string sig = signal.empty() ? std::string("SIGTERM") : signal;

  if (restarts && signal_number(sig) == SIGTERM) {
    // Podman's own stop marks the container stopped by the user before it signals it, so that its
    // restart policy does not bring it back; a kill would not. Podman 4.3 runs only a few such
    // stops at once (7 on 2 cores), which is why containers without a restart policy go below.
    auto seconds = std::chrono::ceil<std::chrono::seconds>(grace);
    auto response = call(
        "POST", fmt::format("{}/stop?timeout={}", path, seconds.count()), "",
        std::chrono::duration_cast<std::chrono::milliseconds>(seconds) + m_timeouts.stop_margin);
    if (!response) return response.error();
    if (response->status == 204 || response->status == 304 || container_is_gone(*response)) {
      return Ok{};
    }
    return api_error(*response, what);
  }

  // The signal through kill, the grace period waited here, then a stop with no timeout (SIGKILL,
  // and the container marked stopped): Podman 4.3's stop with a timeout holds one of a few
  // workers for the whole grace period, so 10 stops sent together took two grace periods.
  auto killed = call("POST", path + "/kill?signal=" + query_escape(sig), "", m_timeouts.call);
  if (!killed) return killed.error();
  // 409: it is not running (any more); gone: removed meanwhile.
  if (killed->status == 409 || container_is_gone(*killed)) return Ok{};
  if (killed->status != 204 && killed->status != 200) return api_error(*killed, what);
  if (grace > std::chrono::milliseconds(0)) {
    // libpod's wait returns once the container reaches a condition; it polls on its side, so
    // many containers waited for at once cost one request each rather than an inspect per poll.
    auto waited =
        call("POST", path + "/wait?condition=exited&condition=stopped&interval=100ms", "", grace);
    if (!waited && waited.error().kind != ErrorKind::timeout) return waited.error();
  }
  auto response =
      call("POST", path + "/stop?timeout=0", "", m_timeouts.call + m_timeouts.stop_margin);
  if (!response) return response.error();
  // 304: it had exited already.
  if (response->status == 204 || response->status == 304 || container_is_gone(*response)) {
    return Ok{};
  }
  return api_error(*response, what);
}

Status PodmanEngine::remove(const std::string& id) {
  // The planner stops a container, with its grace period, before it removes it: one still running
  // here is killed at once (timeout=0) rather than given the container's stop timeout again.
  auto response =
      call("DELETE", "/containers/" + query_escape(id) + "?force=true&v=false&timeout=0", "",
           m_timeouts.call + m_timeouts.stop_margin);
  if (!response) return response.error();
  if (response->status == 200 || response->status == 204 || container_is_gone(*response)) {
    return Ok{};
  }
  return api_error(*response, "removing container " + id);
}

Result<ExecResult> PodmanEngine::exec(const std::string& id, const std::vector<std::string>& argv,
                                      std::chrono::milliseconds timeout) {
  const std::string what = fmt::format("running `{}` in container {}", fmt::join(argv, " "), id);
  const json create = {{"AttachStdout", true}, {"AttachStderr", true}, {"Cmd", argv}};
  auto created =
      call("POST", "/containers/" + query_escape(id) + "/exec", create.dump(), m_timeouts.call);
  if (!created) return created.error();
  if (created->status != 201 && created->status != 200) return api_error(*created, what);
  auto created_body = parse_body(*created, what);
  if (!created_body) return created_body.error();
  const std::string exec_id = json_string(*created_body, "Id");

  Deadline deadline(timeout);
  const json start = {{"Detach", false}, {"Tty", false}};
  auto started = call("POST", "/exec/" + exec_id + "/start", start.dump(), timeout);
  if (!started) return started.error();
  if (started->status != 200) return api_error(*started, what);
  auto frames = demultiplex(started->body);
  if (!frames) return Error{frames.error().kind, what + ": " + frames.error().message};
  ExecResult result;
  for (int stream : {1, 2}) {
    for (const auto& frame : *frames) {
      if (frame.stream == stream) result.output += frame.data;
    }
  }
  // The stream ends when the process does; the session may record its exit code a moment later.
  while (true) {
    auto inspected = call("GET", "/exec/" + exec_id + "/json", "", m_timeouts.call);
    if (!inspected) return inspected.error();
    if (inspected->status != 200) return api_error(*inspected, what);
    auto body = parse_body(*inspected, what);
    if (!body) return body.error();
    if (!json_bool(*body, "Running")) {
      result.exit_code = static_cast<int>(json_int(*body, "ExitCode"));
      return result;
    }
    if (deadline.expired()) {
      return Error{ErrorKind::timeout,
                   fmt::format("{}: still running after {} ms", what, timeout.count())};
    }
    std::this_thread::sleep_for(k_poll_interval);
  }
}

Status PodmanEngine::logs(const std::string& id, const LogOptions& options, const LogSink& sink) {
  const std::string what = "reading the logs of container " + id;
  std::string path = "/containers/" + query_escape(id) + "/logs?stdout=true&stderr=true";
  if (options.tail) path += fmt::format("&tail={}", *options.tail);
  if (options.follow) path += "&follow=true";

  // A line may span frames: each stream's unfinished line waits for its newline.
  std::string pending[3];
  auto on_frame = [&](const StreamFrame& frame) {
    const int s = frame.stream == 2 ? 2 : 1;
    const std::string_view name = s == 2 ? "stderr" : "stdout";
    pending[s] += frame.data;
    std::size_t begin = 0;
    for (std::size_t nl; (nl = pending[s].find('\n', begin)) != std::string::npos; begin = nl + 1) {
      if (!sink(name, std::string_view(pending[s]).substr(begin, nl - begin))) return false;
    }
    pending[s].erase(0, begin);
    return true;
  };
  FrameDecoder decoder;
  bool stopped = false;  // the sink said so
  std::optional<Error> bad_stream;
  auto on_piece = [&](std::string_view piece) {
    auto more = decoder.feed(piece, on_frame);
    if (!more) {
      bad_stream = more.error();
      return false;
    }
    stopped = !*more;
    return *more;
  };

  net::HttpRequest request;
  request.url = fmt::format("http://d{}{}", k_api_prefix, path);
  request.unix_socket = m_endpoint.socket;
  request.connect_timeout = m_timeouts.connect;
  request.timeout = m_timeouts.call;
  // Without follow, the whole answer within the call timeout; with it, as long as the container
  // runs: libpod ends the stream when the container stops, after the last lines.
  auto response = options.follow ? net::http_stream(request, on_piece) : net::http_request(request);
  if (!response) {
    return Error{response.error().kind,
                 fmt::format("podman API GET {}: {}", path, response.error().message)};
  }
  if (response->status != 200) return api_error(*response, what);
  if (!options.follow) on_piece(response->body);
  if (bad_stream) return Error{ErrorKind::io, what + ": " + bad_stream->message};
  if (stopped) return Ok{};
  if (decoder.mid_frame()) return Error{ErrorKind::io, what + ": the stream ends inside a frame"};
  for (int s : {1, 2}) {
    if (!pending[s].empty() && !sink(s == 2 ? "stderr" : "stdout", pending[s])) return Ok{};
  }
  return Ok{};
}

}  // namespace edgecrew::engine::podman
