#pragma once
// A gRPC client for the CRI (runtime.v1 RuntimeService and ImageService) on a unix socket. Every
// RPC runs under a named deadline; a failed call becomes an Error whose message names the RPC, the
// socket and, for the usual causes (nothing listening, no permission, no answer), the likely fix.

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "engine/cri/cri_runtime.h"
#include "engine/cri/proto/runtime.grpc.pb.h"
#include "util/result.h"

namespace edgecrew::engine::cri {

// The Error for a failed RPC: `rpc` on `socket`, which ran under the deadline `deadline_name` of
// `deadline`. UNAVAILABLE (a missing socket, nothing listening; "Permission denied" in its text
// means permission_denied), PERMISSION_DENIED, DEADLINE_EXCEEDED and NOT_FOUND get their own kind
// and a fix; the rest are io with the runtime's own message.
Error map_rpc_error(grpc::StatusCode code, const std::string& message, std::string_view rpc,
                    const std::string& socket, std::string_view deadline_name,
                    std::chrono::milliseconds deadline);

class CriClient {
 public:
  explicit CriClient(std::string socket, CriDeadlines deadlines = {});

  const std::string& socket() const { return m_socket; }
  const CriDeadlines& deadlines() const { return m_deadlines; }

  Result<v1::VersionResponse> version();
  Result<v1::StatusResponse> status(bool verbose);
  Result<v1::RunPodSandboxResponse> run_pod_sandbox(const v1::RunPodSandboxRequest& request);
  Status stop_pod_sandbox(const std::string& id);
  Status remove_pod_sandbox(const std::string& id);
  Result<v1::PodSandboxStatusResponse> pod_sandbox_status(const std::string& id, bool verbose);
  Result<v1::ListPodSandboxResponse> list_pod_sandbox(const v1::PodSandboxFilter& filter);
  Result<v1::CreateContainerResponse> create_container(const v1::CreateContainerRequest& request);
  Status start_container(const std::string& id);
  Status stop_container(const std::string& id, std::chrono::seconds grace);
  Status remove_container(const std::string& id);
  Result<v1::ListContainersResponse> list_containers(const v1::ContainerFilter& filter);
  Result<v1::ContainerStatusResponse> container_status(const std::string& id, bool verbose);
  Result<v1::ExecSyncResponse> exec_sync(const std::string& id,
                                         const std::vector<std::string>& argv,
                                         std::chrono::seconds timeout);
  Result<v1::ImageStatusResponse> image_status(const std::string& image);
  Result<v1::PullImageResponse> pull_image(const std::string& image);
  Result<v1::ListImagesResponse> list_images();
  Result<v1::ImageFsInfoResponse> image_fs_info();

 private:
  template <typename Stub, typename Request, typename Response>
  Result<Response> invoke(Stub& stub,
                          grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                                       Response*),
                          std::string_view rpc, const Request& request,
                          std::string_view deadline_name, std::chrono::milliseconds deadline);

  std::string m_socket;
  CriDeadlines m_deadlines;
  std::shared_ptr<grpc::Channel> m_channel;
  std::unique_ptr<v1::RuntimeService::Stub> m_runtime;
  std::unique_ptr<v1::ImageService::Stub> m_images;
};

}  // namespace edgecrew::engine::cri
