#pragma once
// The narrow interface both engines implement: Podman over its libpod REST API, the CRI over gRPC.
// The planner speaks only to an Engine; tests use a recording fake. Every call is bounded by the
// engine's own named timeouts (a pull or a build by how long it may stay silent, logs with follow
// by the container's life) and returns an Error (timeout / unavailable / not_found / ...) rather
// than throwing.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
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
// On an image edgecrew built: the digest of what it was built from (context, Containerfile,
// arguments), so that an unchanged build is not made again.
inline constexpr std::string_view k_label_build_hash = "io.edgecrew.build-hash";

// What to run: one service of a stack, as the planner hands it over. Each engine maps the service
// itself (podman_mapping, cri_mapping): there is no third model in between.
struct Workload {
  const stack::Stack* stack = nullptr;
  const stack::Service* service = nullptr;
  std::string spec_hash;  // stack::spec_hash(*service, *stack), stored as k_label_spec_hash
};

// Podman's states (libpod's own names, and the Docker API's restarting and dead) folded into one
// set; the CRI has created, running and exited only.
enum class ContainerState {
  created,
  running,
  paused,
  restarting,  // between two runs of its restart policy
  stopping,    // a stop is under way
  exited,
  removing,  // a removal is under way, or one failed half-way
  dead,      // the engine could not stop or remove it cleanly
  unknown
};

const char* to_string(ContainerState state);

struct Container {
  std::string id;
  std::string name;
  std::string service;    // k_label_service
  std::string spec_hash;  // k_label_spec_hash
  std::string image;
  // The id of the image the container was created from, as the engine says it (Podman: the
  // config digest, "sha256:<hex>", as ImageInfo::id; the CRI: the container's image_ref); "" when
  // the engine does not say. The planner compares it with the store's id for the service's image.
  std::string image_id;
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
  std::vector<std::string> env;           // the image config's Env ("CUDA_VERSION=12.8.1"); Podman
  std::map<std::string, std::string> labels;  // the image config's Labels; Podman
};

// How a store keeps images: containers-storage (Podman's, CRI-O's) or containerd's own.
enum class StoreKind { containers_storage, containerd };
// "containers-storage" | "containerd", as `images --json` prints a store's kind.
const char* to_string(StoreKind kind);

// Where an engine keeps its images. Two containers-storage stores with the same driver and
// graphroot are one store: an image pulled through one is there for the other.
struct ImageStore {
  StoreKind kind = StoreKind::containers_storage;
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

// What the OCI runtime was told for a container (its OCI spec): the device nodes it creates and
// the annotations it carries — the doctor's evidence that a CDI device reached the container.
struct RuntimeSpec {
  std::vector<std::string> device_paths;  // linux.devices[].path
  std::vector<std::string> annotations;   // the keys of annotations
};

// The facts of an OCI runtime spec (config.json); `what` names it in the error.
Result<RuntimeSpec> runtime_spec_from_json(std::string_view text, const std::string& what);
// One line of a build's output, as it comes: "STEP 2/4: RUN make", then what the step prints.
using BuildSink = std::function<void(std::string_view line)>;

// How long a build may stay silent: a step that prints nothing for this long (a compile, a
// download) is not an error until then. A build has no overall limit.
inline constexpr std::chrono::milliseconds k_build_idle_timeout{30 * 60 * 1'000};

// What remove_networks did: the networks removed, and those kept because containers outside the
// project still use them (engine names).
struct NetworksRemoved {
  std::vector<std::string> removed;
  std::vector<std::string> in_use;
};

class Engine {
 public:
  virtual ~Engine() = default;

  virtual std::string_view name() const = 0;  // "podman" | "cri"

  // The project's containers (found by k_label_project), whatever their state.
  virtual Result<std::vector<Container>> list(const std::string& project) = 0;
  virtual Result<Container> inspect(const std::string& id) = 0;
  // The container's OCI spec as its runtime got it (Podman: the config file its inspect names;
  // the CRI: the verbose ContainerStatus's runtimeSpec).
  virtual Result<RuntimeSpec> runtime_spec(const std::string& id) = 0;

  // The image as the store holds it, nullopt when it is not there.
  virtual Result<std::optional<ImageInfo>> image(const std::string& image) = 0;
  // Whether the store holds the image: image() without its facts.
  Result<bool> image_present(const std::string& image);
  virtual Result<ImageStore> image_store() = 0;
  virtual Status pull_image(const std::string& image, const ProgressSink& progress) = 0;
  // Builds the image from `build` and tags it `tag`, its output to `output` line by line; or
  // builds nothing when `tag` was built from the same context, Containerfile and arguments
  // (k_label_build_hash) and neither `no_cache` nor `pull` is set. An engine that builds nothing
  // (the CRI) says so; Podman builds for both.
  enum class Built { built, unchanged };
  virtual Result<Built> build_image(const stack::Build& build, const std::string& tag,
                                    const BuildSink& output);

  // Creates the volume unless it exists (Podman: a volume labelled with the project; the CRI: a
  // directory on the host); a no-op for external ones.
  virtual Status ensure_volume(const stack::Volume& volume, const std::string& project) = 0;
  // True when the volume existed and is removed, false when there was none; external: false.
  virtual Result<bool> remove_volume(const stack::Volume& volume) = 0;
  // Removes the anonymous volumes (a service's `volumes: [/data]`) the engine made for the
  // project's containers; returns their names. Engines without such volumes return none.
  virtual Result<std::vector<std::string>> remove_anonymous_volumes(const std::string& project) = 0;

  // Creates the networks that `services` join (stack::Stack::networks, not external ones, which
  // must exist) unless they exist; an engine without project networks returns Ok. Only those of
  // the services being brought up: a network only a service switched off by profiles joins is
  // not made (compose drops it too).
  virtual Status ensure_networks(const stack::Stack& stack,
                                 const std::vector<const stack::Service*>& services) = 0;
  // Removes the stack's networks that are not external and that the project made (one of the same
  // name made by someone else stays). A network that containers outside the project still use is
  // kept and named, not an error (docker compose warns too).
  virtual Result<NetworksRemoved> remove_networks(const stack::Stack& stack) = 0;

  // Creates the workload's container, not started; returns its id.
  virtual Result<std::string> create(const Workload& workload) = 0;
  virtual Status start(const std::string& id) = 0;
  // Resumes a paused container. The CRI has no pause: there it is an error saying so.
  virtual Status unpause(const std::string& id) = 0;
  // Sends `signal` ("" = SIGTERM), waits up to `grace`, then kills; a paused container is
  // resumed first, so that it can receive the signal.
  virtual Status stop(const std::string& id, std::chrono::milliseconds grace,
                      const std::string& signal) = 0;
  // Removes a container (and, on the CRI, its sandbox); one still running is killed at once, since
  // the planner stops containers, with their grace period, before it removes them. Removing one
  // that is gone is OK.
  virtual Status remove(const std::string& id) = 0;

  virtual Result<ExecResult> exec(const std::string& id, const std::vector<std::string>& argv,
                                  std::chrono::milliseconds timeout) = 0;
  virtual Status logs(const std::string& id, const LogOptions& options, const LogSink& sink) = 0;
};

}  // namespace edgecrew::engine
