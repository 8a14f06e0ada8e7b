//===- CudaDriver.h - The CUDA driver API, loaded at run time ---*- C++ -*-===//
//
// The runtime never links libcuda: it opens libcuda.so.1 with dlopen the
// first time a CUDA program or a GPU check needs it and resolves the driver
// functions it calls by name, so `prism` starts on machines without a GPU
// or an NVIDIA driver. cuda.h is included for the types and the function
// signatures only.
//
// The members are the driver's own functions under their exported names
// (the `_v2` ones where cuda.h maps the plain name to them), called as
// `driver->cuMemAlloc_v2(&pointer, bytes)`.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_CUDA_CUDADRIVER_H
#define PRISM_RUNTIME_CUDA_CUDADRIVER_H

#include "prism/runtime/Status.h"

#include <cuda.h>

#include <string>

// Every driver function the runtime calls, by its exported name.
#define PRISM_CUDA_DRIVER_FUNCTIONS(X)                                         \
  X(cuInit)                                                                    \
  X(cuDriverGetVersion)                                                        \
  X(cuDeviceGetCount)                                                          \
  X(cuDeviceGet)                                                               \
  X(cuDeviceGetName)                                                           \
  X(cuDeviceGetAttribute)                                                      \
  X(cuDeviceTotalMem_v2)                                                       \
  X(cuDevicePrimaryCtxRetain)                                                  \
  X(cuDevicePrimaryCtxRelease_v2)                                              \
  X(cuCtxSetCurrent)                                                           \
  X(cuStreamCreate)                                                            \
  X(cuStreamDestroy_v2)                                                        \
  X(cuStreamSynchronize)                                                       \
  X(cuMemAlloc_v2)                                                             \
  X(cuMemGetInfo_v2)                                                           \
  X(cuMemcpyHtoD_v2)                                                           \
  X(cuMemFree_v2)                                                              \
  X(cuMemAllocHost_v2)                                                         \
  X(cuMemFreeHost)                                                             \
  X(cuMemcpyHtoDAsync_v2)                                                      \
  X(cuMemcpyDtoHAsync_v2)                                                      \
  X(cuMemcpyDtoDAsync_v2)                                                      \
  X(cuMemsetD8Async)                                                           \
  X(cuModuleLoadDataEx)                                                        \
  X(cuModuleUnload)                                                            \
  X(cuModuleGetFunction)                                                       \
  X(cuFuncSetAttribute)                                                        \
  X(cuLaunchKernel)                                                            \
  X(cuStreamBeginCapture_v2)                                                   \
  X(cuStreamEndCapture)                                                        \
  X(cuGraphInstantiateWithFlags)                                               \
  X(cuGraphLaunch)                                                             \
  X(cuGraphExecDestroy)                                                        \
  X(cuGraphDestroy)

namespace prism {

class CudaDriver {
public:
  /// The process's driver: libcuda.so.1 loaded, every function resolved and
  /// cuInit(0) done, the first time; later calls return the same driver or
  /// the same error. The error's message starts with "no usable GPU: " and
  /// says what failed (the library cannot be loaded, lacks a function, or
  /// cuInit fails, e.g. CUDA_ERROR_NO_DEVICE); it names no file.
  static StatusOr<const CudaDriver *> get();

  /// "CUDA_ERROR_NO_DEVICE", or "CUDA error 100" when the driver has no
  /// name for `result`.
  std::string errorName(CUresult result) const;
  /// "CUDA_ERROR_NO_DEVICE (100): no CUDA-capable device is detected", or
  /// "CUDA error 100".
  std::string describe(CUresult result) const;
  /// Whether `code` is a CUresult the driver has a name for.
  bool isErrorCode(int code) const;

#define PRISM_CUDA_DRIVER_MEMBER(name) decltype(&::name) name = nullptr;
  PRISM_CUDA_DRIVER_FUNCTIONS(PRISM_CUDA_DRIVER_MEMBER)
#undef PRISM_CUDA_DRIVER_MEMBER
  // Optional: the error text falls back to the number without them.
  decltype(&::cuGetErrorName) cuGetErrorName = nullptr;
  decltype(&::cuGetErrorString) cuGetErrorString = nullptr;

private:
  CudaDriver() = default;
  /// Loads and initialises the driver; null with `status` set on failure.
  static const CudaDriver *load(Status &status);

  void *library = nullptr;
};

} // namespace prism

#endif // PRISM_RUNTIME_CUDA_CUDADRIVER_H
