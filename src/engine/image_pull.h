#pragma once
// Pulling an image through an engine, for a person watching: the layer events of a pull added up
// into one line, sizes as people read them, and the one "pull unless the store holds it" step that
// `up`'s executor and `images pull` share. The engine interface (engine.h) only streams the events.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine.h"
#include "util/result.h"

namespace edgecrew::engine {

// "f03ae8663092: Downloading 1.2 MB / 3.4 MB", for one line of progress.
std::string describe(const PullProgress& progress);
// "1.2 MB": bytes as a person reads them (decimal units, as Podman and Docker print sizes).
std::string human_size(std::int64_t bytes);

// A pull's layer events added up into one line, "2/3 layers, 12.3 MB / 45.6 MB", for the progress
// display of `up` and `images pull`.
class PullTally {
 public:
  // Returns whether something worth a plain line changed: the number of layers or of layers
  // done, or (before any layer) the message. Byte counts alone do not (a terminal redraws them;
  // a log would fill up with them).
  bool apply(const PullProgress& progress);
  std::string summary() const;

 private:
  std::int64_t bytes_total() const;
  struct Layer {
    std::string id, status;
    std::int64_t current = 0, total = 0;
  };
  std::string state() const;  // what a plain line is printed for: layers done, or the message
  std::vector<Layer> m_layers;
  std::string m_message;  // the last event about the whole image
};

// What ensure_image did.
struct EnsuredImage {
  bool pulled = false;  // false: the store held the image already
  std::string size;     // after a pull, "45.6 MB" as the store counts it; "" when it does not say
};

// Called once with an empty line when a pull starts, then with the tally's summary each time a
// plain line is worth printing.
using PullLineSink = std::function<void(const std::string& line)>;

// Pulls `image` through `engine` unless its store holds it (with `even_present`, `up --pull
// always`, whatever the store holds). The error says which step failed: "cannot look up image
// IMAGE: ..." or "pull IMAGE failed: ...", with the engine's error kind.
Result<EnsuredImage> ensure_image(Engine& engine, const std::string& image,
                                  const PullLineSink& lines, bool even_present = false);

}  // namespace edgecrew::engine
