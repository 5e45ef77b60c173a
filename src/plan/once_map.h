#pragma once
// One computation per key, shared by the threads that ask for it: an image is pulled once, a
// volume ensured once, a dependency's readiness awaited once however many dependents wait on it.

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace edgecrew::plan {

template <typename T>
class OnceMap {
 public:
  // The value stored for `key`, computing it with `fn` on the first call; later callers wait.
  template <typename Fn>
  T get(const std::string& key, Fn&& fn) {
    std::shared_ptr<Slot> slot;
    {
      std::lock_guard lock(m_mutex);
      auto& entry = m_slots[key];
      if (!entry) entry = std::make_shared<Slot>();
      slot = entry;
    }
    std::lock_guard lock(slot->mutex);
    if (!slot->value) slot->value = fn();
    return *slot->value;
  }

 private:
  struct Slot {
    std::mutex mutex;
    std::optional<T> value;
  };
  std::mutex m_mutex;
  std::map<std::string, std::shared_ptr<Slot>> m_slots;
};

}  // namespace edgecrew::plan
