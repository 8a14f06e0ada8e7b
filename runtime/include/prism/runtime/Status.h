//===- Status.h - Error values for the Prism runtime ------------*- C++ -*-===//
//
// The runtime reports user-facing failures as values, never as exceptions or
// aborts: a Status names the file it concerns and says what was expected and
// what was found. Tools print it as `FILE: error: MESSAGE`.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_STATUS_H
#define PRISM_RUNTIME_STATUS_H

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace prism {

class [[nodiscard]] Status {
public:
  static Status ok() { return Status(); }
  static Status error(std::string file, std::string message) {
    Status s;
    s.failed = true;
    s.file = std::move(file);
    s.message = std::move(message);
    return s;
  }

  bool isOk() const { return !failed; }

  const std::string &getFile() const { return file; }
  const std::string &getMessage() const { return message; }

  /// `FILE: error: MESSAGE`, or `error: MESSAGE` when no file is involved.
  std::string str() const {
    return file.empty() ? "error: " + message : file + ": error: " + message;
  }

private:
  bool failed = false;
  std::string file;
  std::string message;
};

/// A value or the Status explaining why there is none.
template <typename T> class [[nodiscard]] StatusOr {
public:
  StatusOr(T value) : value(std::move(value)) {}
  StatusOr(Status status) : status(std::move(status)) {
    assert(!this->status.isOk() && "StatusOr built from an ok Status");
  }

  bool isOk() const { return value.has_value(); }
  const Status &getStatus() const { return status; }
  T &operator*() { return *value; }
  const T &operator*() const { return *value; }
  T *operator->() { return &*value; }
  const T *operator->() const { return &*value; }
  T take() { return std::move(*value); }

private:
  std::optional<T> value;
  Status status;
};

} // namespace prism

#endif // PRISM_RUNTIME_STATUS_H
