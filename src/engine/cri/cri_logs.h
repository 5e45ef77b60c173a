#pragma once
// The CRI container log format, as CRI-O and containerd write it: one record per line,
// "RFC3339NANO STREAM TAG MESSAGE", STREAM stdout|stderr, TAG F (a full line) or P (a part of a
// longer line, continued by the next records of that stream). Reading joins the parts, keeps the
// last N lines, and can follow the file as the runtime appends to it.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "engine/engine.h"
#include "util/result.h"

namespace edgecrew::engine::cri {

struct CriLogRecord {
  std::string_view timestamp;
  std::string_view stream;  // "stdout" | "stderr"
  bool partial = false;     // tag P
  std::string_view message;
};

// One record (without its newline); nullopt when `line` is not in the CRI format.
std::optional<CriLogRecord> parse_cri_log_record(std::string_view line);

// Turns appended bytes into whole log lines: keeps an unfinished record until its newline, and
// each stream's partial records until their F record. A line that is not in the CRI format is
// passed on whole, as stdout.
class CriLogDecoder {
 public:
  // Returns false once the sink has returned false.
  bool feed(std::string_view bytes, const LogSink& sink);
  // At the end of the file: what is still pending (a last line without a newline, unfinished
  // partials), passed on as it is.
  bool finish(const LogSink& sink);

 private:
  bool record(std::string_view line, const LogSink& sink);

  std::string m_unfinished;
  std::string m_partial_stdout;
  std::string m_partial_stderr;
};

struct LogFollow {
  // Whether the container may still write: following ends once this says false and the file has
  // been read to its end again.
  std::function<Result<bool>()> still_running;
  std::chrono::milliseconds poll_interval{100};
};

// Reads `path` to `sink`: the last options.tail lines (all when unset), then, with
// options.follow, what the runtime appends until `follow.still_running` says false or the sink
// returns false. Errors: not_found / permission_denied / io naming the file.
Status read_cri_log(const std::filesystem::path& path, const LogOptions& options,
                    const LogSink& sink, const LogFollow& follow = {});

}  // namespace edgecrew::engine::cri
