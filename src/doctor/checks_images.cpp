// Section "images": every image the stack needs, present in the Podman store and in the CRI
// store or not (through the engines' own image look-up), and, only for the images missing from
// the store of the engine that runs the stack, whether their registry answers.

#include <fmt/format.h>

#include <map>
#include <set>

#include "doctor/check.h"
#include "doctor/engine_facts.h"
#include "images/registry.h"
#include "util/strings.h"

namespace edgecrew::doctor {

namespace {

using images::image_registry;
using images::RegistryAnswer;

// What a store says about each image: present, missing, or why it could not say.
struct StoreView {
  engine::EngineKind engine = engine::EngineKind::podman;
  std::string absent;  // why the store could not be asked ("" when it was)
  std::string where;
  std::map<std::string, Result<bool>> images;
};

std::vector<std::string> needed_images(const Facts& facts) {
  std::vector<std::string> out;
  for (const auto* s : stack_services(facts)) {
    if (std::find(out.begin(), out.end(), s->image) == out.end()) out.push_back(s->image);
  }
  return out;
}

StoreView ask(engine::Engine& e, engine::EngineKind kind, std::string where,
              const std::vector<std::string>& images) {
  StoreView view{kind, {}, std::move(where), {}};
  for (const auto& image : images) view.images.emplace(image, e.image_present(image));
  return view;
}

struct PodmanStore {
  StoreView view;
};
struct CriStore {
  StoreView view;
};

const StoreView& podman_store(const Facts& facts) {
  return facts
      .shared<PodmanStore>([](const Facts& f) {
        const auto& p = podman_facts(f);
        if (!p.engine) return PodmanStore{{engine::EngineKind::podman, p.absent, {}, {}}};
        return PodmanStore{ask(*p.engine, engine::EngineKind::podman, p.reached, needed_images(f))};
      })
      .view;
}

const StoreView& cri_store(const Facts& facts) {
  return facts
      .shared<CriStore>([](const Facts& f) {
        const auto& c = cri_facts(f);
        if (!c.absent.empty()) return CriStore{{engine::EngineKind::cri, c.absent, {}, {}}};
        if (!c.version->ok()) {
          return CriStore{
              {engine::EngineKind::cri, "the CRI runtime did not answer (see cri.socket)", {}, {}}};
        }
        return CriStore{ask(*c.engine, engine::EngineKind::cri, "CRI socket " + c.endpoint->socket,
                            needed_images(f))};
      })
      .view;
}

Outcome report_store(const Facts& facts, const StoreView& view, const std::string& label) {
  if (auto why = no_stack_reason(facts); !why.empty()) return skip(why);
  const bool runs_stack = stack_engine(facts) == view.engine;
  if (!view.absent.empty()) {
    if (runs_stack) {
      return warn(view.absent, {},
                  view.engine == engine::EngineKind::podman
                      ? "start Podman's API service:\n$ systemctl start podman.socket"
                      : "start the CRI runtime, or pass --cri-endpoint");
    }
    return skip(view.absent);
  }
  std::vector<std::string> evidence = {view.where}, missing, errors;
  int present = 0;
  for (const auto& [image, r] : view.images) {
    if (!r.ok()) {
      errors.push_back(image);
      evidence.push_back(image + ": " + r.error().message);
    } else if (*r) {
      ++present;
      evidence.push_back(image + ": present");
    } else {
      missing.push_back(image);
      evidence.push_back(image + ": missing");
    }
  }
  std::string who =
      runs_stack ? ""
                 : fmt::format(" (the stack runs on {})", engine::to_string(stack_engine(facts)));
  if (!errors.empty()) {
    return fail(fmt::format("{} store could not be asked about {}", label, join(errors, ", ")),
                evidence);
  }
  if (missing.empty()) {
    return pass(
        fmt::format("{} the stack needs {} in the {} store{}",
                    present == 1 ? std::string("the image") : fmt::format("all {} images", present),
                    present == 1 ? "is" : "are", label, who),
        evidence);
  }
  std::string summary =
      fmt::format("{} of {} images missing from the {} store: {}{}", missing.size(),
                  view.images.size(), label, join(missing, ", "), who);
  if (!runs_stack) return pass(summary, evidence);
  return warn(summary +
                  " (up copies them from the other store when it has them, else pulls them; "
                  "see images.registries)",
              evidence,
              "see what each store holds, and copy across without a registry:\n"
              "$ edgecrew images\n$ edgecrew images sync");
}

Outcome check_podman(const Facts& facts) {
  return report_store(facts, podman_store(facts), "Podman");
}

Outcome check_cri(const Facts& facts) {
  return report_store(facts, cri_store(facts), "CRI");
}

Outcome check_registries(const Facts& facts) {
  if (auto why = no_stack_reason(facts); !why.empty()) return skip(why);
  const auto& view =
      stack_engine(facts) == engine::EngineKind::cri ? cri_store(facts) : podman_store(facts);
  std::vector<std::string> missing;
  for (const auto& image : needed_images(facts)) {
    auto found = view.images.find(image);
    // A store that could not be asked says nothing: every image may need a pull.
    if (found == view.images.end() || !found->second.ok() || !*found->second) {
      missing.push_back(image);
    }
  }
  if (missing.empty()) {
    return skip("every image the stack needs is local: no registry is needed");
  }
  std::map<std::string, std::vector<std::string>> by_registry;
  std::vector<std::string> local_only;
  for (const auto& image : missing) {
    std::string reg = image_registry(image);
    if (reg.empty()) {
      local_only.push_back(image);
    } else {
      by_registry[reg].push_back(image);
    }
  }
  std::set<std::string> registries;
  for (const auto& entry : by_registry) registries.insert(entry.first);
  std::vector<std::string> evidence, unreachable, reachable;
  for (const auto& [reg, a] : images::ask_registries(registries)) {
    evidence.push_back(fmt::format("{} ({}): {}", reg, join(by_registry[reg], ", "), a.text));
    (a.reachable ? reachable : unreachable).push_back(reg);
  }
  for (const auto& image : local_only) {
    evidence.push_back(image + ": a local name (localhost/...), no registry has it");
  }
  std::string fix =
      "bring the images in without the registry: on a machine that reaches it\n"
      "$ podman save -o images.tar IMAGE...\nthen here\n$ podman load -i images.tar\n"
      "(for containerd: ctr -n k8s.io images import images.tar), or set a mirror in "
      "/etc/containers/registries.conf";
  if (!unreachable.empty() || !local_only.empty()) {
    std::vector<std::string> cannot;
    for (const auto& reg : unreachable) {
      for (const auto& image : by_registry[reg]) cannot.push_back(image);
    }
    for (const auto& image : local_only) cannot.push_back(image);
    return fail(fmt::format("up cannot pull {}: {}", join(cannot, ", "),
                            unreachable.empty() ? "not in any registry"
                                                : join(unreachable, ", ") + " unreachable"),
                evidence, fix);
  }
  return pass(fmt::format("{} reachable for the {} missing image{}", join(reachable, ", "),
                          missing.size(), missing.size() == 1 ? "" : "s"),
              evidence);
}

}  // namespace

std::vector<Check> images_checks() {
  return {
      {"images.podman", "images", "the stack's images in the Podman store", check_podman,
       k_podman_check_timeout},
      {"images.cri", "images", "the stack's images in the CRI runtime's store", check_cri},
      {"images.registries", "images", "the registries of the missing images answer HEAD /v2/ (3 s)",
       check_registries},
  };
}

}  // namespace edgecrew::doctor
