//===- CudaExecutor.h - Running a program's entry points on a GPU -*- C++ -*-=//
//
// The executor of CUDA programs (Program.target = Cuda). Their entry points
// live in a host image (a shared object) that issues the launches, GEMMs
// and copies through the callbacks of runtime/schemas/cuda_abi.h; the
// kernels come from the device image that fits the GPU: the cubin of its
// architecture, else the PTX, compiled by the driver.
//
// Every buffer has device storage and a host view (Executor.h says when they
// are made coherent); the views copied at every call (Input, Output and
// ModelState) are pinned memory. All work goes to one stream, and run()
// returns when it is done. From the second call of an
// entry point at a batch size on, its launches are replayed as a CUDA graph
// ($PRISM_CUDA_GRAPHS=0 turns this off). docs/runtime-cuda.md has the
// details.
//
// The driver (libcuda.so.1) and cuBLASLt are loaded with dlopen, so this
// header and the binaries that use it need neither CUDA headers nor a GPU.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_CUDAEXECUTOR_H
#define PRISM_RUNTIME_CUDAEXECUTOR_H

#include "prism/runtime/Executor.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace prism {

/// How the GEMMs round their float32 inputs on the tensor cores: not at all,
/// to TF32 (the default), or to bfloat16. Accumulation is float32 always.
enum class GemmMath { Fp32, Tf32, Bf16 };

class CudaExecutor final : public Executor {
public:
  /// Opens the driver and the device ($PRISM_CUDA_DEVICE, else 0), loads
  /// the device image that fits it and the host image of the entry points,
  /// checks the host image's ABI version, resolves its kernels and entry
  /// points, and allocates the buffers that do not depend on the batch.
  /// Errors name the program file; without a GPU the message says "no
  /// usable GPU" and why. The executor does not keep `program`.
  static StatusOr<std::unique_ptr<CudaExecutor>> create(const Program &program);

  ~CudaExecutor() override;

  const char *targetName() const override { return "cuda"; }
  /// "NVIDIA H100 80GB HBM3 (sm_90, 79.1 GiB, driver 13.0)".
  std::string deviceDescription() const override;
  Status setBatchSize(uint64_t rows) override;
  float *buffer(size_t index) override;
  using Executor::buffer;
  /// Sends the entry point's Input and ModelState reads, runs it, fetches
  /// its Output and ModelState writes and waits for the device. A failure
  /// names the entry point, its symbol and the CUDA error.
  Status run(const std::string &name,
             const std::vector<float> &scalars) override;
  Status pullState() override;
  Status pushState() override;
  /// Keeps the rows in device memory; a call then sends B row numbers and
  /// gathers the batch with the program's `prism_gather_rows` kernel.
  bool makeResident(size_t index, const float *rows, uint64_t count,
                    uint64_t dim, std::string &why) override;
  void setResidentRows(const uint64_t *rows, uint64_t count) override;

  /// The compute mode of the GEMMs of later calls (Tf32 until set).
  void setGemmMath(GemmMath math);
  GemmMath gemmMath() const;
  /// Whether entry point `name` now runs as a captured CUDA graph.
  bool runsAsGraph(const std::string &name) const;

private:
  struct Impl;
  CudaExecutor();
  std::unique_ptr<Impl> impl;
};

/// Whether a GPU answers: libcuda.so.1 loads, cuInit succeeds and there is a
/// device. When not, `why` starts with "no usable GPU: " and says what
/// failed, e.g. "no usable GPU: cuInit failed with CUDA_ERROR_NO_DEVICE
/// (100): no CUDA-capable device is detected".
bool cudaDeviceAvailable(std::string &why);

} // namespace prism

#endif // PRISM_RUNTIME_CUDAEXECUTOR_H
