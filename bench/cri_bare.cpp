// The physical limit for bench/cri_compare.sh: the bare CRI RPC sequence, with nothing around it,
// through the generated gRPC stubs. `up` runs RunPodSandbox, CreateContainer, StartContainer for
// N host-network busybox pods (4 at a time, as edgecrew's executor does); `down` runs
// StopContainer, RemoveContainer, StopPodSandbox, RemovePodSandbox for all of them at once (as
// edgecrew's teardown does for one dependency level). Prints the milliseconds each phase took.
//   cri_bare SOCKET IMAGE LOG_DIR CGROUP_PARENT N

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "engine/cri/proto/runtime.grpc.pb.h"

namespace {

namespace v1 = ::runtime::v1;
using Clock = std::chrono::steady_clock;

struct Pod {
  std::string sandbox;
  std::string container;
};

bool check(const grpc::Status& status, const char* rpc) {
  if (status.ok()) return true;
  std::fprintf(stderr, "%s: %s\n", rpc, status.error_message().c_str());
  return false;
}

// Runs work(i) for i in [0, n) on `width` threads; false when any call failed.
template <typename Work>
bool run_on(int n, int width, Work work) {
  std::atomic<int> next = 0;
  std::atomic<bool> ok = true;
  std::vector<std::thread> threads;
  for (int t = 0; t < width; ++t) {
    threads.emplace_back([&] {
      for (int i; (i = next++) < n;) {
        if (!work(i)) ok = false;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  return ok;
}

std::unique_ptr<grpc::ClientContext> context() {
  auto c = std::make_unique<grpc::ClientContext>();
  c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: cri_bare SOCKET IMAGE LOG_DIR CGROUP_PARENT N\n");
    return 2;
  }
  const std::string socket = argv[1], image = argv[2], log_dir = argv[3], cgroup = argv[4];
  const int n = std::atoi(argv[5]);
  auto channel = grpc::CreateChannel("unix://" + socket, grpc::InsecureChannelCredentials());
  auto stub = v1::RuntimeService::NewStub(channel);
  std::vector<Pod> pods(static_cast<std::size_t>(n));

  auto start = Clock::now();
  bool up = run_on(n, 4, [&](int i) {
    const std::string name = "bare" + std::to_string(i);
    v1::PodSandboxConfig pod;
    pod.mutable_metadata()->set_name(name);
    pod.mutable_metadata()->set_namespace_("bench-bare");
    pod.mutable_metadata()->set_uid("bench-bare-" + name);
    pod.set_log_directory(log_dir + "/" + name);
    pod.mutable_linux()->set_cgroup_parent(cgroup);
    pod.mutable_linux()->mutable_security_context()->mutable_namespace_options()->set_network(
        v1::NODE);
    v1::RunPodSandboxRequest run;
    *run.mutable_config() = pod;
    v1::RunPodSandboxResponse ran;
    if (!check(stub->RunPodSandbox(context().get(), run, &ran), "RunPodSandbox")) return false;
    v1::CreateContainerRequest create;
    create.set_pod_sandbox_id(ran.pod_sandbox_id());
    create.mutable_config()->mutable_metadata()->set_name(name);
    create.mutable_config()->mutable_image()->set_image(image);
    create.mutable_config()->add_command("sleep");
    create.mutable_config()->add_command("3600");
    create.mutable_config()->set_log_path(name + ".log");
    *create.mutable_sandbox_config() = pod;
    v1::CreateContainerResponse created;
    if (!check(stub->CreateContainer(context().get(), create, &created), "CreateContainer")) {
      return false;
    }
    v1::StartContainerRequest start_request;
    start_request.set_container_id(created.container_id());
    v1::StartContainerResponse started;
    if (!check(stub->StartContainer(context().get(), start_request, &started), "StartContainer")) {
      return false;
    }
    pods[static_cast<std::size_t>(i)] = {ran.pod_sandbox_id(), created.container_id()};
    return true;
  });
  auto up_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();

  start = Clock::now();
  bool down = run_on(n, n, [&](int i) {
    const Pod& p = pods[static_cast<std::size_t>(i)];
    if (p.sandbox.empty()) return true;
    v1::StopContainerRequest stop;
    stop.set_container_id(p.container);
    stop.set_timeout(0);
    v1::StopContainerResponse stopped;
    v1::RemoveContainerRequest remove;
    remove.set_container_id(p.container);
    v1::RemoveContainerResponse removed;
    v1::StopPodSandboxRequest stop_pod;
    stop_pod.set_pod_sandbox_id(p.sandbox);
    v1::StopPodSandboxResponse pod_stopped;
    v1::RemovePodSandboxRequest remove_pod;
    remove_pod.set_pod_sandbox_id(p.sandbox);
    v1::RemovePodSandboxResponse pod_removed;
    return check(stub->StopContainer(context().get(), stop, &stopped), "StopContainer") &&
           check(stub->RemoveContainer(context().get(), remove, &removed), "RemoveContainer") &&
           check(stub->StopPodSandbox(context().get(), stop_pod, &pod_stopped), "StopPodSandbox") &&
           check(stub->RemovePodSandbox(context().get(), remove_pod, &pod_removed),
                 "RemovePodSandbox");
  });
  auto down_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  std::printf("up %lld\ndown %lld\n", static_cast<long long>(up_ms),
              static_cast<long long>(down_ms));
  return up && down ? 0 : 1;
}
