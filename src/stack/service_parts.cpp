#include <fmt/format.h>

#include <algorithm>

#include "cdi/qualified_name.h"
#include "stack/ports.h"
#include "stack/secrets.h"
#include "stack/service_decoder.h"
#include "util/fs.h"
#include "util/strings.h"

namespace edgecrew::stack {

namespace {

// A URL as a message may show it: without the password of user:password@.
std::string shown(const std::string& url) {
  return Redactor({}).redact(url);
}

bool is_host_path(const std::string& source) {
  return source.starts_with("/") || source.starts_with(".") || source.starts_with("~");
}

// "src:dst[:mode]", "dst" (anonymous volume).
void decode_short_volume(const Node& n, Service& s, Decoder& d, const DecodeContext& ctx) {
  auto parts = split(n.scalar, ':');
  Mount m;
  m.where = n.where;
  if (parts.size() == 1) {
    m.target = parts[0];
  } else if (parts.size() <= 3) {
    m.source = parts[0];
    m.target = parts[1];
    if (parts.size() == 3) {
      for (const auto& option : split(parts[2], ',')) {
        if (option == "ro") {
          m.read_only = true;
        } else if (option == "rw" || option == "z" || option == "Z" || option == "cached" ||
                   option == "delegated" || option == "consistent") {
          continue;
        } else {
          d.diags().error(n.where,
                          fmt::format("unknown volume option \"{}\" in \"{}\"", option, n.scalar),
                          "use ro or rw");
        }
      }
    }
  } else {
    d.diags().error(n.where, fmt::format("cannot read volume \"{}\"", n.scalar),
                    "write SOURCE:TARGET[:ro], or use the long syntax");
    return;
  }
  // No source: an anonymous volume; a source that is no path: a named one.
  if (!m.source.empty() && is_host_path(m.source)) {
    m.type = MountType::bind;
    m.source = absolute_from(ctx.dir, m.source, ctx.home).string();
  } else {
    m.type = MountType::volume;
  }
  if (!m.target.starts_with("/")) {
    d.diags().error(n.where, fmt::format("volume target \"{}\" is not an absolute path", m.target),
                    "the path inside the container starts with /");
    return;
  }
  s.mounts.push_back(std::move(m));
}

void decode_long_volume(const Node& n, Service& s, Decoder& d, const DecodeContext& ctx) {
  if (!d.check_section(n, "volume entry", "service_volume")) return;
  Mount m;
  m.where = n.where;
  std::string type = "volume";
  if (const Node* t = n.find("type")) type = d.string(*t, "volume type").value_or(type);
  if (type == "volume") {
    m.type = MountType::volume;
  } else if (type == "bind") {
    m.type = MountType::bind;
  } else if (type == "tmpfs") {
    m.type = MountType::tmpfs;
  } else {
    d.diags().error(n.find("type")->where, fmt::format("volume type \"{}\" is not supported", type),
                    "use volume, bind or tmpfs");
    return;
  }
  if (const Node* src = n.find("source")) m.source = d.string(*src, "volume source").value_or("");
  if (const Node* dst = n.find("target")) m.target = d.string(*dst, "volume target").value_or("");
  if (const Node* ro = n.find("read_only"))
    m.read_only = d.boolean(*ro, "read_only").value_or(false);
  if (const Node* bind = n.find("bind")) {
    if (d.check_section(*bind, "bind options", "service_volume.bind")) {
      if (const Node* c = bind->find("create_host_path")) {
        m.create_host_path = d.boolean(*c, "create_host_path").value_or(true);
      }
    }
  }
  if (m.target.empty() || !m.target.starts_with("/")) {
    d.diags().error(n.where, "volume entry needs an absolute target", "target: /path/in/container");
    return;
  }
  if (m.type == MountType::bind) {
    if (m.source.empty()) {
      d.diags().error(n.where, "a bind volume needs a source", "source: /path/on/host");
      return;
    }
    m.source = absolute_from(ctx.dir, m.source, ctx.home).string();
  }
  s.mounts.push_back(std::move(m));
}

// Where a device request is written: under deploy's reservations capabilities are required; under
// gpus they may be left out (the key asks for GPUs).
enum class RequestKey { reservations, gpus };

// A device request of deploy.resources.reservations.devices or of gpus.
void decode_gpu_request(const Node& n, Service& s, Decoder& d, RequestKey key) {
  if (!d.check_section(n, key == RequestKey::gpus ? "gpus entry" : "reservations device",
                       "device_request")) {
    return;
  }
  GpuRequest gpu;
  gpu.where = n.where;
  if (const Node* v = n.find("driver")) gpu.driver = d.string(*v, "device driver").value_or("");
  if (const Node* v = n.find("capabilities")) {
    gpu.capabilities =
        d.string_list(*v, "device capabilities").value_or(std::vector<std::string>{});
  }
  if (const Node* v = n.find("device_ids")) {
    gpu.device_ids = d.string_list(*v, "device_ids").value_or(std::vector<std::string>{});
  }
  if (const Node* v = n.find("count")) {
    if (v->is_scalar() && to_lower(v->scalar) == "all") {
      gpu.count = -1;
    } else if (auto c = d.integer(*v, "device count")) {
      if (*c < 1) {
        d.diags().error(v->where, "device count must be \"all\" or at least 1");
      } else if (*c > k_max_gpu_count) {
        d.diags().error(v->where,
                        fmt::format("device count {} is more GPUs than a host has (at most {})", *c,
                                    k_max_gpu_count),
                        "use count: all for every GPU of the host");
      } else {
        gpu.count = static_cast<int>(*c);
      }
    }
    if (!gpu.device_ids.empty()) {
      d.diags().error(v->where, "count and device_ids cannot both be set",
                      "keep device_ids to pick GPUs, or count to take any");
    }
  }
  if (gpu.capabilities.empty() && key == RequestKey::gpus) gpu.capabilities = {"gpu"};
  if (gpu.capabilities.empty()) {
    d.diags().error(n.where, "a reservations device needs capabilities", "capabilities: [gpu]");
    return;
  }
  if (std::find(gpu.capabilities.begin(), gpu.capabilities.end(), "gpu") ==
      gpu.capabilities.end()) {
    d.diags().warning(n.where, "a reservations device without the \"gpu\" capability is ignored",
                      "capabilities: [gpu]");
    return;
  }
  if (!gpu.driver.empty() && gpu.driver != "nvidia") {
    d.diags().error(n.find("driver")->where,
                    fmt::format("GPU driver \"{}\" is not supported", gpu.driver),
                    "use driver: nvidia, or name the device by CDI name under devices:");
    return;
  }
  if (!gpu.count && gpu.device_ids.empty()) gpu.count = -1;  // Compose: neither means all
  s.resources.gpus.push_back(std::move(gpu));
}

void decode_resources(const Node& n, Service& s, Decoder& d) {
  if (!d.check_section(n, "deploy.resources", "deploy.resources")) return;
  if (const Node* limits = n.find("limits")) {
    if (d.check_section(*limits, "deploy.resources.limits", "deploy.resources.limits")) {
      if (const Node* v = limits->find("cpus"))
        s.resources.cpus = decode_cpus(*v, d, "limits cpus");
      if (const Node* v = limits->find("memory"))
        s.resources.memory_bytes = d.size(*v, "limits memory");
    }
  }
  if (const Node* res = n.find("reservations")) {
    if (d.check_section(*res, "deploy.resources.reservations", "deploy.resources.reservations")) {
      if (const Node* v = res->find("memory")) {
        s.resources.memory_reservation_bytes = d.size(*v, "reservations memory");
      }
      if (const Node* devices = res->find("devices")) {
        if (devices->is_sequence()) {
          for (const auto& item : devices->items) {
            decode_gpu_request(item, s, d, RequestKey::reservations);
          }
        } else {
          d.type_error(*devices, "reservations devices", "a list");
        }
      }
    }
  }
}

}  // namespace

std::optional<double> decode_cpus(const Node& n, Decoder& d, const std::string& what) {
  auto cpus = d.number(n, what);
  if (cpus && *cpus < 0) {
    d.diags().error(n.where, fmt::format("{} is negative ({})", what, n.scalar),
                    "give a number of CPUs such as 0.5 or 2; 0 is no limit");
    return std::nullopt;
  }
  return cpus;
}

void decode_ports(const Node& n, Service& s, Decoder& d) {
  if (!n.is_sequence()) {
    d.type_error(n, "ports", "a list");
    return;
  }
  for (const auto& item : n.items) {
    if (item.is_scalar()) {
      auto parsed = parse_port_spec(item.scalar);
      if (!parsed.error.empty()) {
        d.diags().error(item.where, parsed.error,
                        "write [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]");
        continue;
      }
      for (auto& m : parsed.mappings) {
        m.where = item.where;
        s.ports.push_back(m);
      }
      continue;
    }
    if (!d.check_section(item, "port entry", "port")) continue;
    // The long syntax, rewritten to the short one so that both are checked by one parser.
    const Node* target = item.find("target");
    if (target == nullptr || !target->is_scalar()) {
      d.diags().error(item.where, "port entry needs a target", "target: CONTAINER_PORT");
      continue;
    }
    std::string spec;
    if (const Node* ip = item.find("host_ip"); ip && ip->is_scalar()) {
      spec +=
          ip->scalar.find(':') != std::string::npos ? "[" + ip->scalar + "]:" : ip->scalar + ":";
    }
    if (const Node* pub = item.find("published"); pub && pub->is_scalar()) {
      spec += pub->scalar + ":";
    } else if (!spec.empty()) {
      spec += ":";
    }
    spec += target->scalar;
    if (const Node* proto = item.find("protocol"); proto && proto->is_scalar()) {
      spec += "/" + proto->scalar;
    }
    auto parsed = parse_port_spec(spec);
    if (!parsed.error.empty()) {
      d.diags().error(item.where, parsed.error);
      continue;
    }
    for (auto& m : parsed.mappings) {
      m.where = item.where;
      s.ports.push_back(m);
    }
  }
}

void decode_volumes(const Node& n, Service& s, Decoder& d, const DecodeContext& ctx) {
  if (!n.is_sequence()) {
    d.type_error(n, "volumes", "a list");
    return;
  }
  for (const auto& item : n.items) {
    if (item.is_scalar()) {
      decode_short_volume(item, s, d, ctx);
    } else {
      decode_long_volume(item, s, d, ctx);
    }
  }
  // Compose refuses two mounts on one target: one would hide the other.
  for (std::size_t i = 0; i < s.mounts.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (s.mounts[i].target == s.mounts[j].target) {
        d.diags().error(s.mounts[i].where,
                        fmt::format("{} is already mounted by the volume on line {}",
                                    s.mounts[i].target, s.mounts[j].where.line),
                        "mount each path in the container once");
        break;
      }
    }
  }
}

void decode_devices(const Node& n, Service& s, Decoder& d) {
  if (!n.is_sequence()) {
    d.type_error(n, "devices", "a list");
    return;
  }
  for (const auto& item : n.items) {
    Device dev;
    dev.where = item.where;
    std::string text;
    if (item.is_mapping()) {
      if (!d.check_section(item, "device entry", "device")) continue;
      const Node* src = item.find("source");
      if (src == nullptr || !src->is_scalar()) {
        d.diags().error(item.where, "device entry needs a source");
        continue;
      }
      text = src->scalar;
      if (const Node* t = item.find("target"))
        dev.container_path = d.string(*t, "device target").value_or("");
      if (const Node* p = item.find("permissions"))
        dev.permissions = d.string(*p, "permissions").value_or("");
    } else if (auto v = d.string(item, "device")) {
      text = *v;
    } else {
      continue;
    }
    if (cdi::looks_like_qualified_name(text)) {
      auto parsed = cdi::parse_qualified_name(text);
      if (!parsed.name) {
        d.diags().error(item.where, parsed.error, "a CDI name looks like nvidia.com/gpu=all");
        continue;
      }
      dev.cdi_name = parsed.name->str();
    } else if (text.starts_with("/")) {
      auto parts = split(text, ':');
      if (parts.size() > 3) {
        d.diags().error(item.where, fmt::format("cannot read device \"{}\"", text),
                        "write HOST_PATH[:CONTAINER_PATH[:PERMISSIONS]]");
        continue;
      }
      dev.host_path = parts[0];
      if (parts.size() >= 2 && dev.container_path.empty()) dev.container_path = parts[1];
      if (parts.size() == 3 && dev.permissions.empty()) dev.permissions = parts[2];
      if (dev.container_path.empty()) dev.container_path = dev.host_path;
      if (dev.permissions.empty()) dev.permissions = "rwm";
      if (dev.permissions.find_first_not_of("rwm") != std::string::npos) {
        d.diags().error(item.where,
                        fmt::format("device permissions \"{}\" are not valid", dev.permissions),
                        "use a combination of r, w and m");
        continue;
      }
    } else {
      d.diags().error(item.where,
                      fmt::format("device \"{}\" is neither a host path nor a CDI name", text),
                      "write /dev/PATH, or a CDI name like nvidia.com/gpu=all");
      continue;
    }
    s.devices.push_back(std::move(dev));
  }
}

// docker compose's gpus: "all", or a list of device requests read as deploy.resources'
// reservations devices are (the gpu capability implied).
void decode_gpus(const Node& n, Service& s, Decoder& d) {
  if (n.is_scalar() && n.scalar == "all") {
    GpuRequest gpu;
    gpu.where = n.where;
    gpu.capabilities = {"gpu"};
    gpu.count = -1;
    s.resources.gpus.push_back(std::move(gpu));
  } else if (n.is_sequence()) {
    for (const auto& item : n.items) decode_gpu_request(item, s, d, RequestKey::gpus);
  } else {
    d.type_error(n, "gpus", "\"all\" or a list of device requests");
  }
}

void decode_deploy(const Node& n, Service& s, Decoder& d) {
  if (!d.check_section(n, "deploy", "deploy")) return;
  if (const Node* resources = n.find("resources")) decode_resources(*resources, s, d);
}

void decode_extension(const Node& n, Service& s, Decoder& d) {
  if (!d.check_keys(n, "x-edgecrew", {"runtime", "probe"})) return;
  if (const Node* r = n.find("runtime"))
    s.runtime = d.string(*r, "x-edgecrew runtime").value_or("");
  const Node* p = n.find("probe");
  if (p == nullptr) return;
  static const std::vector<std::string> kinds = {"http", "tcp", "redis", "neo4j", "openai"};
  if (!d.check_keys(*p, "x-edgecrew probe", kinds)) return;
  if (p->entries.size() != 1) {
    d.diags().error(p->where,
                    "x-edgecrew probe takes exactly one of http, tcp, redis, neo4j, openai");
    return;
  }
  // Named references, not a structured binding: the lambdas below capture them.
  const Node& kind_node = p->entries.front().key;
  const Node& body = p->entries.front().value;
  // An unknown kind was reported by check_keys; reading its body as some other kind would only
  // add misleading errors.
  if (std::find(kinds.begin(), kinds.end(), kind_node.scalar) == kinds.end()) return;
  Probe probe;
  probe.where = kind_node.where;
  const std::string& kind = kind_node.scalar;
  auto field = [&](const char* key, std::string& out) {
    if (const Node* v = body.find(key))
      out = d.string(*v, fmt::format("probe {} {}", kind, key)).value_or("");
  };
  auto require = [&](const char* key, const std::string& value, const char* example) {
    if (value.empty()) {
      d.diags().error(body.where, fmt::format("probe {} needs {}", kind, key),
                      fmt::format("for example {}: {}", key, example));
      return false;
    }
    return true;
  };
  auto require_scheme = [&](const char* key, const std::string& url,
                            std::initializer_list<const char*> schemes) {
    for (const char* scheme : schemes) {
      if (url.starts_with(std::string(scheme) + "://")) return;
    }
    std::vector<std::string> names(schemes.begin(), schemes.end());
    d.diags().error(body.find(key) ? body.find(key)->where : body.where,
                    fmt::format("probe {} {} \"{}\" must start with {}://", kind, key, shown(url),
                                join(names, ":// or ")));
  };
  if (kind == "http") {
    if (!d.check_keys(body, "probe http", {"url", "status"})) return;
    probe.kind = Probe::Kind::http;
    field("url", probe.url);
    if (const Node* st = body.find("status"))
      probe.status = static_cast<int>(d.integer(*st, "probe http status").value_or(200));
    if (require("url", probe.url, "http://127.0.0.1:8080/health"))
      require_scheme("url", probe.url, {"http", "https"});
  } else if (kind == "tcp") {
    if (!d.check_keys(body, "probe tcp", {"host", "port"})) return;
    probe.kind = Probe::Kind::tcp;
    probe.host = "127.0.0.1";
    field("host", probe.host);
    const Node* port = body.find("port");
    auto value = port ? d.integer(*port, "probe tcp port") : std::nullopt;
    if (!value || *value < 1 || *value > 65535) {
      d.diags().error(port ? port->where : body.where, "probe tcp needs a port from 1 to 65535");
    } else {
      probe.port = static_cast<std::uint16_t>(*value);
    }
  } else if (kind == "redis") {
    if (!d.check_keys(body, "probe redis", {"url"})) return;
    probe.kind = Probe::Kind::redis;
    field("url", probe.url);
    if (require("url", probe.url, "redis://:${REDIS_PASSWORD}@127.0.0.1:6379/0")) {
      require_scheme("url", probe.url, {"redis", "rediss"});
    }
  } else if (kind == "neo4j") {
    if (!d.check_keys(body, "probe neo4j", {"http", "bolt", "user", "password"})) return;
    probe.kind = Probe::Kind::neo4j;
    probe.user = "neo4j";
    field("http", probe.http);
    field("bolt", probe.bolt);
    field("user", probe.user);
    field("password", probe.password);
    if (probe.http.empty() && probe.bolt.empty()) {
      d.diags().error(body.where, "probe neo4j needs http, bolt or both",
                      "http: http://127.0.0.1:7474, bolt: bolt://127.0.0.1:7687");
    }
    if (!probe.http.empty()) require_scheme("http", probe.http, {"http", "https"});
    if (!probe.bolt.empty()) require_scheme("bolt", probe.bolt, {"bolt", "neo4j"});
  } else {
    if (!d.check_keys(body, "probe openai", {"url", "model"})) return;
    probe.kind = Probe::Kind::openai;
    field("url", probe.url);
    field("model", probe.model);
    if (require("url", probe.url, "http://127.0.0.1:8000/v1")) {
      require_scheme("url", probe.url, {"http", "https"});
      // The OpenAI API lives under /v1; an endpoint without it is a known failure of the origin
      // app.
      while (probe.url.ends_with("/")) probe.url.pop_back();
      if (!probe.url.ends_with("/v1")) {
        d.diags().error(body.find("url")->where,
                        fmt::format("probe openai url \"{}\" must end with /v1", shown(probe.url)),
                        "the OpenAI-compatible API is served under /v1");
      }
    }
  }
  s.probe = std::move(probe);
}

}  // namespace edgecrew::stack

namespace edgecrew::stack {

namespace {

bool remote_context(const std::string& context) {
  return context.find("://") != std::string::npos || context.starts_with("git@") ||
         context.starts_with("github.com/");
}

}  // namespace

void decode_build(const Node& n, Service& s, Decoder& d, const DecodeContext& ctx) {
  const std::string what = fmt::format("build of service \"{}\"", s.name);
  Build b;
  b.where = n.where;
  std::string context = ".";
  const Node* context_node = &n;
  if (n.is_scalar()) {
    context = n.scalar;
  } else if (d.check_section(n, what, "build")) {
    for (const auto& [k, v] : n.entries) {
      const std::string& key = k.scalar;
      const std::string item = fmt::format("\"{}\" of {}", key, what);
      if (key == "context") {
        context = d.string(v, item).value_or(".");
        context_node = &v;
      } else if (key == "dockerfile") {
        b.dockerfile = d.string(v, item).value_or("");
        if (b.dockerfile.empty() && v.is_scalar()) {
          d.diags().error(v.where, item + " is empty", "name the Containerfile, or remove the key");
        }
      } else if (key == "dockerfile_inline") {
        b.dockerfile_inline = d.string(v, item).value_or("");
        if (b.dockerfile_inline.empty() && v.is_scalar()) {
          d.diags().error(v.where, item + " is empty", "write the Containerfile's instructions");
        }
      } else if (key == "args") {
        if (auto kv = d.key_values(v, item, ctx.variables, true)) b.args = std::move(*kv);
      } else if (key == "labels") {
        if (auto kv = d.key_values(v, item, nullptr)) b.labels = std::move(*kv);
      } else if (key == "target") {
        b.target = d.string(v, item).value_or("");
      } else if (key == "network") {
        b.network = d.string(v, item).value_or("");
        if (b.network == "default") b.network.clear();
      } else if (key == "no_cache") {
        b.no_cache = d.boolean(v, item).value_or(false);
      } else if (key == "pull") {
        b.pull = d.boolean(v, item).value_or(false);
      }
    }
    if (!b.dockerfile.empty() && !b.dockerfile_inline.empty()) {
      d.diags().error(n.where,
                      fmt::format("dockerfile and dockerfile_inline of {} are both set", what),
                      "keep one of them");
    }
  } else {
    return;  // check_section said what is wrong
  }
  if (context.empty()) {
    d.diags().error(context_node->where, fmt::format("the context of {} is empty", what),
                    "set it to the directory to build, \".\" for the compose file's");
    return;
  }
  if (remote_context(context)) {
    d.diags().error(context_node->where,
                    fmt::format("the context of {} is a URL ({}): edgecrew builds from a local "
                                "directory only",
                                what, shown(context)),
                    "clone or download it, and set context to that directory");
    return;
  }
  const auto dir = absolute_from(ctx.dir, context, ctx.home);
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    d.diags().error(context_node->where,
                    fmt::format("the context of {} is not a directory: {}", what, dir.string()),
                    "context is taken from the compose file's directory");
    return;
  }
  b.context = dir.string();
  // The Containerfile is taken from the context, as Compose takes it.
  if (!b.dockerfile.empty()) b.dockerfile = absolute_from(dir, b.dockerfile, ctx.home).string();
  s.build = std::move(b);
}

}  // namespace edgecrew::stack
