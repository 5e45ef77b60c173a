#pragma once
// The narrow interface both engines implement: Podman over its libpod REST API, the CRI over gRPC.
// The planner speaks only to an Engine; tests use a recording fake. Every call is bounded by the
// engine's own named timeouts and returns an Error (timeout / unavailable / not_found / ...) rather
// than throwing.

#include <chrono>
#include <cstdint>
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

// The container that stands for `service` among a project's containers: its running one, else its
// most recently started; null when it has none. What every verb and the doctor mean by "the
// service's container".
const Container* container_of(const std::vector<Container>& containers, const std::string& service);

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

// An image in an engine's store. `id` is the config digest ("sha256:<64 hex>"): it is the same in
// every store that holds the same image, so two stores are compared by it, not by name.
struct ImageInfo {
  std::string id;
  std::vector<std::string> repo_digests;  // "docker.io/library/redis@sha256:..."
  std::int64_t size = 0;                  // bytes, as the store counts them
};

// Where an engine keeps its images. Two containers-storage stores with the same driver and
// graphroot are one store: an image pulled through one is there for the other.
struct ImageStore {
  std::string kind;       // "containers-storage" | "containerd"
  std::string driver;     // containers-storage: "overlay", "vfs"
  std::string graphroot;  // containers-storage
  std::string runroot;    // containers-storage; "" when the engine does not say
  std::string found_by;   // "libpod /info on /run/podman/podman.sock"
};

// One step of an image pull, for a progress display: a layer's state and bytes when the engine
// reports them (Podman does, per layer; the CRI reports only the start and the end of a pull).
struct PullProgress {
  std::string layer;         // short layer id; "" for a message about the whole image
  std::string status;        // "Pulling fs layer", "Downloading", "Download complete", ...
  std::int64_t current = 0;  // bytes so far, when known
  std::int64_t total = 0;    // the layer's size, 0 when unknown
};
using ProgressSink = std::function<void(const PullProgress& progress)>;

// "f03ae8663092: Downloading 1.2 MB / 3.4 MB", for one line of progress.
std::string describe(const PullProgress& progress);
// "1.2 MB": bytes as a person reads them (decimal units, as Podman and Docker print sizes).
std::string human_size(std::int64_t bytes);

// A pull's layer events added up into one line, "2/3 layers, 12.3 MB / 45.6 MB", for the progress
// display of `up` and `images pull`.
class PullTally {
 public:
  // Returns whether something worth a plain line changed: the number of layers or of layers
  // done, or (before any layer) the message. Byte counts alone do not (a terminal redraws them;
  // a log would fill up with them).
  bool apply(const PullProgress& progress);
  std::string summary() const;

 private:
  std::int64_t bytes_total() const;
  struct Layer {
    std::string id, status;
    std::int64_t current = 0, total = 0;
  };
  std::string state() const;  // what a plain line is printed for: layers done, or the message
  std::vector<Layer> m_layers;
  std::string m_message;  // the last event about the whole image
};

// One line of a build's output, as it comes: "STEP 2/4: RUN make", then what the step prints.
using BuildSink = std::function<void(std::string_view line)>;

// How long a build may stay silent: a step that prints nothing for this long (a compile, a
// download) is not an error until then. A build has no overall limit.
inline constexpr std::chrono::milliseconds k_build_idle_timeout{30 * 60 * 1'000};

class Engine {
 public:
  virtual ~Engine() = default;

  virtual std::string_view name() const = 0;  // "podman" | "cri"

  // The project's containers (found by k_label_project), whatever their state.
  virtual Result<std::vector<Container>> list(const std::string& project) = 0;
  virtual Result<Container> inspect(const std::string& id) = 0;

  // The image as the store holds it, nullopt when it is not there.
  virtual Result<std::optional<ImageInfo>> image(const std::string& image) = 0;
  // Whether the store holds the image: image() without its facts.
  Result<bool> image_present(const std::string& image);
  virtual Result<ImageStore> image_store() = 0;
  virtual Status pull_image(const std::string& image, const ProgressSink& progress) = 0;
  // Builds the image from `build` and tags it `tag`, its output to `output` line by line. An
  // engine that builds nothing (the CRI) says so; Podman builds for both.
  virtual Status build_image(const stack::Build& build, const std::string& tag,
                             const BuildSink& output);

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

// The size of an image just pulled, as the store counts it ("45.6 MB"), for the line that says
// the pull is done; "" when the store does not say (the layer events often carry no sizes).
std::string pulled_size(Engine& engine, const std::string& image);

}  // namespace edgecrew::engine
