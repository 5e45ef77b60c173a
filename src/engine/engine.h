#pragma once
// The narrow interface both engines implement: Podman over its libpod REST API, the CRI over gRPC.
// The planner speaks only to an Engine; tests use a recording fake. Every call is bounded by the
// engine's own named timeouts and returns an Error (timeout / unavailable / not_found / ...) rather
// than throwing.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stack/model.h"
#include "util/result.h"

namespace edgecrew::engine {

// The labels reconcile reads back: the engine is the state, there is no local state file.
inline constexpr std::string_view k_label_project = "io.edgecrew.project";
inline constexpr std::string_view k_label_service = "io.edgecrew.service";
inline constexpr std::string_view k_label_spec_hash = "io.edgecrew.spec-hash";

// What to run: one service of a stack, as the planner hands it over. Each engine maps the service
// itself (podman_mapping, cri_mapping): there is no third model in between.
struct Workload {
  const stack::Stack* stack = nullptr;
  const stack::Service* service = nullptr;
  std::string spec_hash;  // stack::spec_hash(*service, *stack), stored as k_label_spec_hash
};

enum class ContainerState { created, running, paused, exited, unknown };

const char* to_string(ContainerState state);

struct Container {
  std::string id;
  std::string name;
  std::string service;    // k_label_service
  std::string spec_hash;  // k_label_spec_hash
  std::string image;
  ContainerState state = ContainerState::unknown;
  int exit_code = 0;                                 // when exited
  std::string health;                                // the engine's own healthcheck: "" when none
  std::chrono::system_clock::time_point started_at;  // epoch when never started
  std::vector<std::string> ports;                    // "127.0.0.1:8080->80/tcp"
  std::string sandbox_id;                            // CRI pod sandbox; "" on Podman
  std::string runtime_handler;                       // CRI; "" = the default
};

struct ExecResult {
  int exit_code = 0;
  std::string output;  // stdout then stderr
};

struct LogOptions {
  bool follow = false;
  std::optional<int> tail;  // the last N lines; all when unset
};

// One log line (without its newline) from "stdout" or "stderr"; returning false stops a follow.
using LogSink = std::function<bool(std::string_view stream, std::string_view line)>;
// A line about a long operation (an image pull's layers), for a progress display.
using ProgressSink = std::function<void(std::string_view message)>;

class Engine {
 public:
  virtual ~Engine() = default;

  virtual std::string_view name() const = 0;  // "podman" | "cri"

  // The project's containers (found by k_label_project), whatever their state.
  virtual Result<std::vector<Container>> list(const std::string& project) = 0;
  virtual Result<Container> inspect(const std::string& id) = 0;

  virtual Result<bool> image_present(const std::string& image) = 0;
  virtual Status pull_image(const std::string& image, const ProgressSink& progress) = 0;

  // Creates the volume (labelled with the project) unless it exists; a no-op for external ones.
  virtual Status ensure_volume(const stack::Volume& volume, const std::string& project) = 0;
  virtual Status remove_volume(const stack::Volume& volume) = 0;

  // Creates the workload's container, not started; returns its id.
  virtual Result<std::string> create(const Workload& workload) = 0;
  virtual Status start(const std::string& id) = 0;
  // Sends `signal` ("" = SIGTERM), waits up to `grace`, then kills.
  virtual Status stop(const std::string& id, std::chrono::milliseconds grace,
                      const std::string& signal) = 0;
  // Removes a stopped container (and, on the CRI, its sandbox). Removing one that is gone is OK.
  virtual Status remove(const std::string& id) = 0;

  virtual Result<ExecResult> exec(const std::string& id, const std::vector<std::string>& argv,
                                  std::chrono::milliseconds timeout) = 0;
  virtual Status logs(const std::string& id, const LogOptions& options, const LogSink& sink) = 0;
};

}  // namespace edgecrew::engine
