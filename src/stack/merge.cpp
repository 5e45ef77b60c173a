#include "stack/merge.h"

#include <algorithm>
#include <string>
#include <unordered_map>

#include "util/strings.h"

namespace edgecrew::stack {

namespace {

bool is_one_of(const std::string& key, std::initializer_list<const char*> keys) {
  return std::any_of(keys.begin(), keys.end(), [&](const char* k) { return key == k; });
}

// The container path a service volume entry mounts at, for merging by target.
std::string mount_target(const Node& entry) {
  if (entry.is_mapping()) {
    const Node* target = entry.find("target");
    return target && target->is_scalar() ? target->scalar : std::string();
  }
  if (!entry.is_scalar()) return {};
  auto parts = split(entry.scalar, ':');
  return parts.size() >= 2 ? parts[1] : parts[0];
}

bool same_scalar(const Node& a, const Node& b) {
  return a.is_scalar() && b.is_scalar() && a.scalar == b.scalar;
}

void merge_node(Node& base, const Node& over, const std::string& key, int depth);

void merge_mapping(Node& base, const Node& over, int depth) {
  std::unordered_map<std::string, std::size_t> index;  // base's keys: linear in both mappings
  for (std::size_t i = 0; i < base.entries.size(); ++i)
    index.emplace(base.entries[i].key.scalar, i);
  for (const auto& [k, v] : over.entries) {
    if (auto it = index.find(k.scalar); it != index.end()) {
      merge_node(base.entries[it->second].value, v, k.scalar, depth + 1);
    } else {
      index.emplace(k.scalar, base.entries.size());
      base.entries.push_back({k, v});
    }
  }
}

void merge_node(Node& base, const Node& over, const std::string& key, int depth) {
  // depth 1 = top-level keys, 2 = a service or volume, 3 = a service's keys.
  bool service_key = depth >= 3;
  if (service_key && is_one_of(key, {"environment", "labels", "depends_on", "driver_opts"})) {
    Node merged = list_to_mapping(base);
    Node incoming = list_to_mapping(over);
    if (merged.is_mapping() && incoming.is_mapping()) {
      merge_mapping(merged, incoming, depth);
      base = std::move(merged);
      return;
    }
  }
  // x-edgecrew.probe holds exactly one kind: an override that names another kind replaces it.
  if (service_key && key == "probe") {
    base = over;
    return;
  }
  if (base.is_mapping() && over.is_mapping()) {
    merge_mapping(base, over, depth);
    return;
  }
  if (base.is_sequence() && over.is_sequence() && service_key &&
      !is_one_of(key, {"command", "entrypoint", "test", "profiles"})) {
    for (const auto& item : over.items) {
      auto same = [&](const Node& existing) {
        if (key == "volumes") {
          return !mount_target(existing).empty() && mount_target(existing) == mount_target(item);
        }
        return same_scalar(existing, item);
      };
      auto it = std::find_if(base.items.begin(), base.items.end(), same);
      if (it != base.items.end()) {
        *it = item;
      } else {
        base.items.push_back(item);
      }
    }
    return;
  }
  base = over;
}

}  // namespace

Node list_to_mapping(const Node& node) {
  if (!node.is_sequence()) return node;
  Node out = Node::make_mapping(node.where);
  std::unordered_map<std::string, std::size_t> index;  // key -> its entry: linear in the list
  for (const auto& item : node.items) {
    if (!item.is_scalar()) return node;  // not a KEY=VALUE list: let the decoder report it
    auto eq = item.scalar.find('=');
    std::string key = eq == std::string::npos ? item.scalar : item.scalar.substr(0, eq);
    Node value;
    value.where = item.where;
    if (eq != std::string::npos) {
      value = Node::make_scalar(item.scalar.substr(eq + 1), item.where, item.quoted);
      // Point at the value itself, after "KEY=", when the item is written on one line.
      value.where.column += static_cast<int>(eq + 1) + (item.quoted ? 1 : 0);
    }
    Node key_node = Node::make_scalar(key, item.where);
    if (auto it = index.find(key); it != index.end()) {
      out.entries[it->second].value = std::move(value);
    } else {
      index.emplace(key, out.entries.size());
      out.entries.push_back({std::move(key_node), std::move(value)});
    }
  }
  return out;
}

void merge_documents(Node& base, const Node& override_root) {
  if (!base.is_mapping() || !override_root.is_mapping()) {
    if (!override_root.is_null()) base = override_root;
    return;
  }
  merge_mapping(base, override_root, 0);
}

}  // namespace edgecrew::stack
