#pragma once
// Columns padded to their widest cell, two spaces apart, the last one unpadded: ps and images.

#include <ostream>
#include <string>
#include <vector>

namespace edgecrew::cli {

void print_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows);

}  // namespace edgecrew::cli
