//===- SaeOptimizerOps.td - optimizer step ops -------------*- tablegen -*-===//
//
// The ops -sae-optimizer builds into a training step: one fused Adam update
// per parameter, and the tangent projection that keeps a unit-norm
// constraint (the renormalisation after the step is sae.normalize). Each is
// one op so that the back end can lower it to one kernel. Verifiers are in
// SaeOptimizerOps.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_DIALECT_SAE_IR_SAEOPTIMIZEROPS_TD
#define PRISM_DIALECT_SAE_IR_SAEOPTIMIZEROPS_TD

include "prism/Dialect/Sae/IR/SaeBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Sae_AdamUpdateOp : Sae_Op<"adam_update", [
    Pure,
    AllTypesMatch<["param", "grad", "m", "v", "new_param", "new_m", "new_v"]>,
    AllTypesMatch<["lr", "bias_correction1", "bias_correction2"]>
  ]> {
  let summary = "one Adam step with decoupled weight decay (AdamW)";
  let description = [{
    Updates one parameter `p` with its gradient `g` and its Adam moments
    `m`, `v`, elementwise (PyTorch's `AdamW`, Loshchilov and Hutter 2019):

    ```
    m' = β₁ · m + (1 − β₁) · g
    v' = β₂ · v + (1 − β₂) · g²
    p' = p − lr · (m' / bc₁) / (sqrt(v' / bc₂) + ε) − lr · λ · p
    ```

    `lr`, `bc₁ = 1 − β₁ᵗ` and `bc₂ = 1 − β₂ᵗ` (t the 1-based step) are
    rank-0 operands because the runtime computes them every step (the
    learning-rate schedule, the bias corrections); β₁, β₂, ε and the
    weight decay λ are fixed attributes. The decay is decoupled: it scales
    `p` directly and never enters the moments (λ = 0 is plain Adam). The
    results are `p'`, `m'` and `v'`, of the parameter's type.

    ```mlir
    %p1, %m1, %v1 = sae.adam_update %p, %g, %m, %v, lr = %lr,
        bias_correction = (%bc1, %bc2), beta1 = 9.000000e-01,
        beta2 = 9.990000e-01, eps = 1.000000e-08, weight_decay = 0.000000e+00
        : tensor<4096x512xf32>, tensor<f32>
    ```
  }];

  let arguments = (ins Sae_Tensor:$param, Sae_Tensor:$grad, Sae_Tensor:$m,
                       Sae_Tensor:$v, Sae_Tensor:$lr,
                       Sae_Tensor:$bias_correction1,
                       Sae_Tensor:$bias_correction2, F64Attr:$beta1,
                       F64Attr:$beta2, F64Attr:$eps, F64Attr:$weight_decay);
  let results = (outs Sae_Tensor:$new_param, Sae_Tensor:$new_m,
                      Sae_Tensor:$new_v);

  let assemblyFormat = [{
    $param `,` $grad `,` $m `,` $v `,` `lr` `=` $lr `,` `bias_correction` `=`
    `(` $bias_correction1 `,` $bias_correction2 `)` `,` `beta1` `=` $beta1
    `,` `beta2` `=` $beta2 `,` `eps` `=` $eps `,` `weight_decay` `=`
    $weight_decay attr-dict `:` type($param) `,` type($lr)
  }];
  let hasVerifier = 1;
}

def Sae_ProjectTangentOp : Sae_Op<"project_tangent",
    [Pure, SameOperandsAndResultType]> {
  let summary = "removes the gradient component parallel to each unit slice";
  let description = [{
    For a parameter `w` kept at unit norm along `axis` (`axis = 1`: every
    row, the `unit_rows` constraint; `axis = 0`: every column,
    `unit_cols`), removes from the gradient `g` the component that would
    change those norms: along `axis`, `g − ⟨g, ŵ⟩ ŵ` with `ŵ = w / ‖w‖`.
    On a unit-norm slice that is `g − ⟨g, w⟩ w`; a zero slice of `w` leaves
    `g` unchanged. The step then moves along the sphere to first order, and
    `sae.normalize` along the same axis puts the slices back on it.

    ```mlir
    %gp = sae.project_tangent %g, %w, axis = 1 : tensor<4096x512xf32>
    ```
  }];

  let arguments = (ins Sae_Tensor:$grad, Sae_Tensor:$param, I64Attr:$axis);
  let results = (outs Sae_Tensor:$result);

  let assemblyFormat = [{
    $grad `,` $param `,` `axis` `=` $axis attr-dict `:` type($result)
  }];
  let hasVerifier = 1;
}

#endif // PRISM_DIALECT_SAE_IR_SAEOPTIMIZEROPS_TD
