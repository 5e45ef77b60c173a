#pragma once
// The CDI library's rules for a parsed spec, per cdiVersion: the version is known, every field used
// exists in that version, names are valid, edits are well formed, no device name repeats.

#include <string>
#include <vector>

#include "cdi/spec.h"
#include "util/diagnostics.h"

namespace edgecrew::cdi {

// The versions the current CDI library knows, oldest first ("0.1.0" and "0.2.0" are no longer
// accepted by it).
const std::vector<std::string>& known_versions();

// -1, 0, 1 like strcmp, for "MAJOR.MINOR.PATCH" (an optional leading "v" is ignored).
int compare_versions(const std::string& a, const std::string& b);

// A feature of a spec that needs a newer cdiVersion than 0.3.0, and where it is used.
struct VersionNeed {
  std::string version;  // "0.5.0"
  std::string feature;  // "deviceNodes[].hostPath"
  Location where;
};

// Every feature newer than 0.3.0 that the spec uses, newest first.
std::vector<VersionNeed> version_needs(const Spec& spec);

// What this library accepts but released CDI libraries (v1.1.0 and older, so Podman 4.3's too)
// refuse at any cdiVersion: a device node's permissions "none". `version` is empty.
std::vector<VersionNeed> older_library_refusals(const Spec& spec);

// The lowest cdiVersion the spec's content needs ("0.3.0" when nothing newer is used).
std::string minimum_version(const Spec& spec);

// Every rule the CDI library applies to a parsed spec (errors), in file order.
Diagnostics validate_spec(const Spec& spec);

// The library's rules for names: vendor and class start with a letter; "" when `name` is fine.
std::string vendor_problem(const std::string& vendor);
std::string class_problem(const std::string& clazz);
std::string device_name_problem(const std::string& name);

// The key rule of the library's schema validator (Kubernetes' qualified name, any case); the
// library's spec loading does not apply it, so validate_spec reports it as a warning.
std::string annotation_key_problem(const std::string& key);

}  // namespace edgecrew::cdi
