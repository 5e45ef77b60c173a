#include "images/image_table.h"

#include <algorithm>
#include <future>

namespace edgecrew::images {

const char* to_string(Agreement agreement) {
  switch (agreement) {
    case Agreement::same:
      return "same";
    case Agreement::differ:
      return "differ";
    case Agreement::podman_only:
      return "podman-only";
    case Agreement::cri_only:
      return "cri-only";
    case Agreement::neither:
      return "missing";
    case Agreement::unknown:
      return "unknown";
  }
  return "unknown";
}

std::string short_id(const std::string& id) {
  std::string hex = id.starts_with("sha256:") ? id.substr(7) : id;
  return hex.substr(0, 12);
}

Presence presence_in(const StoreSide& side, const std::string& image) {
  auto found = look_up(side, image);
  if (!found) return {std::nullopt, found.error().message};
  return {std::move(*found), {}};
}

Agreement compare(const Presence& podman, const Presence& cri, bool shared) {
  if (shared && (podman.error.empty() || cri.error.empty())) {
    // One store: whichever side answered speaks for both.
    const Presence& known = podman.error.empty() ? podman : cri;
    return known.present() ? Agreement::same : Agreement::neither;
  }
  if (!podman.error.empty() || !cri.error.empty()) {
    if (podman.present()) return Agreement::podman_only;
    if (cri.present()) return Agreement::cri_only;
    return Agreement::unknown;
  }
  if (podman.present() && cri.present()) {
    return podman.info->id == cri.info->id ? Agreement::same : Agreement::differ;
  }
  if (podman.present()) return Agreement::podman_only;
  if (cri.present()) return Agreement::cri_only;
  return Agreement::neither;
}

ImageTable build_table(const std::vector<const stack::Service*>& services, const StoreSide& podman,
                       const StoreSide& cri) {
  ImageTable table;
  table.shared = podman.store && cri.store && same_store(*podman.store, *cri.store);
  for (const auto* service : services) {
    auto row = std::find_if(table.rows.begin(), table.rows.end(),
                            [&](const ImageRow& r) { return r.image == service->image; });
    if (row == table.rows.end()) {
      table.rows.push_back({service->image, {service->name}, {}, {}, Agreement::unknown});
    } else {
      row->services.push_back(service->name);
    }
  }
  // Each look-up is one API call or one skopeo run: ask them all at once.
  std::vector<std::future<Presence>> podman_answers, cri_answers;
  for (const auto& row : table.rows) {
    podman_answers.push_back(std::async(
        std::launch::async, [&podman, image = row.image] { return presence_in(podman, image); }));
    cri_answers.push_back(std::async(
        std::launch::async, [&cri, image = row.image] { return presence_in(cri, image); }));
  }
  for (std::size_t i = 0; i < table.rows.size(); ++i) {
    auto& row = table.rows[i];
    row.podman = podman_answers[i].get();
    row.cri = cri_answers[i].get();
    row.agreement = compare(row.podman, row.cri, table.shared);
  }
  return table;
}

}  // namespace edgecrew::images
