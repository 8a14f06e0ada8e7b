//===- SharedImage.cpp - Loading a shared object from a program -----------===//

#include "prism/runtime/SharedImage.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

using namespace prism;

const char *prism::hostArchitecture() {
#if defined(__x86_64__)
  return "x86_64";
#elif defined(__aarch64__)
  return "aarch64";
#elif defined(__powerpc64__)
  return "ppc64le";
#else
  return "unknown";
#endif
}

static Status writeAll(int fd, const uint8_t *data, uint64_t size,
                       const std::string &path, const std::string &what) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return Status::error(path, "cannot stage " + what + ": " +
                                     std::strerror(errno));
    data += n;
    size -= static_cast<uint64_t>(n);
  }
  return Status::ok();
}

// The memfd stays open while the library is loaded: glibc recognises
// loaded libraries by path, so the name /proc/self/fd/N must not be reused
// for another image while this one is still mapped.
SharedImage::~SharedImage() {
  if (handle)
    ::dlclose(handle);
  if (fd < 0)
    return;
  // If something else keeps the library loaded, keep the fd (and its
  // name) reserved too.
  if (void *still = ::dlopen(name.c_str(), RTLD_NOW | RTLD_NOLOAD)) {
    ::dlclose(still);
    return;
  }
  ::close(fd);
}

/// Stages and opens kernel image `index` of `program`.
static Status openImage(const Program &program, size_t index, std::string &name,
                        int &fd, void *&handle) {
  const std::string &path = program.path();
  const KernelImageInfo &image = program.info().kernels[index];
  std::string what = "kernel image " + std::to_string(index);
  fd = ::memfd_create(("prism-kernel-" + std::to_string(index)).c_str(),
                      MFD_CLOEXEC);
  bool temporary = fd < 0;
  if (temporary) {
    const char *tmp = std::getenv("TMPDIR");
    std::string pattern =
        std::string(tmp && *tmp ? tmp : "/tmp") + "/prism-kernel-XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    fd = ::mkostemp(buffer.data(), O_CLOEXEC);
    if (fd < 0)
      return Status::error(path, "cannot stage " + what + ": " +
                                     std::strerror(errno));
    name = buffer.data();
  } else {
    name = "/proc/self/fd/" + std::to_string(fd);
  }
  Status status = writeAll(fd, program.blob(index), image.size, path, what);
  if (status.isOk()) {
    handle = ::dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char *error = ::dlerror();
      status = Status::error(path, "cannot load " + what + ": " +
                                       (error ? error : "dlopen failed"));
    }
  }
  if (temporary) {
    ::unlink(name.c_str());
    ::close(fd);
    fd = -1;
  } else if (!status.isOk()) {
    ::close(fd);
    fd = -1;
  }
  return status;
}

StatusOr<std::unique_ptr<SharedImage>> SharedImage::open(const Program &program,
                                                         size_t index) {
  std::unique_ptr<SharedImage> image(new SharedImage());
  Status status =
      openImage(program, index, image->name, image->fd, image->handle);
  if (!status.isOk())
    return status;
  return image;
}

void *SharedImage::symbol(const std::string &symbolName) const {
  ::dlerror();
  return ::dlsym(handle, symbolName.c_str());
}
