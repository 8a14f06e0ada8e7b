//===- MockCublasLt.cpp - libcublasLt.so.13 on the host, for tests --------===//
//
// Test-only: built as libcublasLt.so.13 next to the mock libcuda.so.1, whose
// streams carry its matmuls (MockDriver.h). It implements the functions
// runtime/src/cuda/CublasLt.cpp resolves with cuBLASLt's documented
// semantics: column-major matrices whose layouts give rows, columns and the
// leading dimension; D = alpha op(A) op(B) + beta C, C unread when beta is
// 0; the epilogues DEFAULT, RELU, BIAS and RELU_BIAS, the bias holding one
// value per row of D. The products are computed in float with double
// accumulation; the fast compute types first round the inputs as the GPU
// does (TF32: 10 mantissa bits, BF16: 7, to nearest even), which
// approximates their numerics, not their order of summation.
//
// Every operand must lie in device memory of the mock driver; the
// heuristic returns one algorithm, which records the problem it was chosen
// for, and cublasLtMatmul refuses an algorithm chosen for another problem.
// $MOCK_STATS prints the number of matmuls at exit.
//
//===----------------------------------------------------------------------===//

#include "MockDriver.h"

#include <cublasLt.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

struct Desc {
  cublasComputeType_t compute = CUBLAS_COMPUTE_32F;
  int32_t opA = CUBLAS_OP_N, opB = CUBLAS_OP_N;
  uint32_t epilogue = CUBLASLT_EPILOGUE_DEFAULT;
  const float *bias = nullptr;
};

struct Layout {
  uint64_t rows = 0, cols = 0;
  int64_t ld = 0;
};

struct Preference {
  uint64_t workspaceBytes = 0;
};

constexpr uint64_t kAlgoMagic = 0x505249534d4f434bull; // "PRISMOCK"

unsigned long matmuls = 0;

struct Report {
  ~Report() {
    if (std::getenv("MOCK_STATS"))
      std::fprintf(stderr, "mock cublasLt: %lu matmuls\n", matmuls);
  }
} report;

bool isOperation(int32_t op) { return op == CUBLAS_OP_N || op == CUBLAS_OP_T; }

/// m, n and k of D = op(A) op(B), or false when the layouts disagree.
bool problem(const Desc &desc, const Layout &a, const Layout &b,
             const Layout &d, uint64_t &m, uint64_t &n, uint64_t &k) {
  m = desc.opA == CUBLAS_OP_N ? a.rows : a.cols;
  k = desc.opA == CUBLAS_OP_N ? a.cols : a.rows;
  uint64_t kb = desc.opB == CUBLAS_OP_N ? b.rows : b.cols;
  n = desc.opB == CUBLAS_OP_N ? b.cols : b.rows;
  return k == kb && m == d.rows && n == d.cols;
}

/// `x` rounded to `bits` mantissa bits, to nearest even.
float roundMantissa(float x, int bits) {
  if (!std::isfinite(x))
    return x;
  uint32_t u;
  std::memcpy(&u, &x, sizeof(u));
  const int drop = 23 - bits;
  const uint32_t half = 1u << (drop - 1);
  const uint32_t lsb = (u >> drop) & 1u;
  u = (u + half - 1 + lsb) & ~((1u << drop) - 1);
  std::memcpy(&x, &u, sizeof(x));
  return x;
}

float input(const Desc &desc, float x) {
  switch (desc.compute) {
  case CUBLAS_COMPUTE_32F_FAST_TF32:
    return roundMantissa(x, 10);
  case CUBLAS_COMPUTE_32F_FAST_16BF:
    return roundMantissa(x, 7);
  default:
    return x;
  }
}

/// The bytes a column-major matrix spans.
size_t extent(const Layout &layout) {
  if (layout.rows == 0 || layout.cols == 0)
    return 0;
  return ((layout.cols - 1) * static_cast<uint64_t>(layout.ld) + layout.rows) *
         sizeof(float);
}

bool onDevice(const void *pointer, size_t bytes, const char *what) {
  if (prism_mock::isDeviceRange(pointer, bytes))
    return true;
  std::fprintf(stderr,
               "mock cublasLt: %s (%p, %zu bytes) is not in device memory\n",
               what, pointer, bytes);
  return false;
}

} // namespace

extern "C" {

cublasStatus_t cublasLtCreate(cublasLtHandle_t *handle) {
  if (!handle)
    return CUBLAS_STATUS_INVALID_VALUE;
  *handle = reinterpret_cast<cublasLtHandle_t>(new int(1));
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasLtDestroy(cublasLtHandle_t handle) {
  if (!handle)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  delete reinterpret_cast<int *>(handle);
  return CUBLAS_STATUS_SUCCESS;
}

const char *cublasLtGetStatusName(cublasStatus_t status) {
  switch (status) {
  case CUBLAS_STATUS_SUCCESS:
    return "CUBLAS_STATUS_SUCCESS";
  case CUBLAS_STATUS_NOT_INITIALIZED:
    return "CUBLAS_STATUS_NOT_INITIALIZED";
  case CUBLAS_STATUS_INVALID_VALUE:
    return "CUBLAS_STATUS_INVALID_VALUE";
  case CUBLAS_STATUS_NOT_SUPPORTED:
    return "CUBLAS_STATUS_NOT_SUPPORTED";
  default:
    return "CUBLAS_STATUS_UNKNOWN";
  }
}

cublasStatus_t cublasLtMatmulDescCreate(cublasLtMatmulDesc_t *desc,
                                        cublasComputeType_t compute,
                                        cudaDataType_t scale) {
  if (!desc || scale != CUDA_R_32F)
    return CUBLAS_STATUS_INVALID_VALUE;
  if (compute != CUBLAS_COMPUTE_32F && compute != CUBLAS_COMPUTE_32F_PEDANTIC &&
      compute != CUBLAS_COMPUTE_32F_FAST_TF32 &&
      compute != CUBLAS_COMPUTE_32F_FAST_16BF)
    return CUBLAS_STATUS_NOT_SUPPORTED;
  Desc *created = new Desc();
  created->compute = compute;
  *desc = reinterpret_cast<cublasLtMatmulDesc_t>(created);
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasLtMatmulDescDestroy(cublasLtMatmulDesc_t desc) {
  delete reinterpret_cast<Desc *>(desc);
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t
cublasLtMatmulDescSetAttribute(cublasLtMatmulDesc_t handle,
                               cublasLtMatmulDescAttributes_t attribute,
                               const void *value, size_t size) {
  Desc *desc = reinterpret_cast<Desc *>(handle);
  if (!desc || !value)
    return CUBLAS_STATUS_INVALID_VALUE;
  switch (attribute) {
  case CUBLASLT_MATMUL_DESC_TRANSA:
  case CUBLASLT_MATMUL_DESC_TRANSB: {
    int32_t op;
    if (size != sizeof(op))
      return CUBLAS_STATUS_INVALID_VALUE;
    std::memcpy(&op, value, sizeof(op));
    if (!isOperation(op))
      return CUBLAS_STATUS_NOT_SUPPORTED;
    (attribute == CUBLASLT_MATMUL_DESC_TRANSA ? desc->opA : desc->opB) = op;
    return CUBLAS_STATUS_SUCCESS;
  }
  case CUBLASLT_MATMUL_DESC_EPILOGUE: {
    uint32_t epilogue;
    if (size != sizeof(epilogue))
      return CUBLAS_STATUS_INVALID_VALUE;
    std::memcpy(&epilogue, value, sizeof(epilogue));
    if (epilogue != CUBLASLT_EPILOGUE_DEFAULT &&
        epilogue != CUBLASLT_EPILOGUE_RELU &&
        epilogue != CUBLASLT_EPILOGUE_BIAS &&
        epilogue != CUBLASLT_EPILOGUE_RELU_BIAS)
      return CUBLAS_STATUS_NOT_SUPPORTED;
    desc->epilogue = epilogue;
    return CUBLAS_STATUS_SUCCESS;
  }
  case CUBLASLT_MATMUL_DESC_BIAS_POINTER:
    if (size != sizeof(desc->bias))
      return CUBLAS_STATUS_INVALID_VALUE;
    std::memcpy(&desc->bias, value, sizeof(desc->bias));
    return CUBLAS_STATUS_SUCCESS;
  default:
    return CUBLAS_STATUS_NOT_SUPPORTED;
  }
}

cublasStatus_t cublasLtMatrixLayoutCreate(cublasLtMatrixLayout_t *layout,
                                          cudaDataType type, uint64_t rows,
                                          uint64_t cols, int64_t ld) {
  if (!layout)
    return CUBLAS_STATUS_INVALID_VALUE;
  if (type != CUDA_R_32F)
    return CUBLAS_STATUS_NOT_SUPPORTED;
  if (ld < 1 || static_cast<uint64_t>(ld) < rows)
    return CUBLAS_STATUS_INVALID_VALUE;
  *layout =
      reinterpret_cast<cublasLtMatrixLayout_t>(new Layout{rows, cols, ld});
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasLtMatrixLayoutDestroy(cublasLtMatrixLayout_t layout) {
  delete reinterpret_cast<Layout *>(layout);
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t
cublasLtMatmulPreferenceCreate(cublasLtMatmulPreference_t *preference) {
  if (!preference)
    return CUBLAS_STATUS_INVALID_VALUE;
  *preference = reinterpret_cast<cublasLtMatmulPreference_t>(new Preference());
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t
cublasLtMatmulPreferenceDestroy(cublasLtMatmulPreference_t preference) {
  delete reinterpret_cast<Preference *>(preference);
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasLtMatmulPreferenceSetAttribute(
    cublasLtMatmulPreference_t handle,
    cublasLtMatmulPreferenceAttributes_t attribute, const void *value,
    size_t size) {
  Preference *preference = reinterpret_cast<Preference *>(handle);
  if (!preference || !value)
    return CUBLAS_STATUS_INVALID_VALUE;
  switch (attribute) {
  case CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES:
    if (size != sizeof(uint64_t))
      return CUBLAS_STATUS_INVALID_VALUE;
    std::memcpy(&preference->workspaceBytes, value, sizeof(uint64_t));
    return CUBLAS_STATUS_SUCCESS;
  case CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES:
  case CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES:
  case CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES:
  case CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES: {
    uint32_t alignment;
    if (size != sizeof(alignment))
      return CUBLAS_STATUS_INVALID_VALUE;
    std::memcpy(&alignment, value, sizeof(alignment));
    return alignment && !(alignment & (alignment - 1))
               ? CUBLAS_STATUS_SUCCESS
               : CUBLAS_STATUS_INVALID_VALUE;
  }
  default:
    return CUBLAS_STATUS_NOT_SUPPORTED;
  }
}

cublasStatus_t cublasLtMatmulAlgoGetHeuristic(
    cublasLtHandle_t handle, cublasLtMatmulDesc_t descHandle,
    cublasLtMatrixLayout_t aLayout, cublasLtMatrixLayout_t bLayout,
    cublasLtMatrixLayout_t cLayout, cublasLtMatrixLayout_t dLayout,
    cublasLtMatmulPreference_t preference, int requested,
    cublasLtMatmulHeuristicResult_t *results, int *found) {
  if (!handle)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  const Desc *desc = reinterpret_cast<const Desc *>(descHandle);
  const Layout *a = reinterpret_cast<const Layout *>(aLayout),
               *b = reinterpret_cast<const Layout *>(bLayout),
               *c = reinterpret_cast<const Layout *>(cLayout),
               *d = reinterpret_cast<const Layout *>(dLayout);
  if (!desc || !a || !b || !c || !d || !preference || requested < 1 ||
      !results || !found)
    return CUBLAS_STATUS_INVALID_VALUE;
  uint64_t m, n, k;
  if (!problem(*desc, *a, *b, *d, m, n, k) || c->rows != d->rows ||
      c->cols != d->cols)
    return CUBLAS_STATUS_INVALID_VALUE;
  std::memset(results, 0, sizeof(*results));
  results->algo.data[0] = kAlgoMagic;
  results->algo.data[1] = m;
  results->algo.data[2] = n;
  results->algo.data[3] = k;
  results->algo.data[4] = (uint64_t(desc->opA) << 32) | uint32_t(desc->opB);
  results->workspaceSize = 0;
  results->state = CUBLAS_STATUS_SUCCESS;
  results->wavesCount = 1.0f;
  *found = 1;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t
cublasLtMatmul(cublasLtHandle_t handle, cublasLtMatmulDesc_t descHandle,
               const void *alpha, const void *A, cublasLtMatrixLayout_t aLayout,
               const void *B, cublasLtMatrixLayout_t bLayout, const void *beta,
               const void *C, cublasLtMatrixLayout_t cLayout, void *D,
               cublasLtMatrixLayout_t dLayout, const cublasLtMatmulAlgo_t *algo,
               void *workspace, size_t workspaceBytes, cudaStream_t stream) {
  if (!handle)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  const Desc *descPointer = reinterpret_cast<const Desc *>(descHandle);
  const Layout *aPointer = reinterpret_cast<const Layout *>(aLayout),
               *bPointer = reinterpret_cast<const Layout *>(bLayout),
               *cPointer = reinterpret_cast<const Layout *>(cLayout),
               *dPointer = reinterpret_cast<const Layout *>(dLayout);
  if (!descPointer || !aPointer || !bPointer || !cPointer || !dPointer ||
      !alpha || !beta || !A || !B || !D)
    return CUBLAS_STATUS_INVALID_VALUE;
  // The values as they are now: the call captures them.
  const Desc desc = *descPointer;
  const Layout a = *aPointer, b = *bPointer, c = *cPointer, d = *dPointer;
  uint64_t m, n, k;
  if (!problem(desc, a, b, d, m, n, k) || c.rows != d.rows || c.cols != d.cols)
    return CUBLAS_STATUS_INVALID_VALUE;
  if (algo &&
      (algo->data[0] != kAlgoMagic || algo->data[1] != m ||
       algo->data[2] != n || algo->data[3] != k ||
       algo->data[4] != ((uint64_t(desc.opA) << 32) | uint32_t(desc.opB)))) {
    std::fprintf(stderr, "mock cublasLt: the algorithm was chosen for "
                         "another problem\n");
    return CUBLAS_STATUS_INVALID_VALUE;
  }
  if (!prism_mock::isStream(reinterpret_cast<CUstream>(stream)))
    return CUBLAS_STATUS_INVALID_VALUE;
  const float scaleAlpha = *static_cast<const float *>(alpha);
  const float scaleBeta = *static_cast<const float *>(beta);
  bool usesBias = desc.epilogue & CUBLASLT_EPILOGUE_BIAS;
  if (usesBias && !desc.bias)
    return CUBLAS_STATUS_INVALID_VALUE;
  if (!onDevice(A, extent(a), "A") || !onDevice(B, extent(b), "B") ||
      (scaleBeta != 0 && !onDevice(C, extent(c), "C")) ||
      !onDevice(D, extent(d), "D") ||
      (usesBias && !onDevice(desc.bias, m * sizeof(float), "the bias")) ||
      (workspaceBytes && !onDevice(workspace, workspaceBytes, "the workspace")))
    return CUBLAS_STATUS_INVALID_VALUE;
  ++matmuls;
  const float *pa = static_cast<const float *>(A);
  const float *pb = static_cast<const float *>(B);
  const float *pc = static_cast<const float *>(C);
  float *pd = static_cast<float *>(D);
  prism_mock::enqueue(reinterpret_cast<CUstream>(stream), [=] {
    for (uint64_t j = 0; j < n; ++j)
      for (uint64_t i = 0; i < m; ++i) {
        double sum = 0;
        for (uint64_t l = 0; l < k; ++l) {
          float x =
              desc.opA == CUBLAS_OP_N ? pa[i + l * a.ld] : pa[l + i * a.ld];
          float y =
              desc.opB == CUBLAS_OP_N ? pb[l + j * b.ld] : pb[j + l * b.ld];
          sum += double(input(desc, x)) * double(input(desc, y));
        }
        double value = double(scaleAlpha) * sum;
        if (scaleBeta != 0)
          value += double(scaleBeta) * pc[i + j * c.ld];
        if (usesBias)
          value += desc.bias[i];
        if (desc.epilogue & CUBLASLT_EPILOGUE_RELU)
          value = std::max(value, 0.0);
        pd[i + j * d.ld] = static_cast<float>(value);
      }
  });
  return CUBLAS_STATUS_SUCCESS;
}

} // extern "C"
