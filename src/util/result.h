#pragma once
// Value-or-error for the low layers; the command layer turns an Error into a message and exit code.

#include <string>
#include <utility>
#include <variant>

namespace edgecrew {

enum class ErrorKind {
  invalid_input,
  not_found,
  permission_denied,
  timeout,
  unavailable,
  io,
  internal
};

// not_found, permission_denied or io, for an errno value from a failed system call.
ErrorKind error_kind_from_errno(int err);

struct Error {
  ErrorKind kind = ErrorKind::internal;
  std::string message;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : m_state(std::move(value)) {}
  Result(Error error) : m_state(std::move(error)) {}

  bool ok() const { return m_state.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(m_state); }
  const T& value() const { return std::get<0>(m_state); }
  const Error& error() const { return std::get<1>(m_state); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }

 private:
  std::variant<T, Error> m_state;
};

struct Ok {};
using Status = Result<Ok>;

}  // namespace edgecrew
