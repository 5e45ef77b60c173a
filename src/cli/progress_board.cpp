#include "cli/progress_board.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "cli/event_lines.h"

namespace edgecrew::cli {

namespace {

using plan::Phase;

// Steps that stay on the line once reached; the others (creating, starting, waiting...) only
// show while they are the latest.
bool is_milestone(Phase phase) {
  switch (phase) {
    case Phase::pulled:
    case Phase::created:
    case Phase::started:
    case Phase::healthy:
    case Phase::failed:
    case Phase::removed:
      return true;
    default:
      return false;
  }
}

std::string seconds(std::chrono::milliseconds ms) {
  return fmt::format("{:.1f}s", ms.count() / 1000.0);
}

}  // namespace

ProgressBoard::ProgressBoard(const std::vector<std::string>& services) {
  for (const auto& s : services) row(s);
}

ProgressBoard::Row& ProgressBoard::row(const std::string& service) {
  for (auto& r : m_rows) {
    if (r.service == service) return r;
  }
  m_rows.push_back(Row{service, {}, {}, std::chrono::milliseconds(0), false});
  return m_rows.back();
}

void ProgressBoard::apply(const plan::Event& event) {
  Row& r = row(event.service);
  r.seen = true;
  r.elapsed = event.elapsed;
  std::string step = plan::to_string(event.phase);
  // A kept container is "started" with detail "unchanged": say so rather than claim a start.
  if (event.phase == Phase::started && event.detail == "unchanged") step = "unchanged";
  if (event.phase == Phase::removed && event.detail == "volume") step = "volume removed";
  // "pulled 45.6 MB", or "already present" for an image that needed no pull.
  if (event.phase == Phase::pulled) {
    step = event.detail == "already present" ? event.detail
           : event.detail.empty()            ? step
                                             : step + " " + event.detail;
  }
  if (is_milestone(event.phase)) {
    if (r.steps.empty() || r.steps.back() != step) r.steps.push_back(step);
    r.current.clear();
  } else {
    // A pull's line carries its tally: "pulling 2/3 layers, 12.3 MB / 45.6 MB".
    r.current =
        event.phase == Phase::pulling && !event.detail.empty() ? step + " " + event.detail : step;
  }
}

std::vector<std::string> ProgressBoard::lines() const {
  std::size_t width = 0;
  for (const auto& r : m_rows) width = std::max(width, r.service.size());
  std::vector<std::string> out;
  for (const auto& r : m_rows) {
    std::vector<std::string> shown = r.steps;
    if (!r.current.empty()) shown.push_back(r.current);
    if (shown.empty()) shown.emplace_back("…");
    std::string line = fmt::format("{:<{}}  {}", r.service, width, fmt::join(shown, " → "));
    if (r.seen) line += " " + seconds(r.elapsed);
    out.push_back(std::move(line));
  }
  return out;
}

TerminalProgress::TerminalProgress(std::ostream& out, const std::vector<std::string>& services)
    : m_out(out), m_board(services) {}

void TerminalProgress::on_event(const plan::Event& event) {
  m_board.apply(event);
  auto lines = m_board.lines();
  // Up over what was drawn (ESC [ n A), then each line from its start, cleared (ESC [ 2 K).
  if (m_drawn > 0) m_out << fmt::format("\x1b[{}A", m_drawn);
  for (const auto& line : lines) m_out << "\r\x1b[2K" << line << "\n";
  m_out << std::flush;
  m_drawn = lines.size();
}

plan::EventSink progress_sink(std::ostream& out, bool terminal,
                              const std::vector<std::string>& services) {
  if (!terminal) return event_lines(out, services);
  auto progress = std::make_shared<TerminalProgress>(out, services);
  return [progress](const plan::Event& e) { progress->on_event(e); };
}

}  // namespace edgecrew::cli
