#pragma once
// `edgecrew images sync` and `up`'s fallback: copying the stack's images from one store to the
// other without a registry. Between two containers-storage stores skopeo copies directly; into
// containerd the image goes through an OCI archive that `ctr images import` reads, run only when
// the caller allows it (else the command is handed back to print).

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "images/image_table.h"
#include "images/store.h"

namespace edgecrew::images {

inline constexpr std::chrono::milliseconds k_ctr_timeout{30 * 60'000};

struct SyncOptions {
  bool run_ctr = false;                 // import into containerd with ctr (--yes)
  std::filesystem::path archive_dir{};  // where archives for containerd go; empty: a temp dir
};

enum class StepResult {
  copied,      // the image is now in the target store
  up_to_date,  // the target holds the same id already
  shared,      // one store: nothing to copy
  not_in_source,
  to_run,  // an archive was written; `command` imports it
  failed
};

const char* to_string(StepResult result);

struct SyncStep {
  std::string image;
  StepResult result = StepResult::failed;
  std::string detail;   // the error, or "replaced sha256:... (was sha256:...)"
  std::string command;  // for to_run
};

// Progress lines of one image's copy, as skopeo or ctr print them.
using CopySink = std::function<void(const std::string& image, std::string_view line)>;

// Copies `image` from `from` into `to`; the step says what happened (never throws, never pulls).
SyncStep copy_image(const std::string& image, const StoreSide& from, const StoreSide& to,
                    const SyncOptions& options, const CopySink& sink);

// Every row of the table from `from` to `to`, one after the other: rows the target already
// holds with the same id are left alone; a target that holds another image under the name gets
// the source's (the step says so).
std::vector<SyncStep> sync_images(const ImageTable& table, const StoreSide& from,
                                  const StoreSide& to, const SyncOptions& options,
                                  const CopySink& sink);

}  // namespace edgecrew::images
