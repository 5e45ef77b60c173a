#pragma once
// A doctor check: a stable id, its section, its own timeout and the function that looks. A section
// is a list of checks returned by one function (checks_gpu.cpp, checks_cdi.cpp, ...); the catalogue
// concatenates the sections, so a new section is a new file, its function declared below, and its
// name and function added to section_order() and catalogue() in catalogue.cpp.

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "doctor/facts.h"
#include "doctor/finding.h"

namespace edgecrew::doctor {

// Reading host files takes milliseconds; a check that talks to a socket sets its own.
inline constexpr std::chrono::milliseconds k_default_check_timeout{5000};

struct Check {
  std::string id;       // "<section>.<name>", stable and documented in docs/DOCTOR.md
  std::string section;  // one of section_order()
  std::string title;    // what it looks at, for `doctor --list` and the docs
  std::function<Outcome(const Facts&)> run;
  std::chrono::milliseconds timeout = k_default_check_timeout;
  // "" for a check that always runs; else the flag that enables it ("--smoke",
  // "--check-services"): without it the check is reported as skipped, naming the flag.
  std::string opt_in = {};
};

// The sections in report order: gpu, cdi, cri, crio-config, runtime, storage, network, images,
// services, smoke.
const std::vector<std::string>& section_order();

// Every check, in report order.
std::vector<Check> catalogue();

// One function per section.
std::vector<Check> gpu_checks();
std::vector<Check> cdi_checks();
std::vector<Check> crio_config_checks();
std::vector<Check> runtime_checks();
std::vector<Check> rootless_checks();  // in section "runtime", after runtime_checks
std::vector<Check> storage_checks();
std::vector<Check> network_checks();
std::vector<Check> cri_checks();
std::vector<Check> images_checks();
std::vector<Check> services_checks();
std::vector<Check> smoke_checks();

}  // namespace edgecrew::doctor
