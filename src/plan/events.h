#pragma once
// Progress of an apply or a teardown, one event per step of a service, for the CLI's live lines.

#include <chrono>
#include <functional>
#include <mutex>
#include <string>

#include "plan/clock.h"
#include "stack/secrets.h"

namespace edgecrew::plan {

enum class Phase {
  pulling,
  pulled,
  creating,
  created,
  starting,
  started,
  waiting,
  healthy,
  failed,
  stopping,
  removed
};

const char* to_string(Phase phase);

struct Event {
  std::string service;  // or a volume's name, for its removal
  Phase phase = Phase::started;
  std::string detail;
  std::chrono::milliseconds elapsed{0};  // since the operation began
};

using EventSink = std::function<void(const Event&)>;

// Calls the sink under one mutex: events come from several worker threads, and the lines the
// sink prints must never interleave. Details pass through the stack's Redactor first: they quote
// engine errors and healthcheck output, which may hold a password.
class EventStream {
 public:
  EventStream(EventSink sink, Clock& clock, stack::Redactor redactor);

  void emit(const std::string& service, Phase phase, std::string detail = {});

 private:
  std::mutex m_mutex;
  EventSink m_sink;
  Clock& m_clock;
  stack::Redactor m_redactor;
  SteadyClock::time_point m_start;
};

}  // namespace edgecrew::plan
