#include "host/crio_config.h"

#include <algorithm>

#include "host/host_path.h"
#include "host/toml_read.h"
#include "util/fs.h"

namespace edgecrew::host {

namespace fs = std::filesystem;

namespace {

template <typename T>
void set(std::optional<Setting<T>>& out, std::optional<T> value, const toml::table& t,
         std::string_view key, const std::string& file) {
  if (value) out = Setting<T>{std::move(*value), toml_read::at(*t.get(key), file)};
}

}  // namespace

void apply_crio_config_text(CrioConfig& config, std::string_view text, const std::string& file) {
  config.files.push_back(file);
  auto& d = config.diagnostics;
  auto doc = toml_read::parse(text, file, d);
  if (!doc) return;
  const toml::table* crio = (*doc)["crio"].as_table();
  if (crio == nullptr) return;
  set(config.root, toml_read::string_at(*crio, "root", file, d), *crio, "root", file);
  set(config.runroot, toml_read::string_at(*crio, "runroot", file, d), *crio, "runroot", file);
  set(config.storage_driver, toml_read::string_at(*crio, "storage_driver", file, d), *crio,
      "storage_driver", file);
  if (const toml::table* net = (*crio)["network"].as_table()) {
    set(config.network_dir, toml_read::string_at(*net, "network_dir", file, d), *net, "network_dir",
        file);
    set(config.plugin_dirs, toml_read::strings_at(*net, "plugin_dirs", file, d), *net,
        "plugin_dirs", file);
  }
  const toml::table* rt = (*crio)["runtime"].as_table();
  if (rt == nullptr) return;
  set(config.default_runtime, toml_read::string_at(*rt, "default_runtime", file, d), *rt,
      "default_runtime", file);
  set(config.cdi_spec_dirs, toml_read::strings_at(*rt, "cdi_spec_dirs", file, d), *rt,
      "cdi_spec_dirs", file);
  set(config.hooks_dir, toml_read::strings_at(*rt, "hooks_dir", file, d), *rt, "hooks_dir", file);
  const toml::node* runtimes_node = rt->get("runtimes");
  if (runtimes_node == nullptr) return;
  const toml::table* runtimes = runtimes_node->as_table();
  if (runtimes == nullptr) {
    d.error(toml_read::at(*runtimes_node, file),
            "\"crio.runtime.runtimes\" must be a table of handlers");
    return;
  }
  for (const auto& [key, node] : *runtimes) {
    std::string name(key.str());
    const toml::table* t = node.as_table();
    if (t == nullptr) {
      d.error(toml_read::at(node, file), "crio.runtime.runtimes." + name + " must be a table");
      continue;
    }
    auto& r = config.runtimes[name];
    r.name = name;
    r.where = toml_read::at(node, file);
    set(r.runtime_path, toml_read::string_at(*t, "runtime_path", file, d), *t, "runtime_path",
        file);
    set(r.runtime_type, toml_read::string_at(*t, "runtime_type", file, d), *t, "runtime_type",
        file);
    set(r.runtime_root, toml_read::string_at(*t, "runtime_root", file, d), *t, "runtime_root",
        file);
  }
}

CrioConfig read_crio_config(const fs::path& root) {
  CrioConfig config;
  std::string main(k_crio_conf);
  if (auto text = read_file(under(root, main))) apply_crio_config_text(config, *text, main);
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(under(root, std::string(k_crio_conf_d)), ec), end;
       !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.ends_with(".conf") && !it->is_directory(ec)) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    std::string file = std::string(k_crio_conf_d) + "/" + name;
    auto text = read_file(under(root, file));
    if (!text) {
      config.files.push_back(file);
      config.diagnostics.error({file, 0, 0}, text.error().message);
      continue;
    }
    apply_crio_config_text(config, *text, file);
  }
  return config;
}

}  // namespace edgecrew::host
