#include "stack/secrets.h"

#include <algorithm>

#include "stack/dotenv.h"
#include "util/fs.h"
#include "util/random.h"
#include "util/strings.h"

namespace edgecrew::stack {

namespace {

// Secrets shorter than this would mask ordinary words ("no", "on").
constexpr std::size_t k_min_secret_length = 3;

// The password in scheme://user:password@host..., as [begin, end) offsets.
std::vector<std::pair<std::size_t, std::size_t>> url_passwords(const std::string& text) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  std::size_t pos = 0;
  while ((pos = text.find("://", pos)) != std::string::npos) {
    std::size_t authority = pos + 3;
    // The authority ends at the path, query or fragment, or where the URL itself ends: at a
    // blank or a quote (JSON, YAML and shell quoting), so a later "@" in the text is not taken.
    std::size_t end = text.find_first_of("/?# \t\r\n\"'", authority);
    if (end == std::string::npos) end = text.size();
    std::size_t at = text.rfind('@', end);
    if (at != std::string::npos && at >= authority) {
      std::size_t colon = text.find(':', authority);
      if (colon != std::string::npos && colon < at && colon + 1 < at)
        out.emplace_back(colon + 1, at);
    }
    pos = authority;
  }
  return out;
}

std::string url_password(const std::string& url) {
  auto found = url_passwords(url);
  return found.empty() ? std::string()
                       : url.substr(found[0].first, found[0].second - found[0].first);
}

// A value that switches something rather than holds a secret (NEO4J_AUTH=none,
// ALLOW_EMPTY_PASSWORD=yes): masking it would mask every "none" or "yes" in the output.
bool is_setting(const std::string& value) {
  static const std::vector<std::string> words = {"none", "true", "false", "yes",
                                                 "no",   "on",   "off",   "null"};
  return std::find(words.begin(), words.end(), to_lower(value)) != words.end();
}

}  // namespace

bool is_secret_name(std::string_view name) {
  std::string upper(name);
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  for (std::string_view word : {"PASSWORD", "SECRET", "TOKEN", "KEY", "AUTH"}) {
    if (upper.find(word) != std::string::npos) return true;
  }
  return false;
}

std::vector<std::string> collect_secrets(const Stack& stack) {
  std::vector<std::string> out = stack.secret_values;
  for (const auto& s : stack.services) {
    for (const auto& [k, v] : s.environment) {
      if (!is_secret_name(k)) continue;
      out.push_back(v);
      // USER/PASSWORD (NEO4J_AUTH): the password alone may appear elsewhere.
      if (auto slash = v.find('/'); slash != std::string::npos) out.push_back(v.substr(slash + 1));
    }
    if (s.probe) {
      out.push_back(s.probe->password);
      out.push_back(url_password(s.probe->url));
    }
  }
  std::erase_if(out, is_setting);
  return out;
}

Redactor::Redactor(std::vector<std::string> secrets) {
  for (auto& s : secrets) {
    if (s.size() >= k_min_secret_length &&
        std::find(m_secrets.begin(), m_secrets.end(), s) == m_secrets.end()) {
      m_secrets.push_back(std::move(s));
    }
  }
  std::sort(m_secrets.begin(), m_secrets.end(),
            [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

std::string Redactor::redact(std::string text) const {
  for (const auto& secret : m_secrets) text = replace_all(std::move(text), secret, k_mask);
  auto found = url_passwords(text);
  for (auto it = found.rbegin(); it != found.rend(); ++it) {
    if (text.compare(it->first, it->second - it->first, k_mask) != 0) {
      text.replace(it->first, it->second - it->first, k_mask);
    }
  }
  return text;
}

void Redactor::redact(nlohmann::ordered_json& value) const {
  if (value.is_string()) {
    value = redact(value.get<std::string>());
  } else if (value.is_object()) {
    for (auto& [key, child] : value.items()) {
      if (child.is_string() && is_secret_name(key) &&
          !child.get_ref<const std::string&>().empty()) {
        child = std::string(k_mask);
      } else {
        redact(child);
      }
    }
  } else if (value.is_array()) {
    for (auto& child : value) redact(child);
  }
}

Result<std::vector<std::string>> ensure_generated_secrets(
    const std::filesystem::path& env_file, const std::vector<std::string>& names,
    const std::map<std::string, std::string>& environment) {
  std::string content;
  auto existing = read_file(env_file);
  if (existing) {
    content = std::move(*existing);
  } else if (existing.error().kind != ErrorKind::not_found) {
    return existing.error();
  }
  Diagnostics ignored;
  auto present = parse_dotenv(
      content, env_file.string(), [](const std::string&) { return std::nullopt; }, ignored);
  std::vector<std::string> generated;
  std::string added;
  for (const auto& name : names) {
    if (environment.contains(name) || present.contains(name)) continue;
    added += name + "=" + random_password() + "\n";
    generated.push_back(name);
  }
  if (generated.empty()) return generated;
  if (!content.empty() && content.back() != '\n') content += "\n";
  if (content.empty()) content = "# Generated by edgecrew. Keep this file private (mode 0600).\n";
  std::error_code ec;
  std::filesystem::create_directories(env_file.parent_path(), ec);
  auto written = write_file_atomic(env_file, content + added, 0600);
  if (!written) return written.error();
  return generated;
}

}  // namespace edgecrew::stack
