#include "stack/yaml_tree.h"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <optional>
#include <sstream>
#include <unordered_set>

#include "util/strings.h"

namespace edgecrew::stack {

namespace {

// Aliases can expand a small document into a huge tree ("billion laughs"); a stack file under the
// size cap holds fewer nodes than this (100 000 environment keys are 200 000 nodes). A recursive
// alias (an anchor used inside itself) would nest without end.
constexpr std::size_t k_max_nodes = 1'000'000;
constexpr int k_max_depth = 100;

// yaml-cpp 0.7's LoadAll never returns when a document starts at a ',' outside a flow collection
// (a stray "[a], b" or a lone ","): the token is never taken, and every turn adds another empty
// document until memory runs out (1 GB in 7 s). One pass over the parser's events first
// finds such a document: it starts where the one before it started.
class StuckDocument : public YAML::EventHandler {
 public:
  std::optional<YAML::Mark> stuck;

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (m_started && mark.pos == m_last.pos) stuck = mark;
    m_started = true;
    m_last = mark;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

 private:
  bool m_started = false;
  YAML::Mark m_last;
};

// The mark of a document yaml-cpp would never finish reading, else nullopt; throws what LoadAll
// throws for a syntax error.
std::optional<YAML::Mark> stuck_document(const std::string& text) {
  std::istringstream input(text);
  YAML::Parser parser(input);
  StuckDocument events;
  while (!events.stuck && parser.HandleNextDocument(events)) {
  }
  return events.stuck;
}

struct Converter {
  std::string file;
  Diagnostics& diags;
  std::size_t count = 0;
  int depth = 0;
  bool too_large = false;
  Location too_large_at;  // the node where the cap was reached: inside the expanding alias

  Location at(const YAML::Mark& mark) const {
    if (mark.is_null()) return {file, 0, 0};
    return {file, mark.line + 1, mark.column + 1};
  }

  Node convert(const YAML::Node& in) {
    Node out;
    out.where = at(in.Mark());
    if (++count > k_max_nodes || depth >= k_max_depth) {
      if (!too_large) too_large_at = out.where;
      too_large = true;
      return out;
    }
    ++depth;
    convert_into(in, out);
    --depth;
    return out;
  }

  void convert_into(const YAML::Node& in, Node& out) {
    switch (in.Type()) {
      case YAML::NodeType::Scalar:
        out.kind = Node::Kind::scalar;
        out.scalar = in.Scalar();
        out.quoted = in.Tag() == "!";
        break;
      case YAML::NodeType::Sequence:
        out.kind = Node::Kind::sequence;
        for (const auto& item : in) {
          out.items.push_back(convert(item));
          if (too_large) return;
        }
        break;
      case YAML::NodeType::Map:
        out.kind = Node::Kind::mapping;
        convert_mapping(in, out);
        break;
      default:
        break;
    }
  }

  void convert_mapping(const YAML::Node& in, Node& out) {
    std::vector<Node> merges;
    std::unordered_set<std::string> keys;  // out's keys: a lookup per key stays constant
    for (const auto& kv : in) {
      Node key = convert(kv.first);
      Node value = convert(kv.second);
      if (too_large) return;
      // yaml-cpp places an empty value ("a:" at the end of a line) at the next token, which may be
      // lines further on; point at its key instead.
      if (value.is_null() && value.where.line != key.where.line) value.where = key.where;
      if (key.is_scalar() && !key.quoted && key.scalar == "<<") {
        merges.push_back(std::move(value));
        continue;
      }
      if (!key.is_scalar()) {
        diags.error(key.where, "a mapping key must be a string");
        continue;
      }
      if (!keys.insert(key.scalar).second) {
        diags.error(key.where, fmt::format("duplicate key \"{}\"", key.scalar),
                    "a key may appear once in a mapping");
        continue;
      }
      out.entries.push_back({std::move(key), std::move(value)});
    }
    // Keys written in the mapping win over merged ones; earlier merge sources win over later ones.
    for (const auto& merge : merges) {
      std::vector<const Node*> sources;
      if (merge.is_sequence()) {
        for (const auto& item : merge.items) sources.push_back(&item);
      } else {
        sources.push_back(&merge);  // a mapping, or something to report below
      }
      for (const Node* source : sources) {
        if (!source->is_mapping()) {
          diags.error(source->where, "a merge key (<<) takes a mapping or a list of mappings");
          continue;
        }
        for (const auto& [k, v] : source->entries) {
          if (keys.insert(k.scalar).second) out.entries.push_back({k, v});
        }
      }
    }
  }
};

}  // namespace

const Node* Node::find(std::string_view key) const {
  for (const auto& [k, v] : entries) {
    if (k.scalar == key) return &v;
  }
  return nullptr;
}

Node* Node::find(std::string_view key) {
  for (auto& [k, v] : entries) {
    if (k.scalar == key) return &v;
  }
  return nullptr;
}

void Node::set(const std::string& key, Node value) {
  if (Node* existing = find(key)) {
    *existing = std::move(value);
    return;
  }
  entries.push_back({make_scalar(key, value.where), std::move(value)});
}

Node Node::make_scalar(std::string text, Location where, bool quoted) {
  Node n;
  n.kind = Kind::scalar;
  n.scalar = std::move(text);
  n.quoted = quoted;
  n.where = std::move(where);
  return n;
}

Node Node::make_mapping(Location where) {
  Node n;
  n.kind = Kind::mapping;
  n.where = std::move(where);
  return n;
}

const char* describe(Node::Kind kind) {
  switch (kind) {
    case Node::Kind::null:
      return "null";
    case Node::Kind::scalar:
      return "a string";
    case Node::Kind::sequence:
      return "a list";
    case Node::Kind::mapping:
      return "a mapping";
  }
  return "?";
}

std::optional<std::vector<Node>> parse_yaml_documents(const std::string& text,
                                                      const std::string& file, Diagnostics& diags) {
  // yaml-cpp misreads a NUL byte and lets bytes that are not UTF-8 through: refuse both here.
  std::size_t bad = std::min(invalid_utf8_offset(text), text.find('\0'));
  if (bad != std::string::npos) {
    auto line_start = bad == 0 ? std::string::npos : text.rfind('\n', bad - 1);
    std::size_t column = line_start == std::string::npos ? bad : bad - line_start - 1;
    int line =
        1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(bad), '\n'));
    diags.error({file, line, static_cast<int>(column) + 1},
                text[bad] == '\0' ? "the file contains a NUL byte" : "the file is not valid UTF-8",
                "save it as UTF-8 text");
    return std::nullopt;
  }
  std::vector<YAML::Node> roots;
  try {
    if (auto stuck = stuck_document(text)) {
      diags.error({file, stuck->line + 1, stuck->column + 1},
                  "YAML syntax error: did not find expected node content (',' outside a flow "
                  "collection [...] or {...})",
                  "remove it, or put the list it belongs to in [ ]");
      return std::nullopt;
    }
    roots = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    Location where{file, e.mark.is_null() ? 0 : e.mark.line + 1,
                   e.mark.is_null() ? 0 : e.mark.column + 1};
    diags.error(where, fmt::format("YAML syntax error: {}", e.msg),
                "check the indentation and quoting on this line and the one above");
    return std::nullopt;
  }
  if (roots.empty()) roots.emplace_back();  // an empty file is one null document
  std::vector<Node> out;
  for (const auto& root : roots) {
    Converter converter{file, diags, 0, 0, false, {}};
    Node doc = converter.convert(root);
    if (converter.too_large) {
      diags.error(converter.too_large_at.line > 0 ? converter.too_large_at : Location{file, 1, 1},
                  "the document is too large or nested too deeply (over 1000000 nodes "
                  "or 100 levels once aliases expand)",
                  "look for an anchor used inside itself");
      return std::nullopt;
    }
    if (doc.is_null() && doc.where.line == 0) doc.where = {file, 1, 1};
    out.push_back(std::move(doc));
  }
  return out;
}

std::optional<Node> parse_yaml(const std::string& text, const std::string& file,
                               Diagnostics& diags) {
  auto docs = parse_yaml_documents(text, file, diags);
  if (!docs) return std::nullopt;
  return std::move(docs->front());
}

}  // namespace edgecrew::stack
