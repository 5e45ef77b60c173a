#include "engine/cri/cri_client.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <filesystem>
#include <utility>

namespace edgecrew::engine::cri {

namespace {

// Who may use the socket: ", owned by uid 0 gid 0 with mode 660"; when the socket itself cannot
// be looked at, the folder on its path that shuts this user out.
std::string socket_owner(const std::string& socket) {
  struct stat st {};
  if (::stat(socket.c_str(), &st) == 0) {
    return fmt::format(", owned by uid {} gid {} with mode {:o}", st.st_uid, st.st_gid,
                       st.st_mode & 0777);
  }
  std::filesystem::path folder = std::filesystem::path(socket).parent_path();
  while (!folder.empty() && folder != folder.root_path()) {
    if (::stat(folder.c_str(), &st) == 0) {
      return fmt::format(", whose folder {} is owned by uid {} gid {} with mode {:o}",
                         folder.string(), st.st_uid, st.st_gid, st.st_mode & 0777);
    }
    folder = folder.parent_path();
  }
  return "";
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

Error map_rpc_error(grpc::StatusCode code, const std::string& message, std::string_view rpc,
                    const std::string& socket, std::string_view deadline_name,
                    std::chrono::milliseconds deadline) {
  const bool denied =
      code == grpc::StatusCode::PERMISSION_DENIED ||
      (code == grpc::StatusCode::UNAVAILABLE && contains(message, "ermission denied"));
  if (denied) {
    return Error{ErrorKind::permission_denied,
                 fmt::format("{}: permission denied on the CRI socket {}{} (run edgecrew as the "
                             "user or group that owns the socket, e.g. with sudo)",
                             rpc, socket, socket_owner(socket))};
  }
  switch (code) {
    case grpc::StatusCode::UNAVAILABLE:
      return Error{ErrorKind::unavailable,
                   fmt::format("{}: no CRI runtime answers on {}: {} (is CRI-O or containerd "
                               "running? start it, or point --cri-endpoint or "
                               "CONTAINER_RUNTIME_ENDPOINT at its socket)",
                               rpc, socket, message)};
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return Error{ErrorKind::timeout,
                   fmt::format("{}: the CRI runtime on {} did not answer within {} ms (deadline "
                               "\"{}\"; is it overloaded or stuck? check its log)",
                               rpc, socket, deadline.count(), deadline_name)};
    case grpc::StatusCode::NOT_FOUND:
      return Error{ErrorKind::not_found, fmt::format("{} on {}: {}", rpc, socket, message)};
    case grpc::StatusCode::INVALID_ARGUMENT:
      return Error{ErrorKind::invalid_input, fmt::format("{} on {}: {}", rpc, socket, message)};
    case grpc::StatusCode::UNIMPLEMENTED:
      return Error{ErrorKind::unavailable,
                   fmt::format("{}: the server on {} does not implement runtime.v1 ({}); is it a "
                               "CRI runtime of Kubernetes 1.23 or later?",
                               rpc, socket, message)};
    default:
      return Error{ErrorKind::io, fmt::format("{} on {}: {}", rpc, socket, message)};
  }
}

CriClient::CriClient(std::string socket, CriDeadlines deadlines)
    : m_socket(std::move(socket)), m_deadlines(deadlines) {
  grpc::ChannelArguments args;
  // Verbose ContainerStatus carries the whole OCI spec; big image lists too.
  args.SetMaxReceiveMessageSize(64 * 1024 * 1024);
  m_channel =
      grpc::CreateCustomChannel("unix://" + m_socket, grpc::InsecureChannelCredentials(), args);
  m_runtime = v1::RuntimeService::NewStub(m_channel);
  m_images = v1::ImageService::NewStub(m_channel);
}

template <typename Stub, typename Request, typename Response>
Result<Response> CriClient::invoke(
    Stub& stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
    std::string_view rpc, const Request& request, std::string_view deadline_name,
    std::chrono::milliseconds deadline) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + deadline);
  Response response;
  grpc::Status status = (stub.*method)(&context, request, &response);
  if (!status.ok()) {
    return map_rpc_error(status.error_code(), status.error_message(), rpc, m_socket, deadline_name,
                         deadline);
  }
  return response;
}

namespace {
template <typename T>
Status ok_or(const Result<T>& result) {
  if (!result) return result.error();
  return Ok{};
}
}  // namespace

Result<v1::VersionResponse> CriClient::version() {
  v1::VersionRequest request;
  request.set_version("v1");
  return invoke(*m_runtime, &v1::RuntimeService::Stub::Version, "Version", request, "call",
                m_deadlines.call);
}

Result<v1::StatusResponse> CriClient::status(bool verbose) {
  v1::StatusRequest request;
  request.set_verbose(verbose);
  return invoke(*m_runtime, &v1::RuntimeService::Stub::Status, "Status", request, "call",
                m_deadlines.call);
}

Result<v1::RunPodSandboxResponse> CriClient::run_pod_sandbox(
    const v1::RunPodSandboxRequest& request) {
  return invoke(*m_runtime, &v1::RuntimeService::Stub::RunPodSandbox, "RunPodSandbox", request,
                "create", m_deadlines.create);
}

Status CriClient::stop_pod_sandbox(const std::string& id) {
  v1::StopPodSandboxRequest request;
  request.set_pod_sandbox_id(id);
  return ok_or(invoke(*m_runtime, &v1::RuntimeService::Stub::StopPodSandbox, "StopPodSandbox",
                      request, "stop_margin", m_deadlines.stop_margin));
}

Status CriClient::remove_pod_sandbox(const std::string& id) {
  v1::RemovePodSandboxRequest request;
  request.set_pod_sandbox_id(id);
  return ok_or(invoke(*m_runtime, &v1::RuntimeService::Stub::RemovePodSandbox, "RemovePodSandbox",
                      request, "stop_margin", m_deadlines.stop_margin));
}

Result<v1::PodSandboxStatusResponse> CriClient::pod_sandbox_status(const std::string& id,
                                                                   bool verbose) {
  v1::PodSandboxStatusRequest request;
  request.set_pod_sandbox_id(id);
  request.set_verbose(verbose);
  return invoke(*m_runtime, &v1::RuntimeService::Stub::PodSandboxStatus, "PodSandboxStatus",
                request, "call", m_deadlines.call);
}

Result<v1::ListPodSandboxResponse> CriClient::list_pod_sandbox(const v1::PodSandboxFilter& filter) {
  v1::ListPodSandboxRequest request;
  *request.mutable_filter() = filter;
  return invoke(*m_runtime, &v1::RuntimeService::Stub::ListPodSandbox, "ListPodSandbox", request,
                "call", m_deadlines.call);
}

Result<v1::CreateContainerResponse> CriClient::create_container(
    const v1::CreateContainerRequest& request) {
  return invoke(*m_runtime, &v1::RuntimeService::Stub::CreateContainer, "CreateContainer", request,
                "create", m_deadlines.create);
}

Status CriClient::start_container(const std::string& id) {
  v1::StartContainerRequest request;
  request.set_container_id(id);
  return ok_or(invoke(*m_runtime, &v1::RuntimeService::Stub::StartContainer, "StartContainer",
                      request, "create", m_deadlines.create));
}

Status CriClient::stop_container(const std::string& id, std::chrono::seconds grace) {
  v1::StopContainerRequest request;
  request.set_container_id(id);
  request.set_timeout(grace.count());
  return ok_or(invoke(
      *m_runtime, &v1::RuntimeService::Stub::StopContainer, "StopContainer", request, "stop_margin",
      std::chrono::duration_cast<std::chrono::milliseconds>(grace) + m_deadlines.stop_margin));
}

Status CriClient::remove_container(const std::string& id) {
  v1::RemoveContainerRequest request;
  request.set_container_id(id);
  return ok_or(invoke(*m_runtime, &v1::RuntimeService::Stub::RemoveContainer, "RemoveContainer",
                      request, "stop_margin", m_deadlines.stop_margin));
}

Result<v1::ListContainersResponse> CriClient::list_containers(const v1::ContainerFilter& filter) {
  v1::ListContainersRequest request;
  *request.mutable_filter() = filter;
  return invoke(*m_runtime, &v1::RuntimeService::Stub::ListContainers, "ListContainers", request,
                "call", m_deadlines.call);
}

Result<v1::ContainerStatusResponse> CriClient::container_status(const std::string& id,
                                                                bool verbose) {
  v1::ContainerStatusRequest request;
  request.set_container_id(id);
  request.set_verbose(verbose);
  return invoke(*m_runtime, &v1::RuntimeService::Stub::ContainerStatus, "ContainerStatus", request,
                "call", m_deadlines.call);
}

Result<v1::ExecSyncResponse> CriClient::exec_sync(const std::string& id,
                                                  const std::vector<std::string>& argv,
                                                  std::chrono::seconds timeout) {
  v1::ExecSyncRequest request;
  request.set_container_id(id);
  for (const auto& word : argv) request.add_cmd(word);
  request.set_timeout(timeout.count());
  return invoke(
      *m_runtime, &v1::RuntimeService::Stub::ExecSync, "ExecSync", request, "exec_margin",
      std::chrono::duration_cast<std::chrono::milliseconds>(timeout) + m_deadlines.exec_margin);
}

Result<v1::ImageStatusResponse> CriClient::image_status(const std::string& image) {
  v1::ImageStatusRequest request;
  request.mutable_image()->set_image(image);
  return invoke(*m_images, &v1::ImageService::Stub::ImageStatus, "ImageStatus", request, "call",
                m_deadlines.call);
}

Result<v1::PullImageResponse> CriClient::pull_image(const std::string& image) {
  v1::PullImageRequest request;
  request.mutable_image()->set_image(image);
  return invoke(*m_images, &v1::ImageService::Stub::PullImage, "PullImage", request, "pull",
                m_deadlines.pull);
}

Result<v1::ListImagesResponse> CriClient::list_images() {
  return invoke(*m_images, &v1::ImageService::Stub::ListImages, "ListImages",
                v1::ListImagesRequest(), "call", m_deadlines.call);
}

Result<v1::ImageFsInfoResponse> CriClient::image_fs_info() {
  return invoke(*m_images, &v1::ImageService::Stub::ImageFsInfo, "ImageFsInfo",
                v1::ImageFsInfoRequest(), "call", m_deadlines.call);
}

}  // namespace edgecrew::engine::cri
