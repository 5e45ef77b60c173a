#pragma once
// What counts as a secret, and masking it in everything edgecrew prints.

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "stack/model.h"
#include "util/result.h"

namespace edgecrew::stack {

inline constexpr std::string_view k_mask = "********";

// A variable whose name contains PASSWORD, SECRET, TOKEN, KEY or AUTH (any case).
bool is_secret_name(std::string_view name);

// Every secret value in the stack: values of secret-named environment entries, probe passwords and
// URL passwords, plus the stack's secret_values (variables with secret names that were
// substituted).
std::vector<std::string> collect_secrets(const Stack& stack);

class Redactor {
 public:
  explicit Redactor(std::vector<std::string> secrets);
  // Masks each secret inside `text`, and the password of any URL with user:password@.
  std::string redact(std::string text) const;
  // Masks strings throughout a JSON value; values under secret-named object keys whole.
  void redact(nlohmann::ordered_json& value) const;

 private:
  std::vector<std::string> m_secrets;  // longest first, so a secret containing another goes first
};

// Appends a strong random value to `env_file` (created with mode 0600, and set to 0600) for each
// of `names` that is neither in `environment` nor already in the file; never changes a value that
// is there. Returns the names it generated.
Result<std::vector<std::string>> ensure_generated_secrets(
    const std::filesystem::path& env_file, const std::vector<std::string>& names,
    const std::map<std::string, std::string>& environment);

}  // namespace edgecrew::stack
