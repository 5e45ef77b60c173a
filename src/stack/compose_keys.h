#pragma once
// Every key the Compose specification defines in the mappings edgecrew reads, and what edgecrew
// does with each: one table, used by the loader to report a key and by docs/COMPOSE-SUPPORT.md's
// test to hold the document to it. The key lists follow the specification's JSON schema
// (compose-spec.json as compose-go carries it, 2026-07).

#include <string_view>
#include <vector>

namespace edgecrew::stack {

enum class KeySupport {
  supported,  // read, validated and applied
  ignored,    // accepted with a warning that says why
  rejected,   // an error that says what to do instead
};

struct ComposeKey {
  std::string_view name;
  KeySupport support;
  std::string_view why;  // the warning's or the error's hint; may be empty for supported keys
};

struct ComposeSection {
  std::string_view id;  // "service", "deploy.resources", ...
  std::vector<ComposeKey> keys;
};

const std::vector<ComposeSection>& compose_sections();

// The section with this id; an unknown id is a programming error (std::out_of_range).
const ComposeSection& compose_section(std::string_view id);

// The key in the section, or nullptr when the specification does not define it there.
const ComposeKey* find_compose_key(const ComposeSection& section, std::string_view name);

std::string_view to_string(KeySupport support);

}  // namespace edgecrew::stack
