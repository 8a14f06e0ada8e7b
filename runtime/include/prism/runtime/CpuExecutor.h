//===- CpuExecutor.h - Running a program's entry points on the CPU -*- C++ -*-//
//
// The executor loads the CPU kernel images (shared objects) of a program,
// allocates every buffer the program declares, and calls entry points with
// the C ABI that runtime/schemas/program.fbs defines:
//
//   extern "C" int SYMBOL(void *const *buffers, const int64_t *dims,
//                         const float *scalars);
//
// Buffers are float32, 64-byte aligned and zero-filled when allocated; the
// host views of Executor are the storage itself.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_CPUEXECUTOR_H
#define PRISM_RUNTIME_CPUEXECUTOR_H

#include "prism/runtime/Executor.h"
#include "prism/runtime/SharedImage.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace prism {

class CpuExecutor final : public Executor {
public:
  /// Loads the kernel image of every entry point (each must be a Cpu image
  /// in format "so", built for this machine's architecture) and resolves
  /// the entry points' symbols. Errors name the program file, the image and
  /// the symbol. The executor does not keep `program`.
  static StatusOr<std::unique_ptr<CpuExecutor>> create(const Program &program);

  ~CpuExecutor() override;

  const char *targetName() const override { return "cpu"; }
  std::string deviceDescription() const override;
  Status setBatchSize(uint64_t rows) override;
  float *buffer(size_t index) override { return storage[index].get(); }
  using Executor::buffer;
  /// A non-zero return code is an error naming the entry point, its symbol
  /// and the code.
  Status run(const std::string &name,
             const std::vector<float> &scalars) override;

private:
  struct FloatDeleter {
    void operator()(float *data) const;
  };
  using Entry = int (*)(void *const *, const int64_t *, const float *);

  CpuExecutor() = default;
  Status allocate(size_t index);

  std::vector<std::unique_ptr<SharedImage>> libraries;
  std::vector<Entry> entries; // parallel to program.entryPoints
  std::vector<std::unique_ptr<float, FloatDeleter>> storage;
};

} // namespace prism

#endif // PRISM_RUNTIME_CPUEXECUTOR_H
