#include "doctor/report.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "doctor/check.h"
#include "util/strings.h"

namespace edgecrew::doctor {

namespace {

const char* mark(Verdict v) {
  switch (v) {
    case Verdict::pass:
      return "✔";
    case Verdict::warn:
      return "!";
    case Verdict::fail:
      return "✘";
    case Verdict::skip:
      return "-";
  }
  return "?";
}

const char* colour_of(Verdict v) {
  switch (v) {
    case Verdict::pass:
      return "\033[32m";
    case Verdict::warn:
      return "\033[33m";
    case Verdict::fail:
      return "\033[31m";
    case Verdict::skip:
      return "\033[2m";
  }
  return "";
}

std::string plural(int n, const char* one, const char* many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

}  // namespace

std::string report_text(const Report& report, const TextOptions& options) {
  std::size_t width = 0;
  for (const auto& f : report.findings) width = std::max(width, f.id.size());
  std::string out;
  for (const auto& section : section_order()) {
    bool header = false;
    for (const auto& f : report.findings) {
      if (f.section != section) continue;
      if (!header) {
        out += (out.empty() ? "" : "\n") + section + "\n";
        header = true;
      }
      const auto& o = f.outcome;
      std::string m = options.colour
                          ? fmt::format("{}{}\033[0m", colour_of(o.verdict), mark(o.verdict))
                          : mark(o.verdict);
      std::string line = fmt::format("  {} {:<{}}  {}{}", m, f.id, width,
                                     f.ignored ? "(ignored) " : "", o.summary);
      if (options.verbose) line += fmt::format(" ({} ms)", f.duration.count());
      out += line + "\n";
      bool details = options.verbose || o.verdict == Verdict::fail || o.verdict == Verdict::warn;
      if (!details) continue;
      for (const auto& e : o.evidence) out += "      " + e + "\n";
      if (!o.fix.empty()) {
        auto lines = split(o.fix, '\n');
        out += "      fix: " + lines.front() + "\n";
        for (std::size_t i = 1; i < lines.size(); ++i) out += "           " + lines[i] + "\n";
      }
    }
  }
  out += fmt::format(
      "\n{}, {}, {}, {} in {} ms\n", plural(report.count(Verdict::pass), "passed", "passed"),
      plural(report.count(Verdict::warn), "warning", "warnings"),
      plural(report.count(Verdict::fail), "failed", "failed"),
      plural(report.count(Verdict::skip), "skipped", "skipped"), report.duration.count());
  return out;
}

std::string report_json(const Report& report) {
  nlohmann::ordered_json doc;
  doc["schema"] = "edgecrew.doctor/v1";
  doc["root"] = report.root;
  doc["status"] = report.failed() ? "fail" : (report.count(Verdict::warn) > 0 ? "warn" : "pass");
  doc["counts"] = {{"pass", report.count(Verdict::pass)},
                   {"warn", report.count(Verdict::warn)},
                   {"fail", report.count(Verdict::fail)},
                   {"skip", report.count(Verdict::skip)}};
  doc["duration_ms"] = report.duration.count();
  doc["checks"] = nlohmann::ordered_json::array();
  for (const auto& f : report.findings) {
    nlohmann::ordered_json c;
    c["id"] = f.id;
    c["section"] = f.section;
    c["status"] = verdict_name(f.outcome.verdict);
    c["summary"] = f.outcome.summary;
    c["evidence"] = f.outcome.evidence;
    c["fix"] = f.outcome.fix;
    c["duration_ms"] = f.duration.count();
    c["ignored"] = f.ignored;
    doc["checks"].push_back(std::move(c));
  }
  return doc.dump(2) + "\n";
}

}  // namespace edgecrew::doctor
