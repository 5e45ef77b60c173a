// Fuzz target for the CRI log reader (the files containerd and CRI-O write, read by `logs`): any
// bytes give lines, never a crash. The first byte chooses the piece sizes the decoder is fed in;
// the lines must be the same as when the whole file arrives at once.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/cri/cri_logs.h"

namespace cri = edgecrew::engine::cri;

namespace {

using Lines = std::vector<std::pair<std::string, std::string>>;

Lines decode(std::string_view bytes, std::size_t step) {
  Lines out;
  auto sink = [&](std::string_view stream, std::string_view line) {
    out.emplace_back(std::string(stream), std::string(line));
    return true;
  };
  cri::CriLogDecoder decoder;
  for (std::size_t at = 0; at < bytes.size(); at += step) {
    if (!decoder.feed(bytes.substr(at, step), sink)) std::abort();  // the sink never stops
  }
  if (!decoder.finish(sink)) std::abort();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t step = 1 + data[0] % 17;
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  for (std::string_view rest = bytes; !rest.empty();) {
    auto newline = rest.find('\n');
    auto record = cri::parse_cri_log_record(rest.substr(0, newline));
    if (record && record->stream != "stdout" && record->stream != "stderr") std::abort();
    if (newline == std::string_view::npos) break;
    rest.remove_prefix(newline + 1);
  }
  if (decode(bytes, step) != decode(bytes, bytes.size() + 1)) std::abort();
  return 0;
}
