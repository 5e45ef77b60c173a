#pragma once
// Finding the password of scheme://user:password@host in free text, so that whatever prints a URL
// (a probe summary, a config dump, an HTTP error) masks it the same way.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace edgecrew {

// [begin, end) of each non-empty URL password in `text`, in order.
std::vector<std::pair<std::size_t, std::size_t>> url_password_spans(std::string_view text);

// `text` with each URL password replaced by `mask`.
std::string mask_url_passwords(std::string_view text, std::string_view mask);

}  // namespace edgecrew
