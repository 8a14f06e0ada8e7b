//===- CpuExecutor.h - Running a program's entry points on the CPU -*- C++ -*-//
//
// The executor loads the CPU kernel images (shared objects) of a program,
// allocates every buffer the program declares, and calls entry points with
// the C ABI that runtime/schemas/program.fbs defines:
//
//   extern "C" int SYMBOL(void *const *buffers, const int64_t *dims,
//                         const float *scalars);
//
// Buffers are float32, 64-byte aligned and zero-filled when allocated. Those
// with a -1 dimension are sized by the batch size and re-allocated (zeroed)
// when it changes; the others live as long as the executor.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_CPUEXECUTOR_H
#define PRISM_RUNTIME_CPUEXECUTOR_H

#include "prism/runtime/Program.h"
#include "prism/runtime/Status.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace prism {

class CpuExecutor {
public:
  /// Loads the kernel image of every entry point (each must be a Cpu image
  /// in format "so", built for this machine's architecture) and resolves
  /// the entry points' symbols. Errors name the program file, the image and
  /// the symbol. The executor does not keep `program`.
  static StatusOr<std::unique_ptr<CpuExecutor>> create(const Program &program);

  ~CpuExecutor();
  CpuExecutor(const CpuExecutor &) = delete;
  CpuExecutor &operator=(const CpuExecutor &) = delete;

  const ProgramInfo &info() const { return program; }
  const std::string &path() const { return programPath; }

  /// Sizes the batch dimension. Batch-sized buffers are re-allocated (and
  /// zeroed) only when `rows` differs from the current batch size.
  Status setBatchSize(uint64_t rows);
  uint64_t batchSize() const { return batch; }

  /// The storage of buffer `index`; null for a batch-sized buffer before
  /// setBatchSize().
  float *buffer(size_t index) { return storage[index].get(); }
  const float *buffer(size_t index) const { return storage[index].get(); }
  /// Elements and shape at the current batch size.
  uint64_t numElements(size_t index) const;
  std::vector<uint64_t> shape(size_t index) const;

  bool hasEntryPoint(const std::string &name) const;
  /// Calls entry point `name` with `scalars` (one per EntryPointInfo::scalars
  /// name, in that order). A non-zero return code is an error naming the
  /// entry point, its symbol and the code.
  Status run(const std::string &name, const std::vector<float> &scalars);

private:
  struct Library;
  struct FloatDeleter {
    void operator()(float *data) const;
  };
  using Entry = int (*)(void *const *, const int64_t *, const float *);

  CpuExecutor() = default;
  Status allocate(size_t index);

  ProgramInfo program;
  std::string programPath;
  std::vector<std::unique_ptr<Library>> libraries;
  std::vector<Entry> entries; // parallel to program.entryPoints
  std::vector<std::unique_ptr<float, FloatDeleter>> storage;
  uint64_t batch = 0;
};

/// The architecture name kernel images record for this machine ("x86_64",
/// "aarch64", ...).
const char *hostArchitecture();

} // namespace prism

#endif // PRISM_RUNTIME_CPUEXECUTOR_H
