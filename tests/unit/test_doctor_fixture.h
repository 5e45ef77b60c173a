#pragma once
// A fixture host for the doctor's tests: a copy of tests/data/doctor/NAME in a temp dir, with the
// device nodes its nodes.txt lists created by mknod (git cannot hold device nodes, and the checks
// stat() the real node under --root rather than read numbers from a side file). Creating a node
// needs CAP_MKNOD: without it the test is skipped and says so.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "doctor/check.h"
#include "doctor/facts.h"
#include "doctor/runner.h"

namespace edgecrew::testing {

class FixtureHost {
 public:
  explicit FixtureHost(const std::string& name) {
    namespace fs = std::filesystem;
    std::string tmpl = (fs::temp_directory_path() / "edgecrew-doctor-XXXXXX").string();
    dir = ::mkdtemp(tmpl.data());
    root = dir / "root";
    fs::copy(fs::path(EDGECREW_TEST_DATA) / "doctor" / name, root, fs::copy_options::recursive);
    std::ifstream nodes(root / "nodes.txt");
    std::string line;
    while (std::getline(nodes, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream in(line);
      char type = 0;
      unsigned major = 0, minor = 0;
      std::string path;
      in >> type >> major >> minor >> path;
      fs::create_directories((root / path).parent_path());
      mode_t mode = (type == 'b' ? S_IFBLK : S_IFCHR) | 0666;
      if (::mknod((root / path).c_str(), mode, ::makedev(major, minor)) != 0) {
        skip_reason = "cannot create the fixture's device nodes with mknod (" +
                      std::string(std::strerror(errno)) + "); needs root or CAP_MKNOD";
        return;
      }
    }
    fs::remove(root / "nodes.txt");
  }
  ~FixtureHost() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  // Inputs with every I/O edge a fixture: NVML absent, Podman unknown, 500 GiB free.
  doctor::Inputs inputs() const {
    doctor::Inputs in;
    in.root = root;
    in.free_bytes = [](const std::filesystem::path&) -> std::optional<std::uint64_t> {
      return std::uint64_t{500} << 30;
    };
    return in;
  }

  doctor::Report run(const doctor::Inputs& in, doctor::Selection selection = {}) const {
    return doctor::run_checks(doctor::catalogue(), std::make_shared<doctor::Facts>(in), selection);
  }
  doctor::Report run() const { return run(inputs()); }

  std::filesystem::path dir;
  std::filesystem::path root;
  std::string skip_reason;
};

inline const doctor::Finding& finding(const doctor::Report& report, const std::string& id) {
  for (const auto& f : report.findings) {
    if (f.id == id) return f;
  }
  static doctor::Finding none{"(missing " + id + ")", "", {}, {}, false};
  ADD_FAILURE() << "no finding " << id;
  return none;
}

// The finding `id` of a report, copied: for a report that is a temporary (`run(...)` in place).
inline doctor::Finding finding_of(const doctor::Report& report, const std::string& id) {
  return finding(report, id);
}

// A finding as a person reads it: the verdict and summary, the evidence lines, the fix.
inline std::string finding_text(const doctor::Finding& f) {
  std::string out =
      std::string(doctor::verdict_name(f.outcome.verdict)) + ": " + f.outcome.summary + "\n";
  for (const auto& e : f.outcome.evidence) out += "  " + e + "\n";
  return out + f.outcome.fix;
}

inline std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

}  // namespace edgecrew::testing

#define EDGECREW_FIXTURE_HOST(var, name)      \
  ::edgecrew::testing::FixtureHost var(name); \
  if (!var.skip_reason.empty()) GTEST_SKIP() << var.skip_reason
