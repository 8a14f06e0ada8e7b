//===- Passes.td - sae to kernel conversions ---------------*- tablegen -*-===//
//
// The passes between the sae entry functions and the kernel-level IR the
// back ends translate: the training step's statistics, the sparse rewrites,
// and the lowering of every sae op to saek ops and linalg.generic kernels.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_CONVERSION_PASSES_TD
#define PRISM_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def SaeTrainStatistics : Pass<"sae-train-statistics", "::mlir::ModuleOp"> {
  let summary = "gives each training step the outputs the runtime tracks";
  let description = [{
    Rewrites every `sae.entry = "train_step"` function to the runtime's
    training contract (docs/formats.md, "Program entry points"): its
    results become the `loss`, then `l0` (the mean number of non-zero code
    entries per row) and `fired` (per latent, the rows of the batch in which
    it was non-zero), both computed from the output named `z`, then the
    updated parameters and state. The other forward outputs are dropped, so
    their computation dies unless the step needs it. A step without a
    `dead_mask` state argument gets one, unread, after the parameters.

    Each `sae.batchtopk` tagged `sae.threshold = "NAME"` (see
    `-sae-outline-entry-points`) adds, after `fired`, the output
    `NAME.min_kept`: `sae.reduce min_positive` of its result, the smallest
    activation the batch rule kept (+inf when it kept none), from which the
    runtime estimates the inference threshold NAME. Untagged selections
    report nothing.
  }];
  let dependentDialects = ["::prism::sae::SaeDialect"];
}

def SaeSparsify : Pass<"sae-sparsify", "::mlir::func::FuncOp"> {
  let summary = "rewrites products with top-k codes into sparse kernels";
  let description = [{
    In entry functions, replaces each `sae.matmul` whose operand is a top-k
    code (a `sae.topk`, or a dense tensor masked by a `sae.select_mask
    topk`, possibly scaled elementwise) by the sparse kernel that never
    forms the `[B, n]` code: `saek.gather_decode` for a decode,
    `saek.scatter_rows` for a decoder or encoder gradient,
    `saek.gather_dot` for a code gradient. A batch sum of a product becomes
    the product of the batch sum (one row instead of B).
  }];
  let dependentDialects = [
    "::prism::saek::SaekDialect", "::mlir::arith::ArithDialect"
  ];
}

def ConvertSaeToSaek : Pass<"convert-sae-to-saek", "::mlir::func::FuncOp"> {
  let summary = "lowers sae ops in entry functions to saek and linalg";
  let description = [{
    Lowers every sae op of an entry function (`sae.entry`) to kernel-level
    IR on tensors: matrix products to `saek.gemm` (transposes folded into
    its flags), selections to `saek.topk` / `saek.batch_topk`, optimizer
    updates to `saek.adam`, `saek.project_tangent`, `saek.unit_norm`, and
    everything elementwise or reducing to `linalg.generic` with numpy
    broadcasting in its indexing maps, ready for elementwise fusion. The
    dynamic batch dimension comes from the entry's first batched argument.
  }];
  let dependentDialects = [
    "::prism::saek::SaekDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect", "::mlir::math::MathDialect",
    "::mlir::arith::ArithDialect"
  ];
}

def SaekFoldGemmEpilogues
    : Pass<"saek-fold-gemm-epilogues", "::mlir::func::FuncOp"> {
  let summary = "folds a bias (and ReLU) after a GEMM into its epilogue";
  let description = [{
    A `linalg.generic` that adds a vector along the rows of a `saek.gemm`
    result read by nothing else, `out[i, j] = c[i, j] + bias[j]`, and
    optionally takes `max(·, 0)` after, becomes that `saek.gemm` with
    `bias` and `epilogue = bias` / `bias_relu`: the back end adds the bias
    as the product is written (OpenBLAS: C pre-filled, beta = 1; cuBLASLt:
    its bias epilogues) instead of a second pass over the result.
  }];
  let dependentDialects = ["::prism::saek::SaekDialect"];
}

#endif // PRISM_CONVERSION_PASSES_TD
