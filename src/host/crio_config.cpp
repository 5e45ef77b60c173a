#include "host/crio_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "host/host_path.h"
#include "host/toml_read.h"
#include "util/fs.h"
#include "util/strings.h"

namespace edgecrew::host {

namespace fs = std::filesystem;

namespace {

// The spec of `key` in `table` (a pattern such as "crio.runtime.runtimes.*"): an exact match,
// else one equal ignoring case, as CRI-O's TOML decoder (BurntSushi) matches keys to fields.
const CrioKey* find_key(std::string_view table, std::string_view key) {
  const CrioKey* folded = nullptr;
  for (const auto& k : crio_keys()) {
    if (k.table != table) continue;
    if (k.key == key) return &k;
    if (folded == nullptr && k.key.size() == key.size() &&
        std::equal(key.begin(), key.end(), k.key.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      folded = &k;
    }
  }
  return folded;
}

std::vector<std::string> keys_of(std::string_view table) {
  std::vector<std::string> out;
  for (const auto& k : crio_keys()) {
    if (k.table == table) out.emplace_back(k.key);
  }
  return out;
}

const char* kind_name(KeyKind kind) {
  switch (kind) {
    case KeyKind::table:
    case KeyKind::handlers:
      return "a table";
    case KeyKind::string:
      return "a string";
    case KeyKind::boolean:
      return "a boolean (true or false)";
    case KeyKind::integer:
    case KeyKind::uinteger:
      return "an integer";
    case KeyKind::duration:
      return "a duration (\"10s\", or an integer of nanoseconds)";
    case KeyKind::strings:
      return "an array of strings";
    case KeyKind::string_map:
      return "a table of strings";
  }
  return "?";
}

// Go's time.ParseDuration: an optional sign, then one or more decimal numbers each with a unit
// (ns, us, µs, ms, s, m, h), or "0".
bool go_duration(std::string_view s) {
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) s.remove_prefix(1);
  if (s == "0") return true;
  if (s.empty()) return false;
  while (!s.empty()) {
    std::size_t digits = 0;
    while (digits < s.size() &&
           (std::isdigit(static_cast<unsigned char>(s[digits])) != 0 || s[digits] == '.')) {
      ++digits;
    }
    if (digits == 0 || s.substr(0, digits) == ".") return false;
    s.remove_prefix(digits);
    bool unit = false;
    for (std::string_view u : {"ns", "us", "\u00b5s", "\u03bcs", "ms", "s", "m", "h"}) {
      if (s.starts_with(u)) {
        s.remove_prefix(u.size());
        unit = true;
        break;
      }
    }
    if (!unit) return false;
  }
  return true;
}

std::string value_text(const toml::node& n) {
  if (const auto* s = n.as_string()) return s->get();
  if (const auto* b = n.as_boolean()) return b->get() ? "true" : "false";
  if (const auto* i = n.as_integer()) return std::to_string(i->get());
  if (const auto* f = n.as_floating_point()) return fmt::format("{}", f->get());
  if (const auto* a = n.as_array()) {
    std::vector<std::string> items;
    for (const auto& item : *a) items.push_back(value_text(item));
    return "[" + join(items, ", ") + "]";
  }
  if (const auto* t = n.as_table()) {
    std::vector<std::string> items;
    for (const auto& [k, v] : *t) items.push_back(std::string(k.str()) + " = " + value_text(v));
    return "{" + join(items, ", ") + "}";
  }
  return "(date or time)";
}

// Whether `n` has the type CRI-O's decoder wants; the reason when it has not.
std::optional<std::string> type_error(const toml::node& n, KeyKind kind) {
  bool ok = false;
  switch (kind) {
    case KeyKind::table:
    case KeyKind::handlers:
      ok = n.is_table();
      break;
    case KeyKind::string:
      ok = n.is_string();
      break;
    case KeyKind::boolean:
      ok = n.is_boolean();
      break;
    case KeyKind::integer:
    case KeyKind::uinteger:
      ok = n.is_integer();
      break;
    case KeyKind::duration:
      if (const auto* s = n.as_string()) {
        if (!go_duration(s->get())) {
          return fmt::format(
              "\"{}\" is not a duration (Go's time.ParseDuration: \"300ms\", \"10s\", "
              "\"1m30s\")",
              s->get());
        }
        return std::nullopt;
      }
      ok = n.is_integer();
      break;
    case KeyKind::strings:
      if (const auto* a = n.as_array()) {
        for (const auto& item : *a) {
          if (!item.is_string()) {
            return fmt::format("must hold strings only, not {}", toml_read::type_name(item));
          }
        }
        return std::nullopt;
      }
      break;
    case KeyKind::string_map:
      if (const auto* t = n.as_table()) {
        for (const auto& [k, v] : *t) {
          if (!v.is_string()) {
            return fmt::format("must map names to strings; \"{}\" is {}", k.str(),
                               toml_read::type_name(v));
          }
        }
        return std::nullopt;
      }
      break;
  }
  if (ok) return std::nullopt;
  return fmt::format("must be {}, not {}", kind_name(kind), toml_read::type_name(n));
}

template <typename T>
void set(std::optional<Setting<T>>& out, std::optional<T> value, const toml::node& n,
         const std::string& file) {
  if (value) out = Setting<T>{std::move(*value), toml_read::at(n, file)};
}

std::optional<std::string> as_string(const toml::node& n) {
  if (const auto* s = n.as_string()) return s->get();
  return std::nullopt;
}

std::optional<std::vector<std::string>> as_strings(const toml::node& n) {
  const auto* a = n.as_array();
  if (a == nullptr) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& item : *a) {
    if (const auto* s = item.as_string()) out.push_back(s->get());
  }
  return out;
}

class FileReader {
 public:
  FileReader(CrioConfig& config, const std::string& file) : m_config(config), m_file(file) {}

  void read(const toml::table& doc) {
    for (const auto& [k, node] : doc) {
      std::string key(k.str());
      if (key != "crio") {
        ignored(node, key, "");
        continue;
      }
      if (!node.is_table()) {
        refuse(node, "crio", fmt::format("must be a table, not {}", toml_read::type_name(node)));
        continue;
      }
      walk(*node.as_table(), "crio", "crio");
    }
  }

 private:
  // `path`: the table as written ("crio.runtime.runtimes.nvidia"); `pattern`: its spec table.
  void walk(const toml::table& t, const std::string& path, const std::string& pattern) {
    for (const auto& [k, node] : t) {
      std::string written(k.str());
      const CrioKey* spec = find_key(pattern, written);
      if (spec == nullptr) {
        ignored(node, path + "." + written, pattern);
        continue;
      }
      const std::string key = path + "." + std::string(spec->key);
      if (auto why = type_error(node, spec->kind)) {
        refuse(node, key, *why);
        continue;
      }
      if (spec->deprecated) {
        m_config.diagnostics.warning(toml_read::at(node, m_file),
                                     fmt::format("{} is deprecated in CRI-O", key),
                                     "see crio.conf(5) for what replaces it");
      }
      if (spec->kind == KeyKind::table) {
        walk(*node.as_table(), key, std::string(pattern) + "." + std::string(spec->key));
      } else if (spec->kind == KeyKind::handlers) {
        handlers(*node.as_table(), key, std::string(pattern) + "." + std::string(spec->key) + ".*");
      } else {
        value(node, key);
      }
    }
  }

  // Each [crio.runtime.runtimes.NAME] a file writes is decoded into a new handler that replaces
  // the earlier one of that name: keys it does not repeat are gone, not inherited.
  void handlers(const toml::table& t, const std::string& path, const std::string& pattern) {
    for (const auto& [k, node] : t) {
      std::string name(k.str());
      std::string prefix = path + "." + name + ".";
      if (!node.is_table()) {
        refuse(node, path + "." + name,
               fmt::format("must be a table, not {}", toml_read::type_name(node)));
        continue;
      }
      for (auto it = m_config.values.lower_bound(prefix);
           it != m_config.values.end() && it->first.starts_with(prefix);) {
        it = m_config.values.erase(it);
      }
      if (path == "crio.runtime.runtimes") runtime(name, *node.as_table());
      walk(*node.as_table(), path + "." + name, pattern);
    }
  }

  void runtime(const std::string& name, const toml::table& t) {
    CrioRuntime r;
    r.name = name;
    r.where = toml_read::at(t, m_file);
    for (const auto& [k, node] : t) {
      const CrioKey* spec = find_key("crio.runtime.runtimes.*", k.str());
      if (spec == nullptr || !node.is_string()) continue;
      if (spec->key == "runtime_path") set(r.runtime_path, as_string(node), node, m_file);
      if (spec->key == "runtime_type") set(r.runtime_type, as_string(node), node, m_file);
      if (spec->key == "runtime_root") set(r.runtime_root, as_string(node), node, m_file);
      if (spec->key == "monitor_path") set(r.monitor_path, as_string(node), node, m_file);
    }
    m_config.runtimes[name] = std::move(r);
  }

  void value(const toml::node& n, const std::string& key) {
    Location where = toml_read::at(n, m_file);
    auto& c = m_config;
    if (key == "crio.storage_option" && c.values.contains(key)) {
      // CRI-O appends a drop-in's storage options to the earlier ones, without duplicates.
      // CRI-O appends a drop-in's storage options to the earlier ones; a repeated one moves to
      // where it was last given.
      auto items = c.values[key].items;
      for (const auto& add : as_strings(n).value_or(std::vector<std::string>{})) {
        items.erase(std::remove(items.begin(), items.end(), add), items.end());
        items.push_back(add);
      }
      c.values[key] = {"[" + join(items, ", ") + "]", items, where};
      return;
    }
    if ((key == "crio.root" || key == "crio.runroot" || key == "crio.storage_driver") &&
        value_text(n).empty()) {
      return;  // CRI-O keeps the earlier value when a file leaves these empty
    }
    c.values[key] = {value_text(n), as_strings(n).value_or(std::vector<std::string>{}), where};
    if (key == "crio.root") set(c.root, as_string(n), n, m_file);
    if (key == "crio.runroot") set(c.runroot, as_string(n), n, m_file);
    if (key == "crio.storage_driver") set(c.storage_driver, as_string(n), n, m_file);
    if (key == "crio.network.network_dir") set(c.network_dir, as_string(n), n, m_file);
    if (key == "crio.network.plugin_dirs") set(c.plugin_dirs, as_strings(n), n, m_file);
    if (key == "crio.runtime.default_runtime") set(c.default_runtime, as_string(n), n, m_file);
    if (key == "crio.runtime.cdi_spec_dirs") set(c.cdi_spec_dirs, as_strings(n), n, m_file);
    if (key == "crio.runtime.hooks_dir") set(c.hooks_dir, as_strings(n), n, m_file);
    if (key == "crio.runtime.log_level") set(c.log_level, as_string(n), n, m_file);
    if (key == "crio.runtime.cgroup_manager") set(c.cgroup_manager, as_string(n), n, m_file);
    if (key == "crio.runtime.conmon_cgroup") set(c.conmon_cgroup, as_string(n), n, m_file);
    if (key == "crio.runtime.default_ulimits") set(c.default_ulimits, as_strings(n), n, m_file);
    if (key == "crio.image.image_volumes") set(c.image_volumes, as_string(n), n, m_file);
  }

  void refuse(const toml::node& n, const std::string& key, const std::string& why) {
    m_config.diagnostics.error(
        toml_read::at(n, m_file), fmt::format("{} {}: CRI-O refuses to start", key, why),
        "CRI-O's decoder stops at a value of the wrong type (\"incompatible types\")");
  }

  void ignored(const toml::node& n, const std::string& key, const std::string& pattern) {
    std::string written = key.substr(key.rfind('.') + 1);
    std::string hint = pattern.empty() ? "" : did_you_mean(written, keys_of(pattern));
    m_config.diagnostics.warning(
        toml_read::at(n, m_file),
        fmt::format("{} is not a CRI-O setting: CRI-O ignores it without a word", key),
        hint.empty() ? "remove it, or check the name against crio.conf(5)" : hint);
  }

  CrioConfig& m_config;
  const std::string& m_file;
};

// crio.conf.d(5): every file below the directory, in lexical order, subdirectories walked where
// they fall in that order (Go's filepath.Walk).
void collect_dropins(const fs::path& dir, const std::string& host_dir,
                     std::vector<std::string>& out) {
  std::vector<std::pair<std::string, bool>> entries;  // name, is a directory
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code sec;
    entries.emplace_back(it->path().filename().string(), it->is_directory(sec));
  }
  std::sort(entries.begin(), entries.end());
  for (const auto& [name, is_dir] : entries) {
    if (is_dir) {
      collect_dropins(dir / name, host_dir + "/" + name, out);
    } else {
      out.push_back(host_dir + "/" + name);
    }
  }
}

}  // namespace

const CrioValue* CrioConfig::value(const std::string& key) const {
  auto it = values.find(key);
  return it == values.end() ? nullptr : &it->second;
}

void apply_crio_config_text(CrioConfig& config, std::string_view text, const std::string& file) {
  config.files.push_back(file);
  auto doc = toml_read::parse(text, file, config.diagnostics);
  if (!doc) return;
  FileReader(config, file).read(*doc);
}

CrioConfig read_crio_config(const fs::path& root) {
  CrioConfig config;
  std::string main(k_crio_conf);
  if (auto text = read_file(under(root, main))) apply_crio_config_text(config, *text, main);
  std::vector<std::string> files;
  collect_dropins(under(root, std::string(k_crio_conf_d)), std::string(k_crio_conf_d), files);
  for (const auto& file : files) {
    auto text = read_file(under(root, file));
    if (!text) {
      config.files.push_back(file);
      config.diagnostics.error({file, 0, 0}, text.error().message + ": CRI-O refuses to start");
      continue;
    }
    apply_crio_config_text(config, *text, file);
  }
  return config;
}

}  // namespace edgecrew::host
