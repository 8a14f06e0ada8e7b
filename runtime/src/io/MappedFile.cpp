//===- MappedFile.cpp - Read-only memory-mapped files ---------------------===//

#include "prism/runtime/MappedFile.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace prism;

StatusOr<MappedFile> MappedFile::open(const std::string &path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return Status::error(path,
                         std::string("cannot open: ") + std::strerror(errno));
  struct stat info;
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return Status::error(path, "not a regular file");
  }
  MappedFile file;
  file.filePath = path;
  file.length = static_cast<size_t>(info.st_size);
  if (file.length > 0) {
    void *mapped = ::mmap(nullptr, file.length, PROT_READ, MAP_PRIVATE, fd, 0);
    if (mapped == MAP_FAILED) {
      int err = errno;
      ::close(fd);
      return Status::error(path,
                           std::string("cannot map: ") + std::strerror(err));
    }
    file.bytes = static_cast<const uint8_t *>(mapped);
  }
  ::close(fd);
  return file;
}

MappedFile::MappedFile(MappedFile &&other) noexcept {
  *this = std::move(other);
}

MappedFile &MappedFile::operator=(MappedFile &&other) noexcept {
  if (this != &other) {
    release();
    bytes = other.bytes;
    length = other.length;
    filePath = std::move(other.filePath);
    other.bytes = nullptr;
    other.length = 0;
  }
  return *this;
}

MappedFile::~MappedFile() { release(); }

void MappedFile::release() {
  if (bytes)
    ::munmap(const_cast<uint8_t *>(bytes), length);
  bytes = nullptr;
  length = 0;
}
