//===- AtomicFile.cpp - Crash-safe file replacement -----------------------===//

#include "prism/runtime/AtomicFile.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

using namespace prism;

static std::string parentDirectory(const std::string &path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos)
    return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

static std::string errnoText() { return std::strerror(errno); }

StatusOr<AtomicFileWriter> AtomicFileWriter::create(const std::string &path) {
  AtomicFileWriter writer;
  writer.targetPath = path;
  // A device or pipe (/dev/null, /dev/stdout) is written in place: renaming
  // a file over it would replace the device node.
  struct stat target;
  if (::stat(path.c_str(), &target) == 0 && !S_ISREG(target.st_mode) &&
      !S_ISDIR(target.st_mode)) {
    writer.fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (writer.fd < 0)
      return Status::error(path, "cannot open output: " + errnoText());
    return writer;
  }
  std::vector<char> name(path.begin(), path.end());
  const char suffix[] = ".tmp.XXXXXX";
  name.insert(name.end(), suffix, suffix + sizeof(suffix));
  writer.fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (writer.fd < 0)
    return Status::error(path, "cannot create output: " + errnoText());
  writer.tempPath = name.data();
  // mkostemp creates the file 0600; give it the permissions a plain create
  // would have.
  mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(writer.fd, 0666 & ~mask);
  return writer;
}

AtomicFileWriter::AtomicFileWriter(AtomicFileWriter &&other) noexcept
    : fd(other.fd), written(other.written), committed(other.committed),
      targetPath(std::move(other.targetPath)),
      tempPath(std::move(other.tempPath)) {
  other.fd = -1;
  other.committed = true; // the moved-from writer owns nothing to clean up
}

AtomicFileWriter::~AtomicFileWriter() {
  if (fd >= 0)
    ::close(fd);
  if (!committed && !tempPath.empty())
    ::unlink(tempPath.c_str());
}

Status AtomicFileWriter::write(const void *data, size_t size) {
  const char *cursor = static_cast<const char *>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, cursor, size);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return Status::error(targetPath, "write failed: " + errnoText());
    }
    cursor += n;
    size -= static_cast<size_t>(n);
    written += static_cast<uint64_t>(n);
  }
  return Status::ok();
}

Status AtomicFileWriter::padTo(size_t alignment) {
  static const char zeros[256] = {};
  size_t remainder = written % alignment;
  if (remainder == 0)
    return Status::ok();
  size_t padding = alignment - remainder;
  while (padding > 0) {
    size_t chunk = padding < sizeof(zeros) ? padding : sizeof(zeros);
    Status status = write(zeros, chunk);
    if (!status.isOk())
      return status;
    padding -= chunk;
  }
  return Status::ok();
}

Status AtomicFileWriter::commit() {
  if (tempPath.empty()) { // a device or pipe, written in place
    int status = ::close(fd);
    fd = -1;
    committed = true;
    if (status != 0)
      return Status::error(targetPath, "close failed: " + errnoText());
    return Status::ok();
  }
  if (::fsync(fd) != 0)
    return Status::error(targetPath, "fsync failed: " + errnoText());
  if (::close(fd) != 0) {
    fd = -1;
    return Status::error(targetPath, "close failed: " + errnoText());
  }
  fd = -1;
  if (::rename(tempPath.c_str(), targetPath.c_str()) != 0)
    return Status::error(targetPath, "cannot rename the finished output "
                                     "into place: " +
                                         errnoText());
  committed = true;
  // Sync the directory so the rename is durable too.
  int dirFd = ::open(parentDirectory(targetPath).c_str(),
                     O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirFd >= 0) {
    ::fsync(dirFd);
    ::close(dirFd);
  }
  return Status::ok();
}

Status prism::writeFileAtomically(const std::string &path,
                                  const std::string &contents) {
  StatusOr<AtomicFileWriter> writer = AtomicFileWriter::create(path);
  if (!writer.isOk())
    return writer.getStatus();
  Status status = writer->write(contents.data(), contents.size());
  return status.isOk() ? writer->commit() : status;
}
