//===- CublasLt.cpp - Row-major float GEMMs through cuBLASLt --------------===//

#include "CublasLt.h"

#include <cublasLt.h>
#include <dlfcn.h>

#include <map>
#include <string>
#include <tuple>

using namespace prism;

// Every cuBLASLt function the runtime calls.
#define PRISM_CUBLASLT_FUNCTIONS(X)                                            \
  X(cublasLtCreate)                                                            \
  X(cublasLtDestroy)                                                           \
  X(cublasLtMatmulDescCreate)                                                  \
  X(cublasLtMatmulDescDestroy)                                                 \
  X(cublasLtMatmulDescSetAttribute)                                            \
  X(cublasLtMatrixLayoutCreate)                                                \
  X(cublasLtMatrixLayoutDestroy)                                               \
  X(cublasLtMatmulPreferenceCreate)                                            \
  X(cublasLtMatmulPreferenceDestroy)                                           \
  X(cublasLtMatmulPreferenceSetAttribute)                                      \
  X(cublasLtMatmulAlgoGetHeuristic)                                            \
  X(cublasLtMatmul)

static const uint64_t kWorkspaceBytes = 32ull << 20;

namespace {

struct CublasLtApi {
#define PRISM_CUBLASLT_MEMBER(name) decltype(&::name) name = nullptr;
  PRISM_CUBLASLT_FUNCTIONS(PRISM_CUBLASLT_MEMBER)
#undef PRISM_CUBLASLT_MEMBER
  // Optional: the error text falls back to the number without it.
  decltype(&::cublasLtGetStatusName) cublasLtGetStatusName = nullptr;

  /// "CUBLAS_STATUS_NOT_SUPPORTED (15)".
  std::string describe(cublasStatus_t status) const {
    std::string number = std::to_string(static_cast<int>(status));
    const char *name =
        cublasLtGetStatusName ? cublasLtGetStatusName(status) : nullptr;
    return name ? std::string(name) + " (" + number + ")"
                : "cuBLAS status " + number;
  }
};

/// Loads libcublasLt once per process; never unloaded.
const CublasLtApi *loadApi(Status &status) {
  void *library = nullptr;
  std::string errors;
  for (const char *name : {"libcublasLt.so.13", "libcublasLt.so"}) {
    library = ::dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (library)
      break;
    const char *error = ::dlerror();
    errors += (errors.empty() ? "" : "; ") + std::string(error ? error : name);
  }
  if (!library) {
    status = Status::error("", "cannot load cuBLASLt (" + errors + ")");
    return nullptr;
  }
  CublasLtApi *api = new CublasLtApi();
  std::string missing;
#define PRISM_CUBLASLT_RESOLVE(name)                                           \
  api->name = reinterpret_cast<decltype(api->name)>(::dlsym(library, #name));  \
  if (!api->name && missing.empty())                                           \
    missing = #name;
  PRISM_CUBLASLT_FUNCTIONS(PRISM_CUBLASLT_RESOLVE)
#undef PRISM_CUBLASLT_RESOLVE
  api->cublasLtGetStatusName =
      reinterpret_cast<decltype(&::cublasLtGetStatusName)>(
          ::dlsym(library, "cublasLtGetStatusName"));
  if (missing.empty())
    return api;
  status = Status::error("", "the cuBLASLt library has no function " + missing +
                                 " (it is too old)");
  delete api;
  ::dlclose(library);
  return nullptr;
}

StatusOr<const CublasLtApi *> getApi() {
  static Status failure = Status::ok();
  static const CublasLtApi *api = loadApi(failure);
  if (!api)
    return failure;
  return api;
}

/// The largest power of two up to 256 that divides `pointer`'s address:
/// cuBLASLt picks kernels by the alignment of the operands.
uint32_t alignmentOf(const void *pointer) {
  uintptr_t address = reinterpret_cast<uintptr_t>(pointer);
  uint32_t alignment = 1;
  while (alignment < 256 && address % (2 * alignment) == 0)
    alignment *= 2;
  return alignment;
}

cublasComputeType_t computeType(CublasLt::MathMode mode) {
  switch (mode) {
  case CublasLt::MathMode::Fp32:
    return CUBLAS_COMPUTE_32F;
  case CublasLt::MathMode::Tf32:
    return CUBLAS_COMPUTE_32F_FAST_TF32;
  case CublasLt::MathMode::Bf16:
    return CUBLAS_COMPUTE_32F_FAST_16BF;
  }
  return CUBLAS_COMPUTE_32F_FAST_TF32;
}

/// A shape's descriptors and the algorithm the heuristic chose for it.
struct Plan {
  cublasLtMatmulDesc_t desc = nullptr;
  cublasLtMatrixLayout_t x = nullptr, y = nullptr, d = nullptr;
  cublasLtMatmulAlgo_t algo = {};
};

/// ta, tb, m, n, k, epilogue, math mode, and the alignments of A, B, C and
/// the bias.
using PlanKey = std::tuple<bool, bool, int64_t, int64_t, int64_t, int, int,
                           uint32_t, uint32_t, uint32_t, uint32_t>;

} // namespace

struct CublasLt::Impl {
  Impl(const CudaDriver &driver, const CublasLtApi &api)
      : driver(driver), api(api) {}
  ~Impl();

  void destroy(Plan &plan) const;
  /// Creates the descriptors of `plan` and asks the heuristic for an
  /// algorithm; `shape` names the GEMM in errors.
  Status build(Plan &plan, bool ta, bool tb, int64_t m, int64_t n, int64_t k,
               cublasLtEpilogue_t epilogue, const float *A, const float *B,
               float *C, const float *bias, const std::string &shape) const;
  Status check(cublasStatus_t status, const std::string &what,
               const std::string &shape) const {
    if (status == CUBLAS_STATUS_SUCCESS)
      return Status::ok();
    return Status::error("", what + " failed for " + shape + " with " +
                                 api.describe(status));
  }

  const CudaDriver &driver;
  const CublasLtApi &api;
  cublasLtHandle_t handle = nullptr;
  CUdeviceptr workspace = 0;
  MathMode mode = MathMode::Tf32;
  std::map<PlanKey, Plan> plans;
};

CublasLt::Impl::~Impl() {
  for (auto &entry : plans)
    destroy(entry.second);
  if (handle)
    api.cublasLtDestroy(handle);
  if (workspace)
    driver.cuMemFree_v2(workspace);
}

void CublasLt::Impl::destroy(Plan &plan) const {
  if (plan.desc)
    api.cublasLtMatmulDescDestroy(plan.desc);
  for (cublasLtMatrixLayout_t layout : {plan.x, plan.y, plan.d})
    if (layout)
      api.cublasLtMatrixLayoutDestroy(layout);
  plan = Plan();
}

// cuBLASLt is column-major, and a row-major r x c matrix (leading dimension
// c) read column-major is its c x r transpose with the same leading
// dimension. So row-major C[m, n] = op(A) op(B) is column-major
// C^T[n, m] = op(B)^T op(A)^T, and cuBLASLt computes D = op'(X) op'(Y) with
//
//   X = B: stored [k, n] (not tb) reads as the column-major [n, k] (ld n)
//          B^T = op(B)^T: op' = N; stored [n, k] (tb) reads as [k, n]
//          (ld k), B_stored^T = op(B), so op' = T gives op(B)^T.
//   Y = A: stored [m, k] (not ta) reads as [k, m] (ld k) = A^T = op(A)^T:
//          op' = N; stored [k, m] (ta) reads as [m, k] (ld m) = op(A), so
//          op' = T.
//   D = C: column-major [n, m] (ld n) is row-major C[m, n].
//
// The epilogue's bias has rows(D) = n elements and D[j, i] += bias[j], that
// is C[i, j] += bias[j]: one value per column of row-major C, as wanted.
Status CublasLt::Impl::build(Plan &plan, bool ta, bool tb, int64_t m, int64_t n,
                             int64_t k, cublasLtEpilogue_t epilogue,
                             const float *A, const float *B, float *C,
                             const float *bias,
                             const std::string &shape) const {
  Status status = check(
      api.cublasLtMatmulDescCreate(&plan.desc, computeType(mode), CUDA_R_32F),
      "cublasLtMatmulDescCreate", shape);
  if (!status.isOk())
    return status;
  cublasOperation_t opX = tb ? CUBLAS_OP_T : CUBLAS_OP_N;
  cublasOperation_t opY = ta ? CUBLAS_OP_T : CUBLAS_OP_N;
  const void *biasPointer = bias;
  struct Attribute {
    cublasLtMatmulDescAttributes_t name;
    const void *value;
    size_t size;
  };
  const Attribute attributes[] = {
      {CUBLASLT_MATMUL_DESC_TRANSA, &opX, sizeof(opX)},
      {CUBLASLT_MATMUL_DESC_TRANSB, &opY, sizeof(opY)},
      {CUBLASLT_MATMUL_DESC_EPILOGUE, &epilogue, sizeof(epilogue)},
      // The heuristic reads the pointer's alignment; gemm() sets it again
      // on every call.
      {CUBLASLT_MATMUL_DESC_BIAS_POINTER, &biasPointer, sizeof(biasPointer)},
  };
  for (const Attribute &attribute : attributes) {
    if (attribute.name == CUBLASLT_MATMUL_DESC_BIAS_POINTER && !bias)
      continue;
    status =
        check(api.cublasLtMatmulDescSetAttribute(
                  plan.desc, attribute.name, attribute.value, attribute.size),
              "cublasLtMatmulDescSetAttribute", shape);
    if (!status.isOk())
      return status;
  }
  uint64_t m64 = static_cast<uint64_t>(m), n64 = static_cast<uint64_t>(n),
           k64 = static_cast<uint64_t>(k);
  status = check(
      tb ? api.cublasLtMatrixLayoutCreate(&plan.x, CUDA_R_32F, k64, n64, k)
         : api.cublasLtMatrixLayoutCreate(&plan.x, CUDA_R_32F, n64, k64, n),
      "cublasLtMatrixLayoutCreate", shape);
  if (!status.isOk())
    return status;
  status = check(
      ta ? api.cublasLtMatrixLayoutCreate(&plan.y, CUDA_R_32F, m64, k64, m)
         : api.cublasLtMatrixLayoutCreate(&plan.y, CUDA_R_32F, k64, m64, k),
      "cublasLtMatrixLayoutCreate", shape);
  if (!status.isOk())
    return status;
  status =
      check(api.cublasLtMatrixLayoutCreate(&plan.d, CUDA_R_32F, n64, m64, n),
            "cublasLtMatrixLayoutCreate", shape);
  if (!status.isOk())
    return status;

  cublasLtMatmulPreference_t preference = nullptr;
  status = check(api.cublasLtMatmulPreferenceCreate(&preference),
                 "cublasLtMatmulPreferenceCreate", shape);
  if (!status.isOk())
    return status;
  uint64_t workspaceBytes = kWorkspaceBytes;
  uint32_t alignX = alignmentOf(B), alignY = alignmentOf(A),
           alignD = alignmentOf(C);
  struct Preference {
    cublasLtMatmulPreferenceAttributes_t name;
    const void *value;
    size_t size;
  };
  const Preference preferences[] = {
      {CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspaceBytes,
       sizeof(workspaceBytes)},
      {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, &alignX, sizeof(alignX)},
      {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES, &alignY, sizeof(alignY)},
      {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, &alignD, sizeof(alignD)},
      {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES, &alignD, sizeof(alignD)},
  };
  for (const Preference &p : preferences) {
    status = check(api.cublasLtMatmulPreferenceSetAttribute(preference, p.name,
                                                            p.value, p.size),
                   "cublasLtMatmulPreferenceSetAttribute", shape);
    if (!status.isOk())
      break;
  }
  cublasLtMatmulHeuristicResult_t result = {};
  int found = 0;
  if (status.isOk())
    status = check(api.cublasLtMatmulAlgoGetHeuristic(
                       handle, plan.desc, plan.x, plan.y, plan.d, plan.d,
                       preference, 1, &result, &found),
                   "cublasLtMatmulAlgoGetHeuristic", shape);
  api.cublasLtMatmulPreferenceDestroy(preference);
  if (!status.isOk())
    return status;
  if (found == 0 || result.state != CUBLAS_STATUS_SUCCESS)
    return Status::error("", "cuBLASLt has no algorithm for " + shape);
  plan.algo = result.algo;
  return Status::ok();
}

CublasLt::CublasLt(std::unique_ptr<Impl> impl) : impl(std::move(impl)) {}

CublasLt::~CublasLt() = default;

StatusOr<std::unique_ptr<CublasLt>> CublasLt::create(const CudaDriver &driver) {
  StatusOr<const CublasLtApi *> api = getApi();
  if (!api.isOk())
    return api.getStatus();
  auto impl = std::make_unique<Impl>(driver, **api);
  if (cublasStatus_t status = (*api)->cublasLtCreate(&impl->handle))
    return Status::error("", "cublasLtCreate failed with " +
                                 (*api)->describe(status));
  if (CUresult result = driver.cuMemAlloc_v2(&impl->workspace, kWorkspaceBytes))
    return Status::error(
        "", "cannot allocate the " + std::to_string(kWorkspaceBytes >> 20) +
                " MiB cuBLASLt workspace: " + driver.describe(result));
  return std::unique_ptr<CublasLt>(new CublasLt(std::move(impl)));
}

void CublasLt::setMathMode(MathMode mode) { impl->mode = mode; }

CublasLt::MathMode CublasLt::mathMode() const { return impl->mode; }

/// Names a GEMM in errors: "the GEMM with m = 2, n = 3, k = 4, A^T, bias".
static std::string describeGemm(bool ta, bool tb, int64_t m, int64_t n,
                                int64_t k, bool bias, bool relu) {
  return "the GEMM with m = " + std::to_string(m) +
         ", n = " + std::to_string(n) + ", k = " + std::to_string(k) +
         (ta ? ", A^T" : "") + (tb ? ", B^T" : "") + (bias ? ", bias" : "") +
         (relu ? ", relu" : "");
}

Status CublasLt::gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k,
                      const float *A, const float *B, float *C,
                      const float *bias, bool relu, CUstream stream) {
  auto shape = [&] { return describeGemm(ta, tb, m, n, k, bias, relu); };
  if (m < 0 || n < 0 || k < 0)
    return Status::error("", "negative size in " + shape());
  if (m == 0 || n == 0)
    return Status::ok();
  // An empty contraction would still owe C its epilogue (the bias, or
  // zeros), which cuBLASLt does not produce. prismc never emits one: every
  // dimension of a model is positive, so it is reported, not implemented.
  if (k == 0)
    return Status::error("",
                         "k = 0 is not supported on the GPU, in " + shape());
  cublasLtEpilogue_t epilogue =
      bias ? (relu ? CUBLASLT_EPILOGUE_RELU_BIAS : CUBLASLT_EPILOGUE_BIAS)
           : (relu ? CUBLASLT_EPILOGUE_RELU : CUBLASLT_EPILOGUE_DEFAULT);
  PlanKey key(ta, tb, m, n, k, static_cast<int>(epilogue),
              static_cast<int>(impl->mode), alignmentOf(A), alignmentOf(B),
              alignmentOf(C), bias ? alignmentOf(bias) : 0);
  auto found = impl->plans.find(key);
  if (found == impl->plans.end()) {
    Plan plan;
    Status status =
        impl->build(plan, ta, tb, m, n, k, epilogue, A, B, C, bias, shape());
    if (!status.isOk()) {
      impl->destroy(plan);
      return status;
    }
    found = impl->plans.emplace(key, plan).first;
  }
  // The per-call path builds no strings unless something fails.
  Plan &plan = found->second;
  const CublasLtApi &api = impl->api;
  if (bias) {
    const void *biasPointer = bias;
    cublasStatus_t status = api.cublasLtMatmulDescSetAttribute(
        plan.desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &biasPointer,
        sizeof(biasPointer));
    if (status != CUBLAS_STATUS_SUCCESS)
      return impl->check(status, "cublasLtMatmulDescSetAttribute", shape());
  }
  const float alpha = 1.0f, beta = 0.0f;
  cublasStatus_t status = api.cublasLtMatmul(
      impl->handle, plan.desc, &alpha, B, plan.x, A, plan.y, &beta, C, plan.d,
      C, plan.d, &plan.algo, reinterpret_cast<void *>(impl->workspace),
      kWorkspaceBytes, stream);
  if (status != CUBLAS_STATUS_SUCCESS)
    return impl->check(status, "cublasLtMatmul", shape());
  return Status::ok();
}
