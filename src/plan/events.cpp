#include "plan/events.h"

namespace edgecrew::plan {

const char* to_string(Phase phase) {
  switch (phase) {
    case Phase::pulling:
      return "pulling";
    case Phase::pulled:
      return "pulled";
    case Phase::creating:
      return "creating";
    case Phase::created:
      return "created";
    case Phase::starting:
      return "starting";
    case Phase::started:
      return "started";
    case Phase::waiting:
      return "waiting";
    case Phase::healthy:
      return "healthy";
    case Phase::failed:
      return "failed";
    case Phase::stopping:
      return "stopping";
    case Phase::removed:
      return "removed";
  }
  return "started";
}

EventStream::EventStream(EventSink sink, Clock& clock, stack::Redactor redactor)
    : m_sink(std::move(sink)),
      m_clock(clock),
      m_redactor(std::move(redactor)),
      m_start(clock.now()) {}

void EventStream::emit(const std::string& service, Phase phase, std::string detail) {
  if (!m_sink) return;
  Event event{service, phase, m_redactor.redact(std::move(detail)),
              std::chrono::duration_cast<std::chrono::milliseconds>(m_clock.now() - m_start)};
  std::lock_guard lock(m_mutex);
  m_sink(event);
}

}  // namespace edgecrew::plan
