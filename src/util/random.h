#pragma once

#include <cstddef>
#include <string>

namespace edgecrew {

// A password of `length` letters and digits from the kernel's CSPRNG (getrandom).
std::string random_password(std::size_t length = 24);

}  // namespace edgecrew
