//===- CudaCompiler.h - CUDA kernels to PTX and cubins ----------*- C++ -*-===//
//
// Runs nvcc over the emitted device code: one cubin per requested
// architecture (sm_80, sm_90 by default) and PTX for the oldest, which the
// driver compiles at load time for any newer GPU. The program stores all of
// them; the runtime picks the cubin of its GPU, else the PTX.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_TOOLS_PRISMC_CUDACOMPILER_H
#define PRISM_TOOLS_PRISMC_CUDACOMPILER_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace prism::prismc {

struct CudaCompilerOptions {
  /// nvcc: a path, or a name looked up on PATH.
  std::string nvcc;
  /// The architectures to build cubins for ("sm_80", ...); PTX is built for
  /// the compute capability of the first.
  std::vector<std::string> archs = {"sm_80", "sm_90"};
  /// Flags after the defaults.
  std::vector<std::string> extraFlags;
};

struct CudaImage {
  std::string arch;   // "sm_90", or "compute_80" for PTX
  std::string format; // "cubin" or "ptx"
  std::string bytes;
};

/// The nvcc to use: $PRISM_NVCC, else $CUDA_HOME/bin/nvcc, else
/// /usr/local/cuda/bin/nvcc where it exists, else "nvcc" on PATH.
std::string defaultNvcc();

/// The flags every device image is built with.
std::vector<std::string> defaultCudaFlags();

/// Compiles `source` once per architecture and once to PTX. Errors quote
/// the failing command line and nvcc's output.
llvm::Expected<std::vector<CudaImage>>
compileCudaKernels(llvm::StringRef source, const CudaCompilerOptions &options);

} // namespace prism::prismc

#endif // PRISM_TOOLS_PRISMC_CUDACOMPILER_H
