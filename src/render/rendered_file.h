#pragma once

#include <string>

namespace edgecrew::render {

// One output file of a renderer: a name relative to the output directory, and its text.
struct RenderedFile {
  std::string name;
  std::string content;
  bool has_secrets = false;  // written with mode 0600, masked when printed
};

}  // namespace edgecrew::render
