#pragma once
// A YAML document as a tree of nodes that remember their file, line and column, so that every
// message about a stack file can point at the exact place. Built from yaml-cpp's parse, with YAML
// merge keys ("<<") applied, which yaml-cpp 0.7 does not do.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/diagnostics.h"

namespace edgecrew::stack {

struct MapEntry;

struct Node {
  enum class Kind { null, scalar, sequence, mapping };

  Kind kind = Kind::null;
  std::string scalar;
  bool quoted = false;  // a quoted scalar is always a string, never a number or boolean
  std::vector<Node> items;
  std::vector<MapEntry> entries;  // mapping, in file order
  Location where;

  bool is_null() const { return kind == Kind::null; }
  bool is_scalar() const { return kind == Kind::scalar; }
  bool is_sequence() const { return kind == Kind::sequence; }
  bool is_mapping() const { return kind == Kind::mapping; }

  const Node* find(std::string_view key) const;
  Node* find(std::string_view key);
  // Sets (or replaces) a mapping entry.
  void set(const std::string& key, Node value);

  static Node make_scalar(std::string text, Location where, bool quoted = true);
  static Node make_mapping(Location where);
};

struct MapEntry {
  Node key;
  Node value;
};

const char* describe(Node::Kind kind);  // "a string", "a list", "a mapping", "null"

// Every document of `text` ("---" separates them; an empty text is one null document); on a syntax
// error adds a positioned diagnostic and returns nullopt.
std::optional<std::vector<Node>> parse_yaml_documents(const std::string& text,
                                                      const std::string& file, Diagnostics& diags);

// The first document of `text`, as parse_yaml_documents reads it.
std::optional<Node> parse_yaml(const std::string& text, const std::string& file,
                               Diagnostics& diags);

}  // namespace edgecrew::stack
