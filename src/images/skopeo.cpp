#include "images/skopeo.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "util/sha256.h"
#include "util/strings.h"
#include "util/subprocess.h"

namespace edgecrew::images {

namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

// skopeo's last line is `time=... level=fatal msg="..."`: keep the message.
std::string skopeo_message(const std::string& err) {
  std::string text = trim(err);
  auto at = text.rfind("msg=\"");
  if (at == std::string::npos) return text;
  std::string msg = text.substr(at + 5);
  if (!msg.empty() && msg.back() == '"') msg.pop_back();
  return msg;
}

Error spawn_error(const Error& error) {
  if (error.kind == ErrorKind::not_found) return Error{ErrorKind::not_found, k_skopeo_missing};
  return error;
}

// "localhost/x:1" → "localhost/x"; "a/b@sha256:..." → "a/b".
std::string repository_of(const std::string& image) {
  std::string name = image.substr(0, image.find('@'));
  auto slash = name.rfind('/');
  auto colon = name.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    name.resize(colon);
  }
  return name;
}

}  // namespace

std::optional<engine::ImageInfo> image_from_manifest(std::string_view raw,
                                                     const std::string& image) {
  json manifest = json::parse(raw, nullptr, false);
  if (manifest.is_discarded() || !manifest.is_object() || !manifest.contains("config")) {
    return std::nullopt;
  }
  const json& config = manifest["config"];
  if (!config.is_object() || !config.value("digest", json()).is_string()) return std::nullopt;
  engine::ImageInfo info;
  info.id = config["digest"].get<std::string>();
  info.size = config.value("size", std::int64_t{0});
  for (const auto& layer : manifest.value("layers", json::array())) {
    if (layer.is_object()) info.size += layer.value("size", std::int64_t{0});
  }
  info.repo_digests.push_back(repository_of(image) + "@sha256:" + sha256_hex(raw));
  return info;
}

Result<std::optional<engine::ImageInfo>> skopeo_inspect(const std::string& reference) {
  auto done =
      run_process({.argv = {k_skopeo, "inspect", "--raw", reference}}, k_skopeo_inspect_timeout);
  if (!done) return spawn_error(done.error());
  if (!done->status.success()) {
    std::string message = skopeo_message(done->err);
    // containers-storage's words for "no such image in this store".
    if (message.find("identifier is not an image") != std::string::npos ||
        message.find("image not known") != std::string::npos) {
      return std::optional<engine::ImageInfo>();
    }
    return Error{ErrorKind::io, fmt::format("skopeo inspect {}: {}", reference, message)};
  }
  std::string image = reference.substr(reference.find(']') + 1);
  auto info = image_from_manifest(done->out, image);
  if (!info) {
    return Error{ErrorKind::invalid_input,
                 fmt::format("skopeo inspect {}: not a single image's manifest", reference)};
  }
  return info;
}

Status skopeo_copy(const std::string& from, const std::string& to, const LineSink& lines,
                   const std::vector<std::string>& flags, std::chrono::milliseconds timeout) {
  std::vector<std::string> argv = {k_skopeo, "copy"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  argv.push_back(from);
  argv.push_back(to);
  auto spawned = Subprocess::spawn({.argv = argv});
  if (!spawned) return spawn_error(spawned.error());
  Subprocess& process = *spawned;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t relayed = 0;
  // skopeo writes a line per blob as it starts it: pass on each complete line once.
  auto relay = [&] {
    std::string out = process.stdout_text();
    for (auto end = out.find('\n', relayed); end != std::string::npos;
         end = out.find('\n', relayed)) {
      std::string line = trim(out.substr(relayed, end - relayed));
      relayed = end + 1;
      if (!line.empty() && lines) lines(line);
    }
  };
  std::optional<ExitStatus> status;
  while (!status) {
    // Returns as soon as skopeo ends (a pidfd), else after a short while to relay its lines.
    auto waited = process.wait(50ms);
    if (waited) {
      status = *waited;
    } else if (waited.error().kind != ErrorKind::timeout) {
      return waited.error();
    }
    relay();
    if (!status && std::chrono::steady_clock::now() > deadline) {
      process.stop();
      return Error{ErrorKind::timeout,
                   fmt::format("skopeo copy {} → {} took more than {} s", from, to,
                               std::chrono::duration_cast<std::chrono::seconds>(timeout).count())};
    }
  }
  relay();
  if (!status->success()) {
    return Error{ErrorKind::io, fmt::format("skopeo copy {} → {}: {}", from, to,
                                            skopeo_message(process.stderr_text()))};
  }
  return Ok{};
}

}  // namespace edgecrew::images
