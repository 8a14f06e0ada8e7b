//===- CudaEmitter.h - saek to CUDA -----------------------------*- C++ -*-===//
//
// Translates the entry functions of a kernel-level module into two sources:
// device code (`__global__` kernels: one per fused linalg.generic, plus the
// prelude's top-k, sparse gather/scatter, Adam and normalisation kernels)
// and host code (one C function per entry point that sizes and issues the
// launches and cuBLASLt GEMMs through the callbacks of
// runtime/schemas/cuda_abi.h). Storage and the buffer table come from the
// plan the C++ emitter uses, so both back ends index the same buffers.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_TARGET_CUDAEMITTER_H
#define PRISM_TARGET_CUDAEMITTER_H

#include "prism/Target/CppEmitter.h"

#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace prism::target {

struct CudaSources {
  std::string device; // CUDA C++ for nvcc or NVRTC
  std::string host;   // C++17 for the host compiler; includes no CUDA header
};

/// Emits CUDA for every `func.func` carrying a `sae.entry` attribute.
mlir::LogicalResult emitCuda(mlir::ModuleOp module, CudaSources &sources,
                             ProgramLayout &layout);

} // namespace prism::target

#endif // PRISM_TARGET_CUDAEMITTER_H
