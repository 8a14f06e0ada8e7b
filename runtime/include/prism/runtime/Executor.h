//===- Executor.h - Running a program's entry points ------------*- C++ -*-===//
//
// The interface the trainer and the evaluator drive, whatever runs the
// kernels. Every buffer has a host view (buffer()): float32, zero-filled
// when allocated, batch-sized buffers re-allocated when the batch size
// changes. Where the kernels run on a device, the views are kept coherent
// by kind:
//
//   Input, ModelState   written on the host; sent before each entry call
//                       that reads them
//   Output, ModelState  fetched after each entry call that writes them
//   Parameter, OptimizerState, Metric
//                       live on the device; pullState() refreshes their
//                       host views, pushState() sends what the host wrote
//
// On the CPU the views are the storage and both calls do nothing.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_EXECUTOR_H
#define PRISM_RUNTIME_EXECUTOR_H

#include "prism/runtime/Program.h"
#include "prism/runtime/Status.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace prism {

class Executor {
public:
  virtual ~Executor();

  const ProgramInfo &info() const { return program; }
  const std::string &path() const { return programPath; }
  /// "cpu" or "cuda", and a line naming the device for logs.
  virtual const char *targetName() const = 0;
  virtual std::string deviceDescription() const = 0;

  /// Sizes the batch dimension. Batch-sized buffers are re-allocated (and
  /// zeroed) only when `rows` differs from the current batch size.
  virtual Status setBatchSize(uint64_t rows) = 0;
  uint64_t batchSize() const { return batch; }

  /// The host view of buffer `index`; null for a batch-sized buffer before
  /// setBatchSize().
  virtual float *buffer(size_t index) = 0;
  const float *buffer(size_t index) const {
    return const_cast<Executor *>(this)->buffer(index);
  }
  /// Elements and shape at the current batch size.
  uint64_t numElements(size_t index) const;
  std::vector<uint64_t> shape(size_t index) const;

  bool hasEntryPoint(const std::string &name) const;
  /// Calls entry point `name` with `scalars` (one per EntryPointInfo::scalars
  /// name, in that order). Errors name the entry point.
  virtual Status run(const std::string &name,
                     const std::vector<float> &scalars) = 0;

  /// Refreshes the host views of Parameter, OptimizerState and Metric
  /// buffers from the device (before checkpointing or reading weights).
  virtual Status pullState() { return Status::ok(); }
  /// Sends the host views of those buffers to the device (after
  /// initialising or loading them).
  virtual Status pushState() { return Status::ok(); }

  /// Device executors: copies `count` rows of `dim` floats (the dataset) to
  /// the device once, and from then on fills Input buffer `index` [B, dim]
  /// on the device from those rows, by the row numbers setResidentRows()
  /// gives before each call, instead of sending its host view. False when
  /// the back end keeps no data (the CPU), the rows do not fit in half the
  /// free device memory, or the program has no gather kernel: the host view
  /// is sent as before. `why` then says which.
  virtual bool makeResident(size_t /*index*/, const float * /*rows*/,
                            uint64_t /*count*/, uint64_t /*dim*/,
                            std::string &why) {
    why = "the " + std::string(targetName()) + " back end reads the host view";
    return false;
  }
  /// The dataset rows of the next call's batch, for the resident input.
  virtual void setResidentRows(const uint64_t * /*rows*/, uint64_t /*count*/) {}

protected:
  Executor() = default;
  Executor(const Executor &) = delete;
  Executor &operator=(const Executor &) = delete;
  /// The checks every run() makes: the entry point exists, takes as many
  /// scalars, and the batch size is set. Returns the entry point or null
  /// with `status` set.
  const EntryPointInfo *checkCall(const std::string &name,
                                  const std::vector<float> &scalars,
                                  Status &status) const;

  ProgramInfo program;
  std::string programPath;
  uint64_t batch = 0;
};

/// Where `prism train` and `prism eval` run a program.
enum class ExecutionTarget { Cpu, Cuda };

/// An executor for `program` on its own target (Program.target). A CUDA
/// program fails with a Status saying why no GPU can run it: this build
/// has no CUDA support, no driver, no device.
StatusOr<std::unique_ptr<Executor>> createExecutor(const Program &program);

/// Whether this build can run CUDA programs and a GPU answers; when not,
/// `why` says what is missing (for `--target auto`'s notice).
bool cudaAvailable(std::string &why);

} // namespace prism

#endif // PRISM_RUNTIME_EXECUTOR_H
