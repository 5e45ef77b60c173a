#include "doctor/runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "util/strings.h"

namespace edgecrew::doctor {

namespace {

using Clock = std::chrono::steady_clock;

// One check's result, shared between the runner and the check's thread: the thread may outlive
// the runner when it times out.
struct Slot {
  std::mutex mutex;
  std::condition_variable done;
  std::optional<Outcome> outcome;
  std::chrono::milliseconds duration{0};
};

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

int Report::count(Verdict v) const {
  return static_cast<int>(std::count_if(findings.begin(), findings.end(),
                                        [v](const Finding& f) { return f.outcome.verdict == v; }));
}

Status check_selection(const std::vector<Check>& checks, const Selection& selection) {
  const auto& sections = section_order();
  for (const auto& s : selection.only_sections) {
    if (!contains(sections, s)) {
      std::string hint = did_you_mean(s, sections);
      return Error{ErrorKind::invalid_input,
                   fmt::format("--only: no section \"{}\"{} (sections: {})", s,
                               hint.empty() ? "" : "; " + hint, join(sections, ", "))};
    }
  }
  std::vector<std::string> ids;
  for (const auto& c : checks) ids.push_back(c.id);
  for (const auto& id : selection.ignore_ids) {
    if (id == "all" || contains(ids, id)) continue;
    std::string hint = did_you_mean(id, ids);
    return Error{ErrorKind::invalid_input,
                 fmt::format("--ignore: no check \"{}\"{} (edgecrew doctor --json lists the ids)",
                             id, hint.empty() ? "" : "; " + hint)};
  }
  return Ok{};
}

Report run_checks(const std::vector<Check>& checks, const std::shared_ptr<const Facts>& facts,
                  const Selection& selection) {
  Report report;
  report.root = facts->root().string();
  auto start = Clock::now();
  std::vector<const Check*> chosen;
  for (const auto& c : checks) {
    if (selection.only_sections.empty() || contains(selection.only_sections, c.section)) {
      chosen.push_back(&c);
    }
  }
  std::vector<std::shared_ptr<Slot>> slots;
  std::vector<std::thread> threads(chosen.size());
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    const Check* c = chosen[i];
    auto slot = std::make_shared<Slot>();
    slots.push_back(slot);
    if (!c->opt_in.empty() && !contains(selection.opt_ins, c->opt_in)) {
      slot->outcome = skip("not run without " + c->opt_in);
      continue;
    }
    // Each thread owns copies of what it uses, so that it may outlive this call.
    threads[i] = std::thread([slot, facts, run = c->run] {
      auto t0 = Clock::now();
      Outcome out;
      try {
        out = run(*facts);
      } catch (const std::exception& e) {
        out = fail(fmt::format("the check itself failed: {}", e.what()));
      }
      std::lock_guard lock(slot->mutex);
      slot->duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
      slot->outcome = std::move(out);
      slot->done.notify_all();
    });
  }
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    const Check& c = *chosen[i];
    auto& slot = *slots[i];
    Finding f{c.id, c.section, {}, {}, false};
    std::unique_lock lock(slot.mutex);
    // Every check started at `start`, so each waits until its own deadline from then.
    if (slot.done.wait_until(lock, start + c.timeout, [&] { return slot.outcome.has_value(); })) {
      f.outcome = *slot.outcome;
      f.duration = slot.duration;
    } else {
      f.outcome = fail(fmt::format("timed out after {} ms ({})", c.timeout.count(), c.title), {},
                       "rerun with -v; the host is slow to answer or something hangs");
      f.duration = c.timeout;
    }
    if (contains(selection.ignore_ids, c.id) || contains(selection.ignore_ids, "all")) {
      f.ignored = true;
      if (f.outcome.verdict == Verdict::fail) f.outcome.verdict = Verdict::warn;
    }
    report.findings.push_back(std::move(f));
  }
  // A check that answered is joined: its thread ends (its libraries' per-thread state freed)
  // before edgecrew exits. One past its timeout is left to finish on its own: the report must
  // not wait for it.
  for (std::size_t i = 0; i < threads.size(); ++i) {
    if (!threads[i].joinable()) continue;
    bool answered = false;
    {
      std::lock_guard lock(slots[i]->mutex);
      answered = slots[i]->outcome.has_value();
    }
    if (answered) {
      threads[i].join();
    } else {
      threads[i].detach();
    }
  }
  report.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  return report;
}

}  // namespace edgecrew::doctor
