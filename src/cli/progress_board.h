#pragma once
// Live per-service progress for up / down / restart on a terminal: one line per service,
// "redis  created → started → healthy 1.2s", redrawn in place as events arrive. The board (what
// each line says) is pure and unit-tested; TerminalProgress only moves the cursor.

#include <chrono>
#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include "plan/events.h"

namespace edgecrew::cli {

class ProgressBoard {
 public:
  // Services get their line in this order; one that first appears in an event is appended.
  explicit ProgressBoard(const std::vector<std::string>& services = {});

  void apply(const plan::Event& event);
  // One line per service that has had an event (or was named), padded to the longest name.
  std::vector<std::string> lines() const;

 private:
  struct Row {
    std::string service;
    std::vector<std::string> steps;  // milestones reached, in order
    std::string current;             // a step under way (creating, waiting...), shown last
    std::chrono::milliseconds elapsed{0};
    bool seen = false;
  };
  Row& row(const std::string& service);

  std::vector<Row> m_rows;
};

// Draws the board on `out` (a terminal): after each event, moves the cursor back up over the
// lines drawn before and writes them all again, each line cleared first.
class TerminalProgress {
 public:
  TerminalProgress(std::ostream& out, const std::vector<std::string>& services);
  void on_event(const plan::Event& event);

 private:
  std::ostream& m_out;
  ProgressBoard m_board;
  std::size_t m_drawn = 0;
};

// The sink a verb hands the executor: live lines on a terminal, else plain event lines.
plan::EventSink progress_sink(std::ostream& out, bool terminal,
                              const std::vector<std::string>& services);

}  // namespace edgecrew::cli
