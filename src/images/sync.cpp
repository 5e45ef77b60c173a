#include "images/sync.h"

#include <fmt/format.h>
#include <stdlib.h>

#include <cctype>
#include <cerrno>

#include "images/skopeo.h"
#include "util/strings.h"
#include "util/subprocess.h"

namespace edgecrew::images {

namespace fs = std::filesystem;

const char* to_string(StepResult result) {
  switch (result) {
    case StepResult::copied:
      return "copied";
    case StepResult::up_to_date:
      return "up to date";
    case StepResult::shared:
      return "shared";
    case StepResult::not_in_source:
      return "not in source";
    case StepResult::to_run:
      return "archive written";
    case StepResult::failed:
      return "failed";
  }
  return "failed";
}

namespace {

Result<fs::path> make_temp_dir() {
  std::string pattern = (fs::temp_directory_path() / "edgecrew-images-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Error{error_kind_from_errno(errno), "cannot make a temp dir for the image archive"};
  }
  return fs::path(pattern);
}

// "localhost/edgecrew/x:1" → "localhost_edgecrew_x_1.tar".
std::string archive_name(const std::string& image) {
  std::string name;
  for (char c : image)
    name += std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ? c : '_';
  return name + ".tar";
}

std::vector<std::string> ctr_import_argv(const StoreSide& to, const fs::path& archive) {
  return {"ctr", "--address", to.socket, "-n", "k8s.io", "images", "import", archive.string()};
}

SyncStep into_containerd(const std::string& image, const StoreSide& from, const StoreSide& to,
                         const SyncOptions& options, const CopySink& sink) {
  SyncStep step{image, StepResult::failed, {}, {}};
  fs::path dir = options.archive_dir;
  if (dir.empty()) {
    auto made = make_temp_dir();
    if (!made) {
      step.detail = made.error().message;
      return step;
    }
    dir = *made;
  }
  // An OCI archive that names the image by its whole reference: ctr import takes that name as
  // is (without it, ctr imports nothing and still succeeds). --preserve-digests keeps the layers
  // as they are, so the manifest stays the one the source store has; a docker-archive would
  // rewrite Podman's OCI manifest.
  const fs::path archive = dir / archive_name(image);
  std::error_code ec;
  fs::remove(archive, ec);
  auto copied =
      skopeo_copy(storage_reference(*from.store, image),
                  fmt::format("oci-archive:{}:{}", archive.string(), image),
                  [&](std::string_view line) { sink(image, line); }, {"--preserve-digests"});
  if (!copied) {
    step.detail = copied.error().message;
    fs::remove(archive, ec);
    if (options.archive_dir.empty()) fs::remove(dir, ec);
    return step;
  }
  // From here on the archive stays until ctr has imported it: it is what a person imports by hand.
  auto argv = ctr_import_argv(to, archive);
  if (!options.run_ctr) {
    step.result = StepResult::to_run;
    step.command = join(argv, " ");
    step.detail = "archive " + archive.string();
    return step;
  }
  sink(image, "ctr images import " + archive.string());
  auto ran = run_process({.argv = argv}, k_ctr_timeout);
  if (!ran || !ran->status.success()) {
    step.detail = !ran ? (ran.error().kind == ErrorKind::not_found
                              ? "ctr is not installed (it comes with the containerd package): "
                                "import the archive by hand with\n  " +
                                    join(argv, " ")
                              : ran.error().message)
                       : fmt::format("ctr images import {}: {}", archive.string(),
                                     trim(ran->err.empty() ? ran->out : ran->err));
    return step;
  }
  fs::remove(archive, ec);
  if (options.archive_dir.empty()) fs::remove(dir, ec);
  step.result = StepResult::copied;
  return step;
}

}  // namespace

SyncStep copy_image(const std::string& image, const StoreSide& from, const StoreSide& to,
                    const SyncOptions& options, const CopySink& sink) {
  SyncStep step{image, StepResult::failed, {}, {}};
  if (!from.store || !to.store) {
    step.detail = fmt::format("the {} store is unknown: {}", (!from.store ? from : to).label(),
                              (!from.store ? from : to).absent);
    return step;
  }
  if (same_store(*from.store, *to.store)) {
    step.result = StepResult::shared;
    return step;
  }
  if (!from.containers_storage()) {
    // containerd's content store has no reader but ctr: say how to bring the image over.
    step.detail = fmt::format(
        "copying out of {} is not done by edgecrew; export and load it:\n"
        "  ctr --address {} -n k8s.io images export image.tar {}\n  podman load -i image.tar",
        describe(*from.store), from.socket, image);
    return step;
  }
  if (!to.containers_storage()) return into_containerd(image, from, to, options, sink);
  auto copied =
      skopeo_copy(storage_reference(*from.store, image), storage_reference(*to.store, image),
                  [&](std::string_view line) { sink(image, line); });
  if (!copied) {
    step.detail = copied.error().message;
    return step;
  }
  step.result = StepResult::copied;
  return step;
}

std::vector<SyncStep> sync_images(const ImageTable& table, const StoreSide& from,
                                  const StoreSide& to, const SyncOptions& options,
                                  const CopySink& sink) {
  std::vector<SyncStep> steps;
  const bool to_podman = to.name == "podman";
  for (const auto& row : table.rows) {
    const Presence& source = to_podman ? row.cri : row.podman;
    const Presence& target = to_podman ? row.podman : row.cri;
    if (table.shared) {
      steps.push_back({row.image, StepResult::shared, {}, {}});
      continue;
    }
    if (!source.error.empty()) {
      steps.push_back({row.image, StepResult::failed, source.error, {}});
      continue;
    }
    if (!source.present()) {
      steps.push_back(target.present() ? SyncStep{row.image,
                                                  StepResult::up_to_date,
                                                  "only the " + to.label() + " store has it",
                                                  {}}
                                       : SyncStep{row.image, StepResult::not_in_source, {}, {}});
      continue;
    }
    if (target.present() && target.info->id == source.info->id) {
      steps.push_back({row.image, StepResult::up_to_date, {}, {}});
      continue;
    }
    SyncStep step = copy_image(row.image, from, to, options, sink);
    if (target.present() && step.result == StepResult::copied) {
      step.detail = fmt::format("replaced {} (the {} store had {})", short_id(source.info->id),
                                to.label(), short_id(target.info->id));
    }
    steps.push_back(std::move(step));
  }
  return steps;
}

}  // namespace edgecrew::images
