#include "util/random.h"

#include <sys/random.h>

#include <stdexcept>
#include <string_view>

namespace edgecrew {

std::string random_password(std::size_t length) {
  constexpr std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  // 248 is the largest multiple of 62 below 256: rejecting bytes above it keeps the draw uniform.
  constexpr unsigned char limit = 248;
  std::string out;
  while (out.size() < length) {
    unsigned char buf[64];
    ssize_t n = ::getrandom(buf, sizeof buf, 0);
    if (n <= 0) throw std::runtime_error("getrandom failed: no randomness for a password");
    for (ssize_t i = 0; i < n && out.size() < length; ++i) {
      if (buf[i] < limit) out.push_back(alphabet[buf[i] % alphabet.size()]);
    }
  }
  return out;
}

}  // namespace edgecrew
