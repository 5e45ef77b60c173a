#include "host/containers_conf.h"

#include <algorithm>

#include "host/host_path.h"
#include "host/toml_read.h"
#include "util/fs.h"

namespace edgecrew::host {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> conf_files(const fs::path& root, const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(under(root, dir), ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.ends_with(".conf") && !it->is_directory(ec)) names.push_back(dir + "/" + name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

void apply_registries(RegistriesConf& out, std::string_view text, const std::string& file) {
  out.files.push_back(file);
  auto doc = toml_read::parse(text, file, out.diagnostics);
  if (!doc) return;
  if (auto v =
          toml_read::strings_at(*doc, "unqualified-search-registries", file, out.diagnostics)) {
    out.unqualified_search = Setting<std::vector<std::string>>{
        *v, toml_read::at(*doc->get("unqualified-search-registries"), file)};
  }
}

void apply_containers(ContainersConf& out, std::string_view text, const std::string& file) {
  out.files.push_back(file);
  auto doc = toml_read::parse(text, file, out.diagnostics);
  if (!doc) return;
  if (const toml::table* c = (*doc)["containers"].as_table()) {
    if (auto v = toml_read::strings_at(*c, "default_ulimits", file, out.diagnostics)) {
      out.default_ulimits =
          Setting<std::vector<std::string>>{*v, toml_read::at(*c->get("default_ulimits"), file)};
    }
  }
  if (const toml::table* e = (*doc)["engine"].as_table()) {
    if (auto v = toml_read::string_at(*e, "runtime", file, out.diagnostics)) {
      out.runtime = Setting<std::string>{*v, toml_read::at(*e->get("runtime"), file)};
    }
    if (auto v = toml_read::strings_at(*e, "helper_binaries_dir", file, out.diagnostics)) {
      out.helper_binaries_dir = Setting<std::vector<std::string>>{
          *v, toml_read::at(*e->get("helper_binaries_dir"), file)};
    }
  }
  if (const toml::table* n = (*doc)["network"].as_table()) {
    if (auto v = toml_read::string_at(*n, "network_backend", file, out.diagnostics)) {
      out.network_backend =
          Setting<std::string>{*v, toml_read::at(*n->get("network_backend"), file)};
    }
    if (auto v = toml_read::strings_at(*n, "cni_plugin_dirs", file, out.diagnostics)) {
      out.cni_plugin_dirs =
          Setting<std::vector<std::string>>{*v, toml_read::at(*n->get("cni_plugin_dirs"), file)};
    }
  }
}

}  // namespace

ContainersConf read_containers_conf(const fs::path& root,
                                    const std::map<std::string, std::string>& environment) {
  ContainersConf out;
  std::vector<std::string> files;
  if (auto it = environment.find("CONTAINERS_CONF");
      it != environment.end() && !it->second.empty()) {
    files.push_back(it->second);
  } else {
    files = {"/usr/share/containers/containers.conf", "/etc/containers/containers.conf"};
    auto dropins = conf_files(root, "/etc/containers/containers.conf.d");
    files.insert(files.end(), dropins.begin(), dropins.end());
  }
  for (const auto& f : files) {
    if (auto text = read_file(under(root, f))) apply_containers(out, *text, f);
  }
  return out;
}

StorageConf storage_conf_from_text(std::string_view text, const std::string& file) {
  StorageConf out;
  out.file = file;
  out.driver = {"", {}};
  out.graphroot = {k_default_graphroot, {}};
  out.runroot = {k_default_runroot, {}};
  auto doc = toml_read::parse(text, file, out.diagnostics);
  if (!doc) return out;
  const toml::table* storage = (*doc)["storage"].as_table();
  if (storage == nullptr) return out;
  auto take = [&](Setting<std::string>& s, std::string_view key) {
    if (auto v = toml_read::string_at(*storage, key, file, out.diagnostics)) {
      s = {*v, toml_read::at(*storage->get(key), file)};
    }
  };
  take(out.driver, "driver");
  take(out.graphroot, "graphroot");
  take(out.runroot, "runroot");
  return out;
}

StorageConf read_storage_conf(const fs::path& root,
                              const std::map<std::string, std::string>& environment) {
  std::vector<std::string> candidates;
  if (auto it = environment.find("CONTAINERS_STORAGE_CONF");
      it != environment.end() && !it->second.empty()) {
    candidates.push_back(it->second);
  }
  candidates.emplace_back("/etc/containers/storage.conf");
  candidates.emplace_back("/usr/share/containers/storage.conf");
  for (const auto& c : candidates) {
    auto text = read_file(under(root, c));
    if (!text) continue;
    auto out = storage_conf_from_text(*text, c);
    out.looked_at = candidates;
    return out;
  }
  StorageConf out = storage_conf_from_text("", "");
  out.looked_at = candidates;
  return out;
}

RegistriesConf read_registries_conf(const fs::path& root,
                                    const std::map<std::string, std::string>& environment) {
  RegistriesConf out;
  std::string main = "/etc/containers/registries.conf";
  if (auto it = environment.find("CONTAINERS_REGISTRIES_CONF");
      it != environment.end() && !it->second.empty()) {
    main = it->second;
  }
  if (auto text = read_file(under(root, main))) apply_registries(out, *text, main);
  for (const auto& f : conf_files(root, "/etc/containers/registries.conf.d")) {
    if (auto text = read_file(under(root, f))) apply_registries(out, *text, f);
  }
  return out;
}

}  // namespace edgecrew::host
