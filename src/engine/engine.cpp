#include "engine/engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

namespace edgecrew::engine {

const char* to_string(ContainerState state) {
  switch (state) {
    case ContainerState::created:
      return "created";
    case ContainerState::running:
      return "running";
    case ContainerState::paused:
      return "paused";
    case ContainerState::exited:
      return "exited";
    case ContainerState::unknown:
      return "unknown";
  }
  return "unknown";
}

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

std::string pulled_size(Engine& engine, const std::string& image) {
  auto info = engine.image(image);
  if (!info || !*info || (*info)->size <= 0) return {};
  return human_size((*info)->size);
}

Result<bool> Engine::image_present(const std::string& image) {
  auto found = this->image(image);
  if (!found) return found.error();
  return found->has_value();
}

const Container* container_of(const std::vector<Container>& containers,
                              const std::string& service) {
  const Container* best = nullptr;
  for (const auto& c : containers) {
    if (c.service != service) continue;
    bool running = c.state == ContainerState::running;
    bool best_running = best != nullptr && best->state == ContainerState::running;
    if (best == nullptr || (running && !best_running) ||
        (running == best_running && c.started_at > best->started_at)) {
      best = &c;
    }
  }
  return best;
}

Status Engine::build_image(const stack::Build&, const std::string& tag, const BuildSink&) {
  return Error{
      ErrorKind::invalid_input,
      fmt::format("building {}: the {} engine builds no images; Podman builds them", tag, name())};
}

}  // namespace edgecrew::engine
