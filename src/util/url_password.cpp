#include "util/url_password.h"

namespace edgecrew {

std::vector<std::pair<std::size_t, std::size_t>> url_password_spans(std::string_view text) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  std::size_t pos = 0;
  while ((pos = text.find("://", pos)) != std::string_view::npos) {
    std::size_t authority = pos + 3;
    // The authority ends at the path, query or fragment, or where the URL itself ends: at a
    // blank or a quote (JSON, YAML and shell quoting), so a later "@" in the text is not taken.
    std::size_t end = text.find_first_of("/?# \t\r\n\"'", authority);
    if (end == std::string_view::npos) end = text.size();
    // The last '@' ends the userinfo: an unencoded '@' in a password still counts.
    std::size_t at = text.rfind('@', end == 0 ? 0 : end - 1);
    if (at != std::string_view::npos && at >= authority && at < end) {
      std::size_t colon = text.find(':', authority);
      if (colon != std::string_view::npos && colon + 1 < at) out.emplace_back(colon + 1, at);
    }
    pos = authority;
  }
  return out;
}

std::string mask_url_passwords(std::string_view text, std::string_view mask) {
  std::string out(text);
  auto spans = url_password_spans(text);
  for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
    out.replace(it->first, it->second - it->first, mask);
  }
  return out;
}

}  // namespace edgecrew
