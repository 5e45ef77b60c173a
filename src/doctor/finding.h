#pragma once
// What one doctor check concludes: a verdict, one line of summary, the evidence behind it and the
// fix (exact commands where a command fixes it). A failed check is data, never an exception.

#include <chrono>
#include <string>
#include <vector>

namespace edgecrew::doctor {

enum class Verdict { pass, warn, fail, skip };

// "pass", "warn", "fail", "skip" (the JSON report's status values).
const char* verdict_name(Verdict v);

struct Outcome {
  Verdict verdict = Verdict::pass;
  std::string summary;                // one line: "3 specs, 2 devices"
  std::vector<std::string> evidence;  // what was read, one fact per line
  std::string fix;                    // what to do; lines starting with "$ " are commands
};

Outcome pass(std::string summary, std::vector<std::string> evidence = {});
Outcome warn(std::string summary, std::vector<std::string> evidence = {}, std::string fix = {});
Outcome fail(std::string summary, std::vector<std::string> evidence = {}, std::string fix = {});
Outcome skip(std::string summary, std::vector<std::string> evidence = {});

struct Finding {
  std::string id;       // "cdi.specs"
  std::string section;  // "cdi"
  Outcome outcome;
  std::chrono::milliseconds duration{0};
  bool ignored = false;  // --ignore ID: a failure is reported as a warning and does not count
};

}  // namespace edgecrew::doctor
