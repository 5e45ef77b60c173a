// Section "gpu": the NVIDIA kernel driver, its device nodes and NVML, read without nvidia-smi;
// and what the stack's GPU services ask of them (GPU count, the image's CUDA version).
#include "doctor/checks_gpu.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "doctor/check.h"
#include "doctor/engine_facts.h"
#include "util/strings.h"

namespace edgecrew::doctor {

namespace {

constexpr unsigned k_nvidia_major = 195;  // the driver's fixed character-device major number

std::string gib(std::uint64_t bytes) {
  return fmt::format("{:.0f} GiB", static_cast<double>(bytes) / (1024.0 * 1024 * 1024));
}

std::string describe_node(const host::NvidiaNode& n) {
  if (!n.is_char_device) return n.path + " (not a character device)";
  return fmt::format("{} c {}:{}", n.path, n.major, n.minor);
}

Outcome check_driver(const Facts& facts) {
  const auto& g = facts.gpus();
  const auto& d = g.driver;
  std::vector<std::string> evidence;
  if (d.version_line) evidence.push_back("/proc/driver/nvidia/version: " + *d.version_line);
  for (const auto& p : d.pci_gpus) evidence.push_back("PCI device " + p + " (vendor 0x10de)");
  for (const auto& p : d.driver_gpus) evidence.push_back("/proc/driver/nvidia/gpus/" + p);
  if (d.version_line) {
    if (d.version.empty()) {
      return fail("/proc/driver/nvidia/version does not name a driver version", evidence,
                  "reinstall the NVIDIA driver");
    }
    return pass(
        fmt::format("NVIDIA driver {}, {} GPU{}", d.version, g.count, g.count == 1 ? "" : "s"),
        evidence);
  }
  if (!d.pci_gpus.empty() || g.count > 0) {
    return fail(
        fmt::format("{} NVIDIA GPU{} but the kernel driver is not loaded (no "
                    "/proc/driver/nvidia/version)",
                    g.count, g.count == 1 ? "" : "s"),
        evidence,
        "load the driver and read why it failed:\n$ modprobe nvidia\n$ dmesg | grep -i nvrm\n"
        "(install the NVIDIA driver first if modprobe finds no module)");
  }
  return warn(g.none_reason, {"looked at: " + join(g.looked_at, ", ")},
              "nothing to fix when this host has no NVIDIA GPU: vLLM will not start here");
}

Outcome check_nodes(const Facts& facts) {
  const auto& g = facts.gpus();
  if (g.count == 0) return skip(g.none_reason);
  std::vector<std::string> evidence;
  std::vector<std::string> problems;
  auto find = [&](const std::string& path) -> const host::NvidiaNode* {
    for (const auto& n : g.driver.nodes) {
      if (n.path == path) return &n;
    }
    return nullptr;
  };
  for (const auto& n : g.driver.nodes) evidence.push_back(describe_node(n));
  std::vector<std::string> wanted = {"/dev/nvidiactl", "/dev/nvidia-uvm"};
  for (int i = 0; i < g.count; ++i) wanted.push_back(fmt::format("/dev/nvidia{}", i));
  for (const auto& path : wanted) {
    const auto* n = find(path);
    if (n == nullptr) {
      problems.push_back(path + " is missing");
    } else if (!n->is_char_device) {
      problems.push_back(path + " is not a character device");
    } else if (path != "/dev/nvidia-uvm" && n->major != k_nvidia_major) {
      problems.push_back(fmt::format("{} has major {} (the NVIDIA driver's is {})", path, n->major,
                                     k_nvidia_major));
    }
  }
  if (!problems.empty()) {
    evidence.insert(evidence.begin(), problems.begin(), problems.end());
    return fail(
        join(problems, "; "), evidence,
        "create the device nodes (and load nvidia-uvm):\n$ nvidia-modprobe -u -c=0\n"
        "or: $ nvidia-ctk system create-device-nodes --control-devices --load-kernel-modules");
  }
  return pass(
      fmt::format("{} device nodes ({})", g.driver.nodes.size(),
                  join(
                      [&] {
                        std::vector<std::string> names;
                        for (const auto& n : g.driver.nodes) {
                          names.push_back(std::filesystem::path(n.path).filename().string());
                        }
                        return names;
                      }(),
                      ", ")),
      evidence);
}

Outcome check_nvml(const Facts& facts) {
  const auto& g = facts.gpus();
  if (!g.nvml) {
    return skip("NVML reads the running driver, not files: not asked with --root");
  }
  const auto& r = *g.nvml;
  if (!r.ok()) {
    if (g.count == 0) return skip(g.none_reason + " (and NVML is absent)", {r.error().message});
    if (r.error().kind == ErrorKind::not_found) {
      return fail("NVML is absent: " + r.error().message, {},
                  "install the NVIDIA driver's user-space libraries of the same version as the "
                  "kernel module (libnvidia-ml.so.1 comes with them)");
    }
    return fail(r.error().message, {},
                "a driver/library version mismatch is the usual cause after a driver update: "
                "reboot, or reload the kernel modules\n$ dmesg | grep -i nvrm");
  }
  std::vector<std::string> evidence;
  std::string names;
  for (std::size_t i = 0; i < r->gpus.size(); ++i) {
    const auto& gpu = r->gpus[i];
    evidence.push_back(
        fmt::format("GPU {}: {}, {}, {}", i, gpu.name, gib(gpu.memory_total), gpu.uuid));
  }
  evidence.push_back(
      fmt::format("driver {}, CUDA {} ({})", r->driver_version, r->cuda_version, r->library));
  if (r->gpus.empty()) return fail("NVML sees no GPU", evidence, "$ dmesg | grep -i nvrm");
  std::string summary =
      fmt::format("{} × {} ({}), driver {}, CUDA {}", r->gpus.size(), r->gpus.front().name,
                  gib(r->gpus.front().memory_total), r->driver_version, r->cuda_version);
  const auto& kernel = g.driver.version;
  if (!kernel.empty() && !r->driver_version.empty() && kernel != r->driver_version) {
    return fail(
        fmt::format("NVML library {} does not match kernel module {}", r->driver_version, kernel),
        evidence, "reboot (or reload the nvidia kernel modules) after a driver update");
  }
  int driver_count = static_cast<int>(g.driver.driver_gpus.size());
  if (driver_count > 0 && driver_count != static_cast<int>(r->gpus.size())) {
    return warn(summary + fmt::format("; the driver lists {} GPUs", driver_count), evidence);
  }
  return pass(summary, evidence);
}

// The stack's services that ask for a GPU (CDI devices, GPU reservations included).
std::vector<const stack::Service*> gpu_services(const Facts& facts) {
  std::vector<const stack::Service*> out;
  for (const auto* s : stack_services(facts)) {
    if (!stack::cdi_devices(*s).empty()) out.push_back(s);
  }
  return out;
}

Outcome check_stack_count(const Facts& facts) {
  if (auto why = no_stack_reason(facts); !why.empty()) return skip(why);
  const auto& g = facts.gpus();
  if (g.count == 0) return skip(g.none_reason);
  std::vector<std::string> evidence, problems, asked;
  for (const auto* s : stack_services(facts)) {
    GpuAsk ask = gpu_ask(*s, g.count);
    if (ask.tensor_parallel.empty() && ask.visible_devices.empty()) continue;
    std::string what = s->name + ":";
    if (!ask.tensor_parallel.empty()) what += " --tensor-parallel-size " + ask.tensor_parallel;
    if (!ask.visible_devices.empty()) what += " CUDA_VISIBLE_DEVICES=" + ask.visible_devices;
    evidence.push_back(what);
    asked.push_back(what);
    for (const auto& p : ask.problems) problems.push_back(s->name + ": " + p);
  }
  evidence.push_back(fmt::format("{} GPU{} found", g.count, g.count == 1 ? "" : "s"));
  if (asked.empty()) {
    return skip("no service sets --tensor-parallel-size or CUDA_VISIBLE_DEVICES");
  }
  if (!problems.empty()) {
    std::string indexes;
    for (int i = 0; i < g.count; ++i) indexes += (i == 0 ? "" : ",") + std::to_string(i);
    return fail(join(problems, "; "), evidence,
                fmt::format("ask for at most the GPUs found: --tensor-parallel-size {} and "
                            "CUDA_VISIBLE_DEVICES={} (vLLM and NCCL fail at boot otherwise); the "
                            "built-in stack derives both from the GPUs found unless "
                            "VLLM_TENSOR_PARALLEL_SIZE or VLLM_VISIBLE_DEVICES pin them",
                            g.count, indexes));
  }
  return pass(fmt::format("{} on {} GPU{}", join(asked, "; "), g.count, g.count == 1 ? "" : "s"),
              evidence);
}

Outcome check_cuda_image(const Facts& facts) {
  if (auto why = no_stack_reason(facts); !why.empty()) return skip(why);
  const auto& g = facts.gpus();
  if (g.count == 0) return skip(g.none_reason);
  if (!g.nvml) return skip("the driver's CUDA version comes from NVML: not asked with --root");
  if (!g.nvml->ok()) return skip("NVML cannot say the driver's CUDA version (see gpu.nvml)");
  const std::string driver_cuda = (*g.nvml)->cuda_version;
  auto services = gpu_services(facts);
  if (services.empty()) return skip("no service of the stack asks for a GPU");
  const auto& p = podman_facts(facts);
  if (!p.engine) return skip(p.absent + "; the image's CUDA version is read from the local image");
  std::vector<std::string> evidence = {"driver: CUDA " + driver_cuda + " (NVML)"};
  std::optional<Outcome> worst;
  auto rank = [](Verdict v) { return v == Verdict::fail ? 2 : v == Verdict::warn ? 1 : 0; };
  for (const auto* s : services) {
    auto info = p.engine->image(s->image);
    if (!info) {
      evidence.push_back(s->image + ": " + info.error().message);
      continue;
    }
    if (!*info) {
      evidence.push_back(s->image + ": not in the Podman store, its CUDA version is not known");
      continue;
    }
    auto cuda = image_cuda_version((*info)->env);
    if (!cuda) {
      evidence.push_back(s->image + ": sets no CUDA_VERSION");
      continue;
    }
    evidence.push_back(fmt::format("{} ({}): CUDA_VERSION={}", s->image, s->name, *cuda));
    Outcome o = compare_cuda(driver_cuda, s->image, *cuda);
    if (!worst || rank(o.verdict) > rank(worst->verdict)) worst = std::move(o);
  }
  if (!worst) return skip("the CUDA version of no GPU image is known", evidence);
  worst->evidence = evidence;
  return *worst;
}

// "12.8.1" → {12, 8}; nullopt when it does not start with MAJOR.MINOR.
std::optional<std::pair<int, int>> major_minor(const std::string& v) {
  int major = 0, minor = 0;
  if (std::sscanf(v.c_str(), "%d.%d", &major, &minor) != 2) return std::nullopt;
  return std::pair{major, minor};
}

}  // namespace

GpuAsk gpu_ask(const stack::Service& service, int gpus_found) {
  GpuAsk out;
  std::vector<std::string> args;
  if (service.entrypoint) args = *service.entrypoint;
  if (service.command) args.insert(args.end(), service.command->begin(), service.command->end());
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if ((a == "--tensor-parallel-size" || a == "-tp") && i + 1 < args.size()) {
      out.tensor_parallel = args[i + 1];
    } else if (a.starts_with("--tensor-parallel-size=")) {
      out.tensor_parallel = a.substr(a.find('=') + 1);
    }
  }
  if (auto it = service.environment.find("CUDA_VISIBLE_DEVICES"); it != service.environment.end()) {
    out.visible_devices = it->second;
  }
  int tp = 0;
  if (!out.tensor_parallel.empty()) {
    tp = std::atoi(out.tensor_parallel.c_str());
    if (tp > gpus_found) {
      out.problems.push_back(fmt::format("--tensor-parallel-size {} but {} GPU{} found", tp,
                                         gpus_found, gpus_found == 1 ? "" : "s"));
    }
  }
  if (!trim(out.visible_devices).empty()) {
    auto items = split(out.visible_devices, ',');
    for (const auto& raw : items) {
      std::string item = trim(raw);
      // UUIDs (GPU-...) and MIG names are not indexes: only numbers are checked.
      if (item.empty() ||
          !std::all_of(item.begin(), item.end(), [](unsigned char c) { return std::isdigit(c); }))
        continue;
      if (std::stoi(item) >= gpus_found) {
        out.problems.push_back(
            fmt::format("CUDA_VISIBLE_DEVICES names GPU {}, the host has {} "
                        "(indexes 0 to {})",
                        item, gpus_found, gpus_found - 1));
      }
    }
    if (tp > 0 && static_cast<int>(items.size()) < tp) {
      out.problems.push_back(fmt::format(
          "--tensor-parallel-size {} but CUDA_VISIBLE_DEVICES lists {}", tp, items.size()));
    }
  }
  return out;
}

std::optional<std::string> image_cuda_version(const std::vector<std::string>& env) {
  for (const auto& e : env) {
    if (e.starts_with("CUDA_VERSION=")) return e.substr(std::string("CUDA_VERSION=").size());
  }
  return std::nullopt;
}

Outcome compare_cuda(const std::string& driver_cuda, const std::string& image,
                     const std::string& image_cuda) {
  auto d = major_minor(driver_cuda);
  auto i = major_minor(image_cuda);
  if (!d || !i) {
    return skip(fmt::format("cannot compare CUDA {} (driver) with {} ({})", driver_cuda, image_cuda,
                            image));
  }
  const std::string fix = fmt::format(
      "install an NVIDIA driver that supports CUDA {}.{} or newer, or use an image "
      "built for CUDA {} or older",
      i->first, i->second, driver_cuda);
  if (i->first > d->first) {
    return fail(fmt::format("{} needs CUDA {} but the driver supports up to {}: \"Error 803: "
                            "unsupported display driver / cuda driver combination\"",
                            image, image_cuda, driver_cuda),
                {}, fix);
  }
  if (i->first == d->first && i->second > d->second) {
    return warn(fmt::format("{} is built for CUDA {}, newer than the driver's {}: it runs only "
                            "through CUDA minor-version compatibility (no PTX JIT), and an image "
                            "that requires cuda>={}.{} is refused",
                            image, image_cuda, driver_cuda, i->first, i->second),
                {}, fix);
  }
  return pass(
      fmt::format("{} (CUDA {}) runs on the driver's CUDA {}", image, image_cuda, driver_cuda));
}

std::vector<Check> gpu_checks() {
  return {
      {"gpu.driver", "gpu", "the NVIDIA kernel driver (/proc/driver/nvidia, PCI devices)",
       check_driver},
      {"gpu.nodes", "gpu", "the device nodes /dev/nvidia*", check_nodes},
      {"gpu.nvml", "gpu", "NVML (libnvidia-ml.so.1): GPUs, memory, driver and CUDA versions",
       check_nvml, std::chrono::milliseconds(10000)},
      {"gpu.stack-count", "gpu",
       "the stack's --tensor-parallel-size and CUDA_VISIBLE_DEVICES against the GPUs found",
       check_stack_count},
      {"gpu.cuda-image", "gpu",
       "the CUDA version of the stack's GPU images against the driver's (Error 803)",
       check_cuda_image, std::chrono::milliseconds(10000)},
  };
}

}  // namespace edgecrew::doctor
