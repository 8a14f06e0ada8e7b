//===- SaekOps.td - saek kernel ops ------------------------*- tablegen -*-===//
//
// One op per kernel or library call. Shapes: B rows (dynamic), d embedding
// dimensions, n latents, k kept latents per row.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_DIALECT_SAEK_IR_SAEKOPS_TD
#define PRISM_DIALECT_SAEK_IR_SAEKOPS_TD

include "prism/Dialect/Saek/IR/SaekBase.td"
include "prism/Dialect/Saek/IR/SaekEnums.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Saek_GemmOp : Saek_Op<"gemm", [Pure]> {
  let summary = "matrix product with a fused bias or bias+ReLU epilogue";
  let description = [{
    `result = epilogue(op(a) @ op(b))` where `op` transposes its operand when
    `transpose_a` / `transpose_b` is set, and the epilogue adds `bias` (a
    vector as long as the result's rows) to every row, then applies ReLU for
    `bias_relu`. A back end maps it to one vendor call (OpenBLAS sgemm,
    cuBLASLt with a fused epilogue).

    ```mlir
    %pre = saek.gemm %x, %W_enc bias %b_enc {epilogue = #saek<epilogue bias>}
        : tensor<?x512xf32>, tensor<512x4096xf32>, tensor<4096xf32>
        -> tensor<?x4096xf32>
    ```
  }];
  let arguments = (ins Saek_FloatTensor:$a, Saek_FloatTensor:$b,
                       Optional<Saek_FloatTensor>:$bias,
                       UnitAttr:$transpose_a, UnitAttr:$transpose_b,
                       DefaultValuedAttr<Saek_EpilogueAttr,
                                         "Epilogue::None">:$epilogue);
  let results = (outs Saek_FloatTensor:$result);
  let assemblyFormat = [{
    $a `,` $b (`bias` $bias^)? attr-dict `:` type($a) `,` type($b)
    (`,` type($bias)^)? `->` type($result)
  }];
  let hasVerifier = 1;
}

def Saek_TopKOp : Saek_Op<"topk", [Pure]> {
  let summary = "selects the k largest entries of each row";
  let description = [{
    For each row of `input` (`[B, n]`), the `k` largest entries (by absolute
    value with `abs`) in descending order and their column indices. Ties go
    to the lower index, so the selection is deterministic.

    ```mlir
    %v, %i = saek.topk %pre, k = 32
        : tensor<?x4096xf32> -> tensor<?x32xf32>, tensor<?x32xi32>
    ```
  }];
  let arguments = (ins Saek_FloatTensor:$input, I64Attr:$k, UnitAttr:$abs);
  let results = (outs Saek_FloatTensor:$values, Saek_IndexTensor:$indices);
  let assemblyFormat = [{
    $input `,` `k` `=` $k (`abs` $abs^)? attr-dict `:` type($input) `->`
    type($values) `,` type($indices)
  }];
  let hasVerifier = 1;
}

def Saek_GatherDecodeOp : Saek_Op<"gather_decode", [Pure]> {
  let summary = "decodes a sparse code: a weighted sum of k table rows";
  let description = [{
    `result[b, :] = bias + Σ_j values[b, j] · table[indices[b, j], :]`: the
    decoder product of a top-k code without the dense `[B, n]` code.

    ```mlir
    %xhat = saek.gather_decode %v, %i, %W_dec bias %b_dec
        : tensor<?x32xf32>, tensor<?x32xi32>, tensor<4096x512xf32>,
          tensor<512xf32> -> tensor<?x512xf32>
    ```
  }];
  let arguments = (ins Saek_FloatTensor:$values, Saek_IndexTensor:$indices,
                       Saek_FloatTensor:$table,
                       Optional<Saek_FloatTensor>:$bias);
  let results = (outs Saek_FloatTensor:$result);
  let assemblyFormat = [{
    $values `,` $indices `,` $table (`bias` $bias^)? attr-dict `:`
    type($values) `,` type($indices) `,` type($table) (`,` type($bias)^)?
    `->` type($result)
  }];
  let hasVerifier = 1;
}

def Saek_GatherDotOp : Saek_Op<"gather_dot", [Pure]> {
  let summary = "dot products of each row with k gathered table rows";
  let description = [{
    `result[b, j] = Σ_c rows[b, c] · table[indices[b, j], c]`: the gradient
    of a sparse code from the gradient of its decoding, k dot products per
    row instead of a `[B, d] @ [d, n]` product.

    ```mlir
    %gv = saek.gather_dot %gxhat, %i, %W_dec
        : tensor<?x512xf32>, tensor<?x32xi32>, tensor<4096x512xf32>
        -> tensor<?x32xf32>
    ```
  }];
  let arguments = (ins Saek_FloatTensor:$rows, Saek_IndexTensor:$indices,
                       Saek_FloatTensor:$table);
  let results = (outs Saek_FloatTensor:$result);
  let assemblyFormat = [{
    $rows `,` $indices `,` $table attr-dict `:` type($rows) `,`
    type($indices) `,` type($table) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Saek_ScatterRowsOp : Saek_Op<"scatter_rows", [Pure]> {
  let summary = "accumulates weighted rows into the rows a sparse code names";
  let description = [{
    `result[i, :] = Σ_{b, j : indices[b, j] = i} values[b, j] · rows[b, :]`
    for `i < n`, zero elsewhere: the gradient of a decoder table (`[n, d]`)
    from a sparse code, or, with `transposed`, the same sum stored as
    `[d, n]` (the index-add for an encoder's gradient).

    ```mlir
    %gW = saek.scatter_rows %v, %i, %gxhat, n = 4096
        : tensor<?x32xf32>, tensor<?x32xi32>, tensor<?x512xf32>
        -> tensor<4096x512xf32>
    ```
  }];
  let arguments = (ins Saek_FloatTensor:$values, Saek_IndexTensor:$indices,
                       Saek_FloatTensor:$rows, I64Attr:$n,
                       UnitAttr:$transposed);
  let results = (outs Saek_FloatTensor:$result);
  let assemblyFormat = [{
    $values `,` $indices `,` $rows `,` `n` `=` $n (`transposed` $transposed^)?
    attr-dict `:` type($values) `,` type($indices) `,` type($rows) `->`
    type($result)
  }];
  let hasVerifier = 1;
}

def Saek_ScatterDenseOp : Saek_Op<"scatter_dense", [Pure]> {
  let summary = "expands a sparse code to its dense [B, n] form";
  let description = [{
    `result[b, indices[b, j]] = values[b, j]`, zero elsewhere. Only for
    outputs that must be dense (a code read by a metric or written out).

    ```mlir
    %z = saek.scatter_dense %v, %i, n = 4096
        : tensor<?x32xf32>, tensor<?x32xi32> -> tensor<?x4096xf32>
    ```
  }];
  let arguments = (ins Saek_FloatTensor:$values, Saek_IndexTensor:$indices,
                       I64Attr:$n);
  let results = (outs Saek_FloatTensor:$result);
  let assemblyFormat = [{
    $values `,` $indices `,` `n` `=` $n attr-dict `:` type($values) `,`
    type($indices) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Saek_GatherOp : Saek_Op<"gather", [Pure]> {
  let summary = "reads the entries of a dense [B, n] tensor a sparse code names";
  let description = [{
    `result[b, j] = input[b, indices[b, j]]`: the entries of a dense tensor
    at the positions of a top-k code, e.g. the ReLU mask of the
    pre-activations under the kept latents, without the `[B, n]` product.

    ```mlir
    %g = saek.gather %pre, %i
        : tensor<?x4096xf32>, tensor<?x32xi32> -> tensor<?x32xf32>
    ```
  }];
  let arguments = (ins Saek_FloatTensor:$input, Saek_IndexTensor:$indices);
  let results = (outs Saek_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $indices attr-dict `:` type($input) `,` type($indices) `->`
    type($result)
  }];
  let hasVerifier = 1;
}

def Saek_ScatterSumOp : Saek_Op<"scatter_sum", [Pure]> {
  let summary = "sums a sparse code over the batch, per latent";
  let description = [{
    `result[i] = Σ_{b, j : indices[b, j] = i} values[b, j]` for `i < n`:
    the batch sum of the dense code (a bias gradient, or with 0/1 values
    the rows in which each latent fired) without forming it. The result
    has `n` entries, shaped `[n]` or `[1, n]`.

    ```mlir
    %gb = saek.scatter_sum %gv, %i, n = 4096
        : tensor<?x32xf32>, tensor<?x32xi32> -> tensor<4096xf32>
    ```
  }];
  let arguments = (ins Saek_FloatTensor:$values, Saek_IndexTensor:$indices,
                       I64Attr:$n);
  let results = (outs Saek_FloatTensor:$result);
  let assemblyFormat = [{
    $values `,` $indices `,` `n` `=` $n attr-dict `:` type($values) `,`
    type($indices) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Saek_BatchTopKOp : Saek_Op<"batch_topk", [Pure,
    AllTypesMatch<["input", "result"]>]> {
  let summary = "keeps the B·k largest entries of a whole batch";
  let description = [{
    Of a `[B, n]` batch, keeps the `B · k` largest entries (ties to the lower
    row-major index) and zeroes the others; with `mask`, writes 1.0 where an
    entry is kept and 0.0 elsewhere instead. One kernel for `sae.batchtopk`
    and its `sae.select_mask`.

    ```mlir
    %z = saek.batch_topk %a, k = 32 : tensor<?x4096xf32>
    %m = saek.batch_topk %a, k = 32 mask : tensor<?x4096xf32>
    ```
  }];
  let arguments = (ins Saek_FloatTensor:$input, I64Attr:$k, UnitAttr:$mask);
  let results = (outs Saek_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` `k` `=` $k (`mask` $mask^)? attr-dict `:` type($input)
  }];
  let hasVerifier = 1;
}

def Saek_AdamOp : Saek_Op<"adam", [Pure,
    AllTypesMatch<["param", "grad", "m", "v", "new_param", "new_m", "new_v"]>,
    AllTypesMatch<["lr", "bc1", "bc2"]>]> {
  let summary = "one fused, bias-corrected Adam step";
  let description = [{
    Elementwise over a parameter `p`, its gradient `g` and moments `m`, `v`
    (all one shape), with rank-0 `lr`, `bc1` = 1 − β₁ᵗ and `bc2` = 1 − β₂ᵗ:

        m' = β₁ m + (1 − β₁) g
        v' = β₂ v + (1 − β₂) g²
        p' = p − lr · ((m' / bc1) / (√(v' / bc2) + ε) + λ p)

    with decoupled weight decay λ (AdamW; 0 is plain Adam).

    ```mlir
    %p2, %m2, %v2 = saek.adam %p, %g, %m, %v, %lr, %bc1, %bc2
        {beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-8 : f64,
         weight_decay = 0.0 : f64} : tensor<4096xf32>, tensor<f32>
    ```
  }];
  let arguments = (ins Saek_FloatTensor:$param, Saek_FloatTensor:$grad,
                       Saek_FloatTensor:$m, Saek_FloatTensor:$v,
                       Saek_FloatTensor:$lr, Saek_FloatTensor:$bc1,
                       Saek_FloatTensor:$bc2, F64Attr:$beta1, F64Attr:$beta2,
                       F64Attr:$eps, F64Attr:$weight_decay);
  let results = (outs Saek_FloatTensor:$new_param, Saek_FloatTensor:$new_m,
                      Saek_FloatTensor:$new_v);
  let assemblyFormat = [{
    $param `,` $grad `,` $m `,` $v `,` $lr `,` $bc1 `,` $bc2 attr-dict `:`
    type($param) `,` type($lr)
  }];
  let hasVerifier = 1;
}

def Saek_UnitNormOp : Saek_Op<"unit_norm", [Pure,
    AllTypesMatch<["input", "result"]>]> {
  let summary = "rescales every row (or column) of a matrix to unit L2 norm";
  let description = [{
    Divides each row (`axis = 1`: the norm is taken along axis 1) or column
    (`axis = 0`) of `input` by its L2 norm; a zero row stays zero.

    ```mlir
    %w = saek.unit_norm %W_dec, axis = 1 : tensor<4096x512xf32>
    ```
  }];
  let arguments = (ins Saek_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Saek_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` `axis` `=` $axis attr-dict `:` type($input)
  }];
  let hasVerifier = 1;
}

def Saek_ProjectTangentOp : Saek_Op<"project_tangent", [Pure,
    AllTypesMatch<["grad", "param", "result"]>]> {
  let summary = "removes from each gradient row its component along the row";
  let description = [{
    `result = g − ⟨g, w⟩ w` per row (`axis = 1`) or column (`axis = 0`) of
    a unit-norm parameter `w`: the part of the gradient that keeps the norm.

    ```mlir
    %g2 = saek.project_tangent %g, %W_dec, axis = 1 : tensor<4096x512xf32>
    ```
  }];
  let arguments = (ins Saek_FloatTensor:$grad, Saek_FloatTensor:$param,
                       I64Attr:$axis);
  let results = (outs Saek_FloatTensor:$result);
  let assemblyFormat = [{
    $grad `,` $param `,` `axis` `=` $axis attr-dict `:` type($grad)
  }];
  let hasVerifier = 1;
}

#endif // PRISM_DIALECT_SAEK_IR_SAEKOPS_TD
