//===- CudaPrelude.h - Kernels every generated CUDA program has -*- C++ -*-===//

#ifndef PRISM_TARGET_CUDA_CUDAPRELUDE_H
#define PRISM_TARGET_CUDA_CUDAPRELUDE_H

namespace prism::target {

/// CUDA source placed at the top of every generated device file, after
/// `typedef float real;`: the reduction helpers of the generated kernels and
/// the prelude's own `extern "C" __global__` kernels.
const char *getCudaDevicePrelude();

/// C++ placed in every generated host file, after the standard headers,
/// `typedef float real;` and the text of cuda_abi.h: the kernel enum and
/// names, and the launchers (prism_cu_*) the entry points call.
const char *getCudaHostPrelude();

} // namespace prism::target

#endif // PRISM_TARGET_CUDA_CUDAPRELUDE_H
