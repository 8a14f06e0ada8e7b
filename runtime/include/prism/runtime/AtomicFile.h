//===- AtomicFile.h - Crash-safe file replacement ---------------*- C++ -*-===//
//
// Outputs (datasets, checkpoints) are written to a temporary file beside the
// target, flushed to disk, then renamed over it; the directory is synced so the
// rename itself survives a crash. A failed or abandoned write removes the
// temporary file: readers see the old file or the new one, never a partial one.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_ATOMICFILE_H
#define PRISM_RUNTIME_ATOMICFILE_H

#include "prism/runtime/Status.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace prism {

class AtomicFileWriter {
public:
  /// Creates the temporary file beside `path`.
  static StatusOr<AtomicFileWriter> create(const std::string &path);

  AtomicFileWriter(AtomicFileWriter &&other) noexcept;
  AtomicFileWriter(const AtomicFileWriter &) = delete;
  AtomicFileWriter &operator=(const AtomicFileWriter &) = delete;
  AtomicFileWriter &operator=(AtomicFileWriter &&) = delete;
  /// Removes the temporary file unless commit() succeeded.
  ~AtomicFileWriter();

  Status write(const void *data, size_t size);
  /// Writes zero bytes until the file offset is a multiple of `alignment`.
  Status padTo(size_t alignment);
  uint64_t offset() const { return written; }

  /// fsync, rename over the target, fsync the directory.
  Status commit();

private:
  AtomicFileWriter() = default;

  int fd = -1;
  uint64_t written = 0;
  bool committed = false;
  std::string targetPath;
  std::string tempPath;
};

/// Replaces `path` with `contents` through an AtomicFileWriter.
Status writeFileAtomically(const std::string &path,
                           const std::string &contents);

} // namespace prism

#endif // PRISM_RUNTIME_ATOMICFILE_H
