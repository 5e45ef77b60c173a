#include "engine/cri/cri_logs.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <thread>
#include <utility>

namespace edgecrew::engine::cri {

namespace {

std::string_view next_field(std::string_view& rest) {
  auto space = rest.find(' ');
  if (space == std::string_view::npos) {
    std::string_view field = rest;
    rest = {};
    return field;
  }
  std::string_view field = rest.substr(0, space);
  rest = rest.substr(space + 1);
  return field;
}

Error file_error(const std::filesystem::path& path, int err) {
  return Error{error_kind_from_errno(err), fmt::format("cannot read the container log {}: {}",
                                                       path.string(), std::strerror(err))};
}

}  // namespace

std::optional<CriLogRecord> parse_cri_log_record(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::string_view rest = line;
  CriLogRecord record;
  record.timestamp = next_field(rest);
  // RFC 3339: "2026-11-28T23:21:48.123456789Z" or with an offset; at least a date and a 'T'.
  if (record.timestamp.size() < 20 || record.timestamp[4] != '-' || record.timestamp[10] != 'T') {
    return std::nullopt;
  }
  record.stream = next_field(rest);
  if (record.stream != "stdout" && record.stream != "stderr") return std::nullopt;
  // The tag may carry more flags after a ':' in later versions; the first is F or P.
  std::string_view tag = next_field(rest);
  if (tag.empty() || (tag.front() != 'F' && tag.front() != 'P')) return std::nullopt;
  record.partial = tag.front() == 'P';
  record.message = rest;
  return record;
}

bool CriLogDecoder::record(std::string_view line, const LogSink& sink) {
  auto parsed = parse_cri_log_record(line);
  if (!parsed) return sink("stdout", line);
  std::string& partial = parsed->stream == "stderr" ? m_partial_stderr : m_partial_stdout;
  if (parsed->partial) {
    partial.append(parsed->message);
    return true;
  }
  if (partial.empty()) return sink(parsed->stream, parsed->message);
  partial.append(parsed->message);
  std::string whole = std::exchange(partial, {});
  return sink(parsed->stream, whole);
}

bool CriLogDecoder::feed(std::string_view bytes, const LogSink& sink) {
  while (!bytes.empty()) {
    auto newline = bytes.find('\n');
    if (newline == std::string_view::npos) {
      m_unfinished.append(bytes);
      return true;
    }
    bool more;
    if (m_unfinished.empty()) {
      more = record(bytes.substr(0, newline), sink);
    } else {
      m_unfinished.append(bytes.substr(0, newline));
      std::string line = std::exchange(m_unfinished, {});
      more = record(line, sink);
    }
    if (!more) return false;
    bytes.remove_prefix(newline + 1);
  }
  return true;
}

bool CriLogDecoder::finish(const LogSink& sink) {
  if (!m_unfinished.empty()) {
    std::string line = std::exchange(m_unfinished, {});
    if (!record(line, sink)) return false;
  }
  for (auto [stream, partial] :
       {std::pair<std::string_view, std::string*>{"stdout", &m_partial_stdout},
        {"stderr", &m_partial_stderr}}) {
    if (partial->empty()) continue;
    std::string text = std::exchange(*partial, {});
    if (!sink(stream, text)) return false;
  }
  return true;
}

Status read_cri_log(const std::filesystem::path& path, const LogOptions& options,
                    const LogSink& sink, const LogFollow& follow) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return file_error(path, errno != 0 ? errno : ENOENT);
  CriLogDecoder decoder;
  std::string chunk(64 * 1024, '\0');
  std::uint64_t offset = 0;
  auto read_more = [&](const LogSink& to) -> Result<bool> {  // false: the sink stopped
    in.clear();
    in.seekg(static_cast<std::streamoff>(offset));
    while (true) {
      in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      std::streamsize got = in.gcount();
      if (got <= 0) break;
      offset += static_cast<std::uint64_t>(got);
      if (!decoder.feed(std::string_view(chunk.data(), static_cast<std::size_t>(got)), to)) {
        return false;
      }
    }
    if (in.bad()) return file_error(path, EIO);
    return true;
  };

  if (options.tail) {
    // Only the last N lines: decode everything so far, keep a window, then pass it on.
    std::deque<std::pair<std::string, std::string>> last;
    const auto keep = static_cast<std::size_t>(std::max(0, *options.tail));
    LogSink window = [&](std::string_view stream, std::string_view line) {
      if (keep == 0) return true;
      last.emplace_back(stream, line);
      if (last.size() > keep) last.pop_front();
      return true;
    };
    auto read = read_more(window);
    if (!read) return read.error();
    if (!options.follow) (void)decoder.finish(window);
    for (const auto& [stream, line] : last) {
      if (!sink(stream, line)) return Ok{};
    }
  } else {
    auto read = read_more(sink);
    if (!read) return read.error();
    if (!*read) return Ok{};
  }
  if (!options.follow) {
    if (!options.tail) (void)decoder.finish(sink);
    return Ok{};
  }
  while (true) {
    // Asked before reading, so that what the container wrote before it stopped is still read.
    Result<bool> running = follow.still_running ? follow.still_running() : Result<bool>(false);
    if (!running) return running.error();
    std::error_code ec;
    auto size = std::filesystem::file_size(path, ec);
    if (!ec && size < offset) {  // truncated or rotated: start over
      offset = 0;
    }
    auto read = read_more(sink);
    if (!read) return read.error();
    if (!*read) return Ok{};
    if (!*running) {
      (void)decoder.finish(sink);
      return Ok{};
    }
    std::this_thread::sleep_for(follow.poll_interval);
  }
}

}  // namespace edgecrew::engine::cri
