//===- MappedFile.h - Read-only memory-mapped files -------------*- C++ -*-===//

#ifndef PRISM_RUNTIME_MAPPEDFILE_H
#define PRISM_RUNTIME_MAPPEDFILE_H

#include "prism/runtime/Status.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace prism {

/// A whole file mapped read-only. Empty files are valid and map to no bytes.
class MappedFile {
public:
  static StatusOr<MappedFile> open(const std::string &path);

  MappedFile() = default;
  MappedFile(MappedFile &&other) noexcept;
  MappedFile &operator=(MappedFile &&other) noexcept;
  MappedFile(const MappedFile &) = delete;
  MappedFile &operator=(const MappedFile &) = delete;
  ~MappedFile();

  const uint8_t *data() const { return bytes; }
  size_t size() const { return length; }
  const std::string &path() const { return filePath; }

private:
  void release();

  const uint8_t *bytes = nullptr;
  size_t length = 0;
  std::string filePath;
};

} // namespace prism

#endif // PRISM_RUNTIME_MAPPEDFILE_H
