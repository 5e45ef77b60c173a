#include "doctor/finding.h"

namespace edgecrew::doctor {

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::pass:
      return "pass";
    case Verdict::warn:
      return "warn";
    case Verdict::fail:
      return "fail";
    case Verdict::skip:
      return "skip";
  }
  return "fail";
}

Outcome pass(std::string summary, std::vector<std::string> evidence) {
  return {Verdict::pass, std::move(summary), std::move(evidence), {}};
}
Outcome warn(std::string summary, std::vector<std::string> evidence, std::string fix) {
  return {Verdict::warn, std::move(summary), std::move(evidence), std::move(fix)};
}
Outcome fail(std::string summary, std::vector<std::string> evidence, std::string fix) {
  return {Verdict::fail, std::move(summary), std::move(evidence), std::move(fix)};
}
Outcome skip(std::string summary, std::vector<std::string> evidence) {
  return {Verdict::skip, std::move(summary), std::move(evidence), {}};
}

}  // namespace edgecrew::doctor
