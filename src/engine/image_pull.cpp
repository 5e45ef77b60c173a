#include "engine/image_pull.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

namespace edgecrew::engine {

std::string human_size(std::int64_t bytes) {
  if (bytes < 1000) return fmt::format("{} B", bytes);
  const char* units[] = {"kB", "MB", "GB", "TB"};
  double value = static_cast<double>(bytes) / 1000.0;
  int unit = 0;
  while (value >= 1000.0 && unit < 3) {
    value /= 1000.0;
    ++unit;
  }
  return fmt::format("{:.{}f} {}", value, value < 10.0 ? 1 : 0, units[unit]);
}

std::string describe(const PullProgress& progress) {
  std::string out =
      progress.layer.empty() ? progress.status : progress.layer + ": " + progress.status;
  if (progress.total > 0) {
    out += fmt::format(" {} / {}", human_size(progress.current), human_size(progress.total));
  } else if (progress.current > 0) {
    out += " " + human_size(progress.current);
  }
  return out;
}

namespace {

// The layer states Podman (and Docker) report once a layer needs nothing more.
bool layer_done(const std::string& status) {
  return status == "Download complete" || status == "Pull complete" || status == "Already exists" ||
         status == "Exists";
}

}  // namespace

std::string PullTally::state() const {
  if (m_layers.empty()) return m_message;
  std::size_t done = 0;
  for (const auto& layer : m_layers) done += layer_done(layer.status) ? 1 : 0;
  return fmt::format("{}/{}", done, m_layers.size());
}

bool PullTally::apply(const PullProgress& progress) {
  const std::string before = state();
  if (progress.layer.empty()) {
    m_message = progress.status;
    return state() != before;
  }
  auto layer = std::find_if(m_layers.begin(), m_layers.end(),
                            [&](const Layer& l) { return l.id == progress.layer; });
  if (layer == m_layers.end()) {
    m_layers.push_back({progress.layer, {}, 0, 0});
    layer = std::prev(m_layers.end());
  }
  layer->status = progress.status;
  if (progress.total > 0) layer->total = progress.total;
  if (progress.current > 0) layer->current = progress.current;
  if (layer_done(layer->status) && layer->total > 0) layer->current = layer->total;
  return state() != before;
}

std::int64_t PullTally::bytes_total() const {
  std::int64_t total = 0;
  for (const auto& layer : m_layers) total += layer.total;
  return total;
}

std::string PullTally::summary() const {
  if (m_layers.empty()) return m_message;
  std::size_t done = 0;
  std::int64_t current = 0;
  for (const auto& layer : m_layers) {
    if (layer_done(layer.status)) ++done;
    current += layer.current;
  }
  std::string out = fmt::format("{}/{} layers", done, m_layers.size());
  if (bytes_total() > 0) {
    out += fmt::format(", {} / {}", human_size(current), human_size(bytes_total()));
  }
  return out;
}

Result<EnsuredImage> ensure_image(Engine& engine, const std::string& image,
                                  const PullLineSink& lines, bool even_present) {
  if (!even_present) {
    auto present = engine.image_present(image);
    if (!present) {
      return Error{present.error().kind,
                   fmt::format("cannot look up image {}: {}", image, present.error().message)};
    }
    if (*present) return EnsuredImage{};
  }
  lines("");
  PullTally tally;
  auto pulled = engine.pull_image(image, [&](const PullProgress& progress) {
    if (tally.apply(progress)) lines(tally.summary());
  });
  if (!pulled) {
    return Error{pulled.error().kind,
                 fmt::format("pull {} failed: {}", image, pulled.error().message)};
  }
  EnsuredImage out{true, {}};
  auto info = engine.image(image);
  if (info && *info && (*info)->size > 0) out.size = human_size((*info)->size);
  return out;
}

}  // namespace edgecrew::engine
