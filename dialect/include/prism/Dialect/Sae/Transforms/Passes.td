//===- Passes.td - sae training passes ---------------------*- tablegen -*-===//
//
// The passes that turn a sae.model into the entry points the back end
// compiles: the forward function, its gradient, and one training step. The
// contract they keep (argument and result order, attributes) is in
// docs/dialects/sae.md, "Entry-point functions".
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_DIALECT_SAE_TRANSFORMS_PASSES_TD
#define PRISM_DIALECT_SAE_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def SaeOutlineEntryPoints
    : Pass<"sae-outline-entry-points", "::mlir::ModuleOp"> {
  let summary = "outlines every sae.model into a forward function";
  let description = [{
    For every `sae.model @M`, adds `func.func @M.forward` to the module:
    the model's inputs then its parameters as arguments (`sae.input`,
    `sae.param` argument attributes), every `sae.output` as a result in
    order (`sae.output`), and the model's compute ops as the body. The
    function carries `sae.model = "M"` and `sae.entry = "forward"`. A model
    with outputs `z` and `xhat` also gets `@M.encode` (its arguments to the
    output `z`) and `@M.reconstruct` (a code, `sae.input "z"`, to the output
    `xhat`), each keeping only the arguments it reads. The model stays: later stages read parameter initialisers, constraints and
    the training configuration from it.

    A model with `sae.batchtopk` also gets `func.func @M.infer`
    (`sae.entry = "infer"`), its inference forward: the forward's
    arguments, then one rank-0 `sae.state` argument per selection
    (`batchtopk.theta`, `batchtopk.theta.1`, ... in body order), the
    forward's results, and every `sae.batchtopk %v, k` replaced by
    `%v · (%v > θ)` (`sae.cmp gt`, `sae.mul`). The selections of
    `@M.forward` are tagged `sae.threshold = "batchtopk.theta"` (...), which
    `-sae-train-statistics` reads.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::prism::sae::SaeDialect"];
}

def SaePlanMetrics : Pass<"sae-plan-metrics", "::mlir::ModuleOp"> {
  let summary = "compiles metrics blocks into streaming entry functions";
  let description = [{
    For every `sae.metrics @B` over rows (after -sae-outline-entry-points):
    each reduction along axis 0 or over all axes of a per-row value becomes
    accumulators (a sum, a sum and a count for a mean, a running maximum, a
    sum of squares for a norm), assigned to the first pass over the data,
    or to the second when it reads the result of another reduction. Adds
    `@M.metrics.B.init` (the accumulators' start values),
    `@M.metrics.B.passP` (the forward function's arguments and the
    accumulators of passes up to P; folds one batch into those of pass P)
    and `@M.metrics.B.finalize` (the parameters and all accumulators; one
    `sae.output` "metrics.B.NAME" per metric). Accumulators are tagged
    `sae.accumulator` as arguments and results. The block is then erased;
    a block over pairs is erased with a warning (not compiled yet).
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect"];
}

def SaeAutodiff : Pass<"sae-autodiff", "::mlir::ModuleOp"> {
  let summary = "builds the gradient function of every forward function";
  let description = [{
    For every forward function with a rank-0 `loss` output, adds
    `func.func @M.grad`: the forward arguments (and a `dead_mask` state
    argument when the model uses `sae.auxk`), the forward outputs, then the
    gradient of the loss with respect to every parameter, in parameter order
    (`sae.grad`). Reverse mode through SaeDifferentiableOpInterface; a loss
    that depends on a parameter through an op without a gradient rule is an
    error naming that op.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect"];
}

def SaeOptimizer : Pass<"sae-optimizer", "::mlir::ModuleOp"> {
  let summary = "builds one Adam training step from every gradient function";
  let description = [{
    For every gradient function, adds `func.func @M.train_step`: the
    gradient function's arguments, each parameter's Adam moments, and the
    per-step scalars `lr`, `bias_correction1` and `bias_correction2`;
    results are the forward outputs, the updated parameters and the updated
    moments. Each parameter takes one `sae.adam_update` with β₁, β₂, ε and
    the decoupled weight decay of the model's `sae.train` (PyTorch's
    defaults without one); a `unit_rows` / `unit_cols` parameter has its
    gradient projected on the tangent space first (`sae.project_tangent`)
    and is renormalised after the step (`sae.normalize`).
  }];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

#endif // PRISM_DIALECT_SAE_TRANSFORMS_PASSES_TD
