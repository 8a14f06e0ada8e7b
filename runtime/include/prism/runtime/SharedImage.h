//===- SharedImage.h - Loading a shared object from a program --*- C++ -*-===//
//
// A kernel image in format "so" is copied to an anonymous memory file
// (memfd_create) and opened as /proc/self/fd/N, so nothing touches the
// disk; where memfd_create is missing, a private temporary file is used and
// unlinked right after dlopen. The CPU executor loads its kernels this way,
// the CUDA executor its host image.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_SHAREDIMAGE_H
#define PRISM_RUNTIME_SHAREDIMAGE_H

#include "prism/runtime/Program.h"
#include "prism/runtime/Status.h"

#include <memory>
#include <string>

namespace prism {

class SharedImage {
public:
  /// Stages and dlopens kernel image `index` of `program`. Errors name the
  /// program file and the image.
  static StatusOr<std::unique_ptr<SharedImage>> open(const Program &program,
                                                     size_t index);
  ~SharedImage();
  SharedImage(const SharedImage &) = delete;
  SharedImage &operator=(const SharedImage &) = delete;

  /// The address of `name`, or null.
  void *symbol(const std::string &name) const;

private:
  SharedImage() = default;
  void *handle = nullptr;
  int fd = -1;
  std::string name;
};

/// The architecture name kernel images record for this machine ("x86_64",
/// "aarch64", ...).
const char *hostArchitecture();

} // namespace prism

#endif // PRISM_RUNTIME_SHAREDIMAGE_H
