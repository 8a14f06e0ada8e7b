//===- CpuExecutor.cpp - Running a program's entry points on the CPU ------===//
//
// A kernel image is a shared object inside the program file. It is copied to
// an anonymous memory file (memfd_create) and opened as /proc/self/fd/N, so
// nothing touches the disk; where memfd_create is missing, a private temporary
// file is used and unlinked right after dlopen.
//
//===----------------------------------------------------------------------===//

#include "prism/runtime/CpuExecutor.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

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

/// A dlopen'ed kernel image. The memfd stays open while the library is
/// loaded: glibc recognises loaded libraries by path, so the name
/// /proc/self/fd/N must not be reused for another image while this one is
/// still mapped.
struct CpuExecutor::Library {
  void *handle = nullptr;
  int fd = -1;
  std::string name;

  ~Library() {
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
};

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

StatusOr<std::unique_ptr<CpuExecutor>>
CpuExecutor::create(const Program &program) {
  std::unique_ptr<CpuExecutor> executor(new CpuExecutor());
  executor->program = program.info();
  executor->programPath = program.path();
  const std::string &path = program.path();
  const ProgramInfo &info = executor->program;

  std::vector<Library *> byImage(info.kernels.size(), nullptr);
  for (const EntryPointInfo &entry : info.entryPoints) {
    size_t index = entry.kernelImage;
    const KernelImageInfo &image = info.kernels[index];
    std::string what = "kernel image " + std::to_string(index);
    if (!byImage[index]) {
      if (image.target != ProgramTarget::Cpu || image.format != "so")
        return Status::error(path, "entry point '" + entry.name + "' uses " +
                                       what + " (" + targetName(image.target) +
                                       " " + image.format +
                                       "), but the CPU executor runs only "
                                       "Cpu images in format 'so'");
      if (!image.arch.empty() && image.arch != hostArchitecture())
        return Status::error(path, what + " was built for " + image.arch +
                                       ", but this machine is " +
                                       hostArchitecture());
      auto library = std::make_unique<Library>();
      Status status = openImage(program, index, library->name, library->fd,
                                library->handle);
      if (!status.isOk())
        return status;
      byImage[index] = library.get();
      executor->libraries.push_back(std::move(library));
    }
    ::dlerror();
    void *symbol = ::dlsym(byImage[index]->handle, entry.symbol.c_str());
    if (!symbol)
      return Status::error(path, what + " does not export the symbol '" +
                                     entry.symbol + "' of entry point '" +
                                     entry.name + "'");
    executor->entries.push_back(reinterpret_cast<Entry>(symbol));
  }

  executor->storage.resize(info.buffers.size());
  for (size_t i = 0; i < info.buffers.size(); ++i) {
    if (info.buffers[i].isBatched())
      continue;
    Status status = executor->allocate(i);
    if (!status.isOk())
      return status;
  }
  return executor;
}

CpuExecutor::~CpuExecutor() {
  // Buffers go before the libraries that might have handed out pointers
  // into them; the order is otherwise irrelevant.
  storage.clear();
  libraries.clear();
}

void CpuExecutor::FloatDeleter::operator()(float *data) const {
  std::free(data);
}

Status CpuExecutor::allocate(size_t index) {
  const BufferInfo &buffer = program.buffers[index];
  uint64_t bytes = buffer.numElements(batch) * sizeof(float);
  // aligned_alloc wants a multiple of the alignment; never ask for 0 bytes.
  uint64_t rounded = (bytes + 63) / 64 * 64;
  void *data = std::aligned_alloc(64, rounded ? rounded : 64);
  if (!data)
    return Status::error(programPath,
                         "cannot allocate " + std::to_string(bytes) +
                             " bytes for buffer '" + buffer.name + "'");
  std::memset(data, 0, rounded ? rounded : 64);
  storage[index].reset(static_cast<float *>(data));
  return Status::ok();
}

Status CpuExecutor::setBatchSize(uint64_t rows) {
  if (rows == 0)
    return Status::error(programPath, "the batch size must be positive");
  if (rows == batch)
    return Status::ok();
  batch = rows;
  for (size_t i = 0; i < program.buffers.size(); ++i) {
    if (!program.buffers[i].isBatched())
      continue;
    storage[i].reset();
    Status status = allocate(i);
    if (!status.isOk())
      return status;
  }
  return Status::ok();
}

uint64_t CpuExecutor::numElements(size_t index) const {
  return program.buffers[index].numElements(batch);
}

std::vector<uint64_t> CpuExecutor::shape(size_t index) const {
  return program.buffers[index].concreteShape(batch);
}

bool CpuExecutor::hasEntryPoint(const std::string &name) const {
  return program.findEntryPoint(name) != nullptr;
}

Status CpuExecutor::run(const std::string &name,
                        const std::vector<float> &scalars) {
  const EntryPointInfo *entry = program.findEntryPoint(name);
  if (!entry)
    return Status::error(programPath,
                         "the program has no entry point '" + name + "'");
  if (scalars.size() != entry->scalars.size())
    return Status::error(programPath,
                         "entry point '" + name + "' takes " +
                             std::to_string(entry->scalars.size()) +
                             " scalars, but was given " +
                             std::to_string(scalars.size()));
  if (batch == 0)
    return Status::error(programPath, "entry point '" + name +
                                          "' called before the batch size "
                                          "was set");
  std::vector<void *> pointers(storage.size());
  for (size_t i = 0; i < storage.size(); ++i)
    pointers[i] = storage[i].get();
  int64_t dims[1] = {static_cast<int64_t>(batch)};
  Entry function = entries[entry - program.entryPoints.data()];
  int code = function(pointers.data(), dims, scalars.data());
  if (code != 0)
    return Status::error(programPath, "entry point '" + name + "' (symbol '" +
                                          entry->symbol + "') returned " +
                                          std::to_string(code));
  return Status::ok();
}
