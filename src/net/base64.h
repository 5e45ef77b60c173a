#pragma once
// Base64 (RFC 4648, standard alphabet, '=' padding), for HTTP Basic credentials.

#include <string>
#include <string_view>

namespace edgecrew::net {

std::string base64_encode(std::string_view bytes);

}  // namespace edgecrew::net
