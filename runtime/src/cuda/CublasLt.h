//===- CublasLt.h - Row-major float GEMMs through cuBLASLt ------*- C++ -*-===//
//
// The GEMMs of a CUDA program's entry points (the `gemm` callback of
// cuda_abi.h) run as one cuBLASLt matmul each, the bias and the ReLU fused
// into its epilogue. libcublasLt is loaded with dlopen the first time an
// executor needs it, like the driver (CudaDriver.h); cublasLt.h is included
// by the implementation for the types only.
//
// Each instance owns a cuBLASLt handle and a 32 MiB device workspace in the
// context current when it was created, and remembers the algorithm the
// heuristic chose for each shape, so the heuristic runs once per shape.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_CUDA_CUBLASLT_H
#define PRISM_RUNTIME_CUDA_CUBLASLT_H

#include "CudaDriver.h"

#include "prism/runtime/Status.h"

#include <cstdint>
#include <memory>

namespace prism {

class CublasLt {
public:
  /// The compute type of the matmuls: exact float32, float32 with inputs
  /// rounded to TF32 on the tensor cores (the default), or to bfloat16.
  enum class MathMode { Fp32, Tf32, Bf16 };

  /// Loads libcublasLt.so.13 (or libcublasLt.so), creates a handle and
  /// allocates the workspace in the current context. Errors name no file.
  static StatusOr<std::unique_ptr<CublasLt>> create(const CudaDriver &driver);
  ~CublasLt();
  CublasLt(const CublasLt &) = delete;
  CublasLt &operator=(const CublasLt &) = delete;

  void setMathMode(MathMode mode);
  MathMode mathMode() const;

  /// Row-major float32 C[m, n] = op(A) op(B), op(X) = X^T where ta (for A)
  /// or tb (for B) is set: A is [m, k] or, transposed, [k, m]; B is [k, n]
  /// or [n, k]. With `bias` (n floats), bias[j] is added to C[i, j] for
  /// every row i; with `relu`, then max(0, .). Enqueued on `stream`; the
  /// pointers are device addresses. m or n = 0 does nothing; k = 0 is an
  /// error (see the implementation). Errors name no file.
  Status gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float *A,
              const float *B, float *C, const float *bias, bool relu,
              CUstream stream);

private:
  struct Impl;
  explicit CublasLt(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl;
};

} // namespace prism

#endif // PRISM_RUNTIME_CUDA_CUBLASLT_H
