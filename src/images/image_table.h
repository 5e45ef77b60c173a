#pragma once
// `edgecrew images`: every image the stack needs, looked up in both stores and compared by id
// (the config digest), so a tag that names different images in the two stores shows.

#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "images/store.h"
#include "stack/model.h"

namespace edgecrew::images {

// One store's answer about one image: there (with its facts), not there, or why it could not say.
struct Presence {
  std::optional<engine::ImageInfo> info;
  std::string error;  // "" when the store answered
  bool present() const { return error.empty() && info.has_value(); }
};

enum class Agreement {
  same,         // in both, one id (or one shared store)
  differ,       // in both under this name, different ids
  podman_only,  // only in Podman's store
  cri_only,     // only in the CRI store
  neither,      // in no store: a pull is needed
  unknown       // a store could not be asked
};

const char* to_string(Agreement agreement);

// "sha256:826b8212ae8b50a6..." → "826b8212ae8b", as Podman shows image ids.
std::string short_id(const std::string& id);

struct ImageRow {
  std::string image;
  std::vector<std::string> services;
  Presence podman, cri;
  Agreement agreement = Agreement::unknown;
};

struct ImageTable {
  bool shared = false;  // both sides are one containers-storage store
  std::vector<ImageRow> rows;
};

// The images of `services` in order of first use, each asked of both sides (in parallel).
ImageTable build_table(const std::vector<const stack::Service*>& services, const StoreSide& podman,
                       const StoreSide& cri);

Presence presence_in(const StoreSide& side, const std::string& image);

Agreement compare(const Presence& podman, const Presence& cri, bool shared);

}  // namespace edgecrew::images
