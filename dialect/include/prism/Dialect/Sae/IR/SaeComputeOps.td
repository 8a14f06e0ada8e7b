//===- SaeComputeOps.td - sae model graph operations -------*- tablegen -*-===//
//
// The compute ops of a model graph or a metrics block: linear algebra,
// elementwise arithmetic, activations, reductions, geometry, modality
// selection and losses. All of them are Pure. Their verifiers are in
// SaeOps.cpp; the shape-changing ones have builders that compute the result
// type from the operands.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_DIALECT_SAE_IR_SAECOMPUTEOPS_TD
#define PRISM_DIALECT_SAE_IR_SAECOMPUTEOPS_TD

include "prism/Dialect/Sae/IR/SaeBase.td"
include "prism/Dialect/Sae/IR/SaeEnums.td"
include "prism/Dialect/Sae/IR/SaeInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

// The ops with a gradient rule (buildVjp, in SaeVjp*.cpp) for -sae-autodiff.
defvar Sae_Differentiable =
    DeclareOpInterfaceMethods<Sae_DifferentiableOpInterface>;

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

def Sae_MatmulOp : Sae_Op<"matmul", [Pure, Sae_Differentiable]> {
  let summary = "matrix product";
  let description = [{
    Multiplies an `[M, K]` matrix by a `[K, N]` matrix, giving `[M, N]`.
    `K` must agree when both operands know it statically.

    ```mlir
    %y = sae.matmul %x, %w : tensor<?x512xf32>, tensor<512x4096xf32>
                          -> tensor<?x4096xf32>
    ```
  }];

  let arguments = (ins Sae_Tensor:$lhs, Sae_Tensor:$rhs);
  let results = (outs Sae_Tensor:$result);

  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
  let builders = [OpBuilder<(ins "::mlir::Value":$lhs, "::mlir::Value":$rhs)>];
  let hasVerifier = 1;
}

def Sae_TransposeOp : Sae_Op<"transpose", [Pure, Sae_Differentiable]> {
  let summary = "swaps the two axes of a matrix";
  let description = [{
    ```mlir
    %t = sae.transpose %w : tensor<512x4096xf32> -> tensor<4096x512xf32>
    ```
  }];

  let arguments = (ins Sae_Tensor:$input);
  let results = (outs Sae_Tensor:$result);

  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($result)
  }];
  let builders = [OpBuilder<(ins "::mlir::Value":$input)>];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise arithmetic
//===----------------------------------------------------------------------===//

class Sae_BinaryOp<string mnemonic, string operation>
    : Sae_Op<mnemonic, [Pure, Sae_Differentiable]> {
  let summary = "elementwise " # operation # " with broadcasting";
  let description = [{
    Applies the operation elementwise after broadcasting both operands to a
    common shape with numpy's rules: shapes align on the right and a
    dimension of 1 stretches to match the other operand. A dynamic dimension
    is assumed to match its static counterpart. The result has exactly the
    broadcast shape.

    ```mlir
    %y = sae.}] # mnemonic # [{ %x, %b : tensor<?x4096xf32>, tensor<4096xf32>
                       -> tensor<?x4096xf32>
    ```
  }];

  let arguments = (ins Sae_Tensor:$lhs, Sae_Tensor:$rhs);
  let results = (outs Sae_Tensor:$result);

  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
  // Gives the result the broadcast shape of the operands.
  let builders = [
    OpBuilder<(ins "::mlir::Value":$lhs, "::mlir::Value":$rhs), [{
      build($_builder, $_state, ::prism::sae::broadcastType(lhs, rhs), lhs,
            rhs);
    }]>
  ];
  let hasVerifier = 1;
}

def Sae_AddOp : Sae_BinaryOp<"add", "addition">;
def Sae_SubOp : Sae_BinaryOp<"sub", "subtraction">;
def Sae_MulOp : Sae_BinaryOp<"mul", "multiplication">;
def Sae_DivOp : Sae_BinaryOp<"div", "division">;
def Sae_PowOp : Sae_BinaryOp<"pow", "power (lhs raised to rhs)">;
def Sae_MaximumOp
    : Sae_BinaryOp<"maximum", "maximum (NaN where either is NaN)">;

def Sae_CmpOp : Sae_Op<"cmp", [Pure]> {
  let summary = "elementwise comparison with broadcasting, as 1.0 or 0.0";
  let description = [{
    Compares the operands elementwise after broadcasting them like
    `sae.add`, giving 1.0 where `lhs predicate rhs` holds and 0.0 where it
    does not, in the operands' element type. The predicates are `gt`, `lt`,
    `ge`, `le`, `eq` and `ne`.

    ```mlir
    %fired = sae.cmp gt %z, %zero : tensor<?x4096xf32>, tensor<f32>
                                  -> tensor<?x4096xf32>
    ```
  }];

  let arguments = (ins Sae_CmpPredicateAttr:$predicate, Sae_Tensor:$lhs,
                       Sae_Tensor:$rhs);
  let results = (outs Sae_Tensor:$result);

  // The enum attribute prints its own leading space; `` drops the op's.
  let assemblyFormat = [{
    `` $predicate $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->`
    type($result)
  }];
  let builders = [
    OpBuilder<(ins "CmpPredicate":$predicate, "::mlir::Value":$lhs,
                   "::mlir::Value":$rhs)>
  ];
  let hasVerifier = 1;
}

class Sae_UnaryOp<string mnemonic, string operation>
    : Sae_Op<mnemonic, [Pure, SameOperandsAndResultType, Sae_Differentiable]> {
  let summary = operation;
  let description = [{
    Applies the function to every element.

    ```mlir
    %y = sae.}] # mnemonic # [{ %x : tensor<?x4096xf32>
    ```
  }];

  let arguments = (ins Sae_Tensor:$input);
  let results = (outs Sae_Tensor:$result);

  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def Sae_NegOp : Sae_UnaryOp<"neg", "negation, -x">;
def Sae_AbsOp : Sae_UnaryOp<"abs", "absolute value, |x|">;
def Sae_SqrtOp : Sae_UnaryOp<"sqrt", "square root">;
def Sae_ExpOp : Sae_UnaryOp<"exp", "exponential, e^x">;
def Sae_LogOp : Sae_UnaryOp<"log", "natural logarithm">;

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

def Sae_ReluOp : Sae_UnaryOp<"relu", "rectified linear unit, max(x, 0)">;

// Sparse selections of a `[batch, n]` code; the result has the input's type.
class Sae_SelectOp<string mnemonic> : Sae_Op<mnemonic,
    [Pure, SameOperandsAndResultType, Sae_Differentiable]> {
  let arguments = (ins Sae_Tensor:$input, I64Attr:$k);
  let results = (outs Sae_Tensor:$result);

  let assemblyFormat = "$input `,` `k` `=` $k attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Sae_TopKOp : Sae_SelectOp<"topk"> {
  let summary = "keeps the k largest entries of each row";
  let description = [{
    Keeps, in every row of a `[batch, n]` tensor, the `k` largest entries
    and sets the others to zero. `k` must be positive and, when `n` is
    static, at most `n`. Ties go to the lower index (in `topk_abs` and
    `batchtopk` too), so `sae.select_mask` can give the kept entries.

    ```mlir
    %z = sae.topk %a, k = 32 : tensor<?x4096xf32>
    ```
  }];
}

def Sae_TopKAbsOp : Sae_SelectOp<"topk_abs"> {
  let summary = "keeps the k entries of largest absolute value of each row";
  let description = [{
    Like `sae.topk`, but ranks the entries of each row by absolute value and
    keeps them with their sign.

    ```mlir
    %z = sae.topk_abs %h, k = 32 : tensor<?x4096xf32>
    ```
  }];
}

def Sae_BatchTopKOp : Sae_SelectOp<"batchtopk"> {
  let summary = "keeps the B·k largest entries of the whole batch";
  let description = [{
    BatchTopK (Bussmann et al. 2024): of a `[B, n]` batch, keeps the `B · k`
    largest entries over the whole batch, so rows may keep more or fewer
    than `k`, and zeroes the rest. `k` must be positive and at most `n`.

    The selection depends on the batch, so it is a training-time rule. At
    inference the runtime keeps instead the entries above a threshold θ, a
    running mean of the smallest kept entry of each training batch; the
    training step records θ. Passes that rewrite this op must keep both
    behaviours.

    ```mlir
    %z = sae.batchtopk %a, k = 32 : tensor<?x4096xf32>
    ```
  }];
}

// Thresholded activations with a learned `[n]` threshold and a
// pseudo-gradient; the result has the pre-activation's type.
class Sae_ThresholdOp<string mnemonic> : Sae_Op<mnemonic,
    [Pure, AllTypesMatch<["input", "result"]>, Sae_Differentiable]> {
  let arguments = (ins Sae_Tensor:$input, Sae_Tensor:$threshold,
                       F64Attr:$bandwidth);
  let results = (outs Sae_Tensor:$result);

  let assemblyFormat = [{
    $input `,` $threshold `,` `bandwidth` `=` $bandwidth attr-dict `:`
    type($input) `,` type($threshold)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input, "::mlir::Value":$threshold,
                   "double":$bandwidth)>
  ];
  let hasVerifier = 1;
}

def Sae_JumpReluOp : Sae_ThresholdOp<"jumprelu"> {
  let summary = "JumpReLU, x · H(x − θ)";
  let description = [{
    JumpReLU (Rajamanoharan et al. 2024) of a `[batch, n]` pre-activation
    with a learned `[n]` threshold θ: `x` where `x > θ`, 0 elsewhere. The
    gradient with respect to θ uses the rectangle-kernel pseudo-derivative
    of width `bandwidth` (ε > 0); the gradient with respect to `x` is the
    step itself.

    ```mlir
    %z = sae.jumprelu %pre, %theta, bandwidth = 1.000000e-03
           : tensor<?x4096xf32>, tensor<4096xf32>
    ```
  }];
}

def Sae_StepOp : Sae_ThresholdOp<"step"> {
  let summary = "Heaviside step H(x − θ) with a pseudo-gradient";
  let description = [{
    1.0 where the `[batch, n]` input exceeds the learned `[n]` threshold θ,
    0.0 elsewhere: the L0 penalty of JumpReLU. The gradient with respect to
    θ uses the rectangle-kernel pseudo-derivative of width `bandwidth`
    (ε > 0); there is none with respect to `x`.

    ```mlir
    %l0 = sae.step %pre, %theta, bandwidth = 1.000000e-03
            : tensor<?x4096xf32>, tensor<4096xf32>
    ```
  }];
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

def Sae_ReduceOp : Sae_Op<"reduce", [Pure,
    DeclareOpInterfaceMethods<Sae_DifferentiableOpInterface,
                              ["isDifferentiable"]>]> {
  let summary = "reduces a tensor along one axis or all of them";
  let description = [{
    Reduces `input` along `axis`, which disappears from the result shape,
    or, without `axis`, along every axis to a rank-0 result. `count` counts
    the non-zero entries (for L0 sparsity) and returns the count in the
    input's element type; `norm` is the L2 norm; `min_positive` is the
    smallest entry greater than zero, +∞ when there is none (the smallest
    activation a `sae.batchtopk` kept, for its inference threshold). `count`
    and `min_positive` have no gradient.

    In a metrics block, a reduction along axis 0, or over all axes, runs
    over every row of the dataset, not one batch.

    ```mlir
    %l0 = sae.reduce count %z, axis = 1 : tensor<?x4096xf32> -> tensor<?xf32>
    %s = sae.reduce sum %z : tensor<?x4096xf32> -> tensor<f32>
    %n = sae.reduce norm %w, axis = 1 : tensor<4096x512xf32> -> tensor<4096xf32>
    ```
  }];

  let arguments = (ins Sae_ReduceKindAttr:$kind, Sae_Tensor:$input,
                       OptionalAttr<I64Attr>:$axis);
  let results = (outs Sae_Tensor:$result);

  // The enum attribute prints its own leading space; `` drops the op's.
  let assemblyFormat = [{
    `` $kind $input (`,` `axis` `=` $axis^)? attr-dict `:` type($input) `->`
    type($result)
  }];
  let builders = [
    // Reduces along `axis`, or along every axis when it is nullopt.
    OpBuilder<(ins "ReduceKind":$kind, "::mlir::Value":$input,
                   CArg<"std::optional<int64_t>", "std::nullopt">:$axis)>
  ];
  let hasVerifier = 1;
}

def Sae_NormalizeOp : Sae_Op<"normalize",
    [Pure, SameOperandsAndResultType, Sae_Differentiable]> {
  let summary = "divides by the L2 norm along one axis or all of them";
  let description = [{
    `e / ‖e‖` along `axis`, or, without `axis`, divided by the norm of the
    whole tensor; a slice whose norm is zero stays zero.

    ```mlir
    %u = sae.normalize %w, axis = 1 : tensor<4096x512xf32>
    %v = sae.normalize %b : tensor<512xf32>
    ```
  }];

  let arguments = (ins Sae_Tensor:$input, OptionalAttr<I64Attr>:$axis);
  let results = (outs Sae_Tensor:$result);

  let assemblyFormat = [{
    $input (`,` `axis` `=` $axis^)? attr-dict `:` type($result)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input,
                   CArg<"std::optional<int64_t>", "std::nullopt">:$axis)>
  ];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Geometry
//===----------------------------------------------------------------------===//

// Row-by-row comparisons `[m, d], [n, d] -> [m, n]`.
class Sae_PairwiseOp<string mnemonic>
    : Sae_Op<mnemonic, [Pure, Sae_Differentiable]> {
  let arguments = (ins Sae_Tensor:$lhs, Sae_Tensor:$rhs);
  let results = (outs Sae_Tensor:$result);

  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
  let builders = [OpBuilder<(ins "::mlir::Value":$lhs, "::mlir::Value":$rhs)>];
  let hasVerifier = 1;
}

def Sae_CosOp : Sae_PairwiseOp<"cos"> {
  let summary = "cosine similarity of every row of A with every row of B";
  let description = [{
    `[m, d], [n, d] -> [m, n]`; a zero row has cosine 0 with everything.

    ```mlir
    %c = sae.cos %w, %w : tensor<4096x512xf32>, tensor<4096x512xf32>
                       -> tensor<4096x4096xf32>
    ```
  }];
}

def Sae_DistOp : Sae_PairwiseOp<"dist"> {
  let summary = "Euclidean distance of every row of A to every row of B";
  let description = [{
    `[m, d], [n, d] -> [m, n]`, e.g. the distance encoder of VL-SAE.

    ```mlir
    %d = sae.dist %x, %c : tensor<?x512xf32>, tensor<4096x512xf32>
                        -> tensor<?x4096xf32>
    ```
  }];
}

def Sae_OuterOp : Sae_Op<"outer", [Pure]> {
  let summary = "per-row outer product";
  let description = [{
    `[B, m], [B, n] -> [B, m, n]`: row `b` of the result is the outer
    product of row `b` of `lhs` with row `b` of `rhs`. Codes are sparse, so
    a lowering should not materialise it densely.

    ```mlir
    %o = sae.outer %zi, %zt : tensor<?x4096xf32>, tensor<?x4096xf32>
                           -> tensor<?x4096x4096xf32>
    ```
  }];

  let arguments = (ins Sae_Tensor:$lhs, Sae_Tensor:$rhs);
  let results = (outs Sae_Tensor:$result);

  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
  let builders = [OpBuilder<(ins "::mlir::Value":$lhs, "::mlir::Value":$rhs)>];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Modalities and slices
//===----------------------------------------------------------------------===//

def Sae_SelectModalityOp : Sae_Op<"select_modality",
    [Pure, SameOperandsAndResultType, Sae_Differentiable]> {
  let summary = "per row, one value for image rows and one for text rows";
  let description = [{
    `by_modality(image = e1, text = e2)`: row `b` of the result is row `b`
    of `image` when input row `b` is an image and row `b` of `text` when it
    is a text. Axis 0 is the batch.

    ```mlir
    %xhat = sae.select_modality %ximg, %xtxt : tensor<?x512xf32>
    ```
  }];

  let arguments = (ins Sae_Tensor:$image, Sae_Tensor:$text);
  let results = (outs Sae_Tensor:$result);

  let assemblyFormat = "$image `,` $text attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Sae_FilterOp : Sae_Op<"filter",
    [Pure, SameOperandsAndResultType, Sae_Differentiable]> {
  let summary = "keeps the rows of one modality";
  let description = [{
    `e | image`: keeps the rows of `input` whose input row is of
    `modality`. Axis 0 is the batch and stays dynamic; a reduction along it
    sees only the kept rows.

    ```mlir
    %zi = sae.filter %z, image : tensor<?x4096xf32>
    ```
  }];

  let arguments = (ins Sae_Tensor:$input, Sae_ModalityAttr:$modality);
  let results = (outs Sae_Tensor:$result);

  // The enum attribute prints its own leading space; `` drops the op's.
  let assemblyFormat = "$input `,` `` $modality attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Sae_SliceOp : Sae_Op<"slice", [Pure, Sae_Differentiable]> {
  let summary = "a static slice along every axis, or an element of some";
  let description = [{
    `e[a:b, :]` and `e[i, :]`: keeps the entries with
    `starts[i] <= index < limits[i]` along every axis `i`, so the result
    has size `limits[i] - starts[i]` along it. There is one start and one
    limit per axis, with `0 <= start <= limit <= size` on a static axis. A
    dynamic axis (the batch) can only be taken whole, written
    `start = 0, limit = -1`; the result keeps it dynamic.

    `squeeze` lists, in increasing order, the axes indexed by a single
    element (`limit = start + 1`); they are dropped from the result, so
    `W[3, :]` of a `[4096, 512]` matrix is a `[512]` vector.

    ```mlir
    %w = sae.slice %W_dec, starts = [0, 0], limits = [256, 512]
           : tensor<4096x512xf32> -> tensor<256x512xf32>
    %z = sae.slice %z, starts = [0, 0], limits = [-1, 256]
           : tensor<?x4096xf32> -> tensor<?x256xf32>
    %r = sae.slice %W_dec, starts = [3, 0], limits = [4, 512], squeeze = [0]
           : tensor<4096x512xf32> -> tensor<512xf32>
    ```
  }];

  let arguments = (ins Sae_Tensor:$input, DenseI64ArrayAttr:$starts,
                       DenseI64ArrayAttr:$limits,
                       OptionalAttr<DenseI64ArrayAttr>:$squeeze);
  let results = (outs Sae_Tensor:$result);

  let assemblyFormat = [{
    $input `,` `starts` `=` $starts `,` `limits` `=` $limits
    (`,` `squeeze` `=` $squeeze^)? attr-dict `:` type($input) `->`
    type($result)
  }];
  let builders = [
    // Computes the result type.
    OpBuilder<(ins "::mlir::Value":$input,
                   "::llvm::ArrayRef<int64_t>":$starts,
                   "::llvm::ArrayRef<int64_t>":$limits,
                   CArg<"::llvm::ArrayRef<int64_t>", "{}">:$squeeze)>,
    // Takes the result type as given, without squeezed axes.
    OpBuilder<(ins "::mlir::Type":$result, "::mlir::Value":$input,
                   "::llvm::ArrayRef<int64_t>":$starts,
                   "::llvm::ArrayRef<int64_t>":$limits)>
  ];

  let extraClassDeclaration = [{
    /// The limit that takes a dynamic axis whole.
    static constexpr int64_t kWholeAxis = ::prism::sae::kWholeAxis;
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

def Sae_MseOp : Sae_Op<"mse", [Pure, Sae_Differentiable]> {
  let summary = "mean squared error";
  let description = [{
    The mean over all elements of `(lhs - rhs)^2`, as a rank-0 tensor.
    Both operands must have the same shape.

    ```mlir
    %loss = sae.mse %xhat, %x : tensor<?x512xf32>, tensor<?x512xf32>
                             -> tensor<f32>
    ```
  }];

  let arguments = (ins Sae_Tensor:$lhs, Sae_Tensor:$rhs);
  let results = (outs Sae_Tensor:$result);

  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
  let builders = [OpBuilder<(ins "::mlir::Value":$lhs, "::mlir::Value":$rhs)>];
  let hasVerifier = 1;
}

def Sae_L1Op : Sae_Op<"l1", [Pure, Sae_Differentiable]> {
  let summary = "L1 sparsity penalty, optionally weighted";
  let description = [{
    The mean over rows of `Σᵢ |zᵢ| · wᵢ`, as a rank-0 tensor: the sum runs
    over the last axis of `input` and the mean over all the others. The
    optional `weight` has the shape `[n]` of that last axis (e.g. the
    decoder row norms); without it every `wᵢ` is 1.

    ```mlir
    %l = sae.l1 %z : tensor<?x4096xf32> -> tensor<f32>
    %lw = sae.l1 %z, weight = %norms : tensor<?x4096xf32>, tensor<4096xf32>
                                    -> tensor<f32>
    ```
  }];

  let arguments = (ins Sae_Tensor:$input, Optional<Sae_Tensor>:$weight);
  let results = (outs Sae_Tensor:$result);

  let assemblyFormat = [{
    $input (`,` `weight` `=` $weight^)? attr-dict `:` type($input)
    (`,` type($weight)^)? `->` type($result)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input,
                   CArg<"::mlir::Value", "{}">:$weight)>
  ];
  let hasVerifier = 1;
}

def Sae_AuxKOp : Sae_Op<"auxk", [Pure,
    DeclareOpInterfaceMethods<Sae_DifferentiableOpInterface,
                              ["isDifferentiable"]>]> {
  let summary = "auxiliary loss reconstructing the residual from dead latents";
  let description = [{
    AuxK (Gao et al. 2024): keeps the `k` largest entries of `pre`
    (`[B, n]`) among the dead latents, decodes them with `decoder`
    (`[n, d]`, no bias) and returns the mean squared error against
    `residual` (`[B, d]`), as a rank-0 tensor. A latent is dead when it has
    not fired in the last `dead_window` training samples (see `sae.train`);
    the runtime keeps that statistic, and with no dead latent the loss is 0.

    In the functions -sae-autodiff builds, the statistic is an explicit
    `[n]` operand `dead_mask` (1.0 = dead, 0.0 = alive) and the selection
    is `sae.select_mask topk` among it. `residual` is a target: no gradient
    flows into it (Gao et al.'s and EleutherAI's code detach it).

    ```mlir
    %aux = sae.auxk %r, %pre, %W_dec, k = 256
             : tensor<?x512xf32>, tensor<?x4096xf32>, tensor<4096x512xf32>
            -> tensor<f32>
    %auxg = sae.auxk %r, %pre, %W_dec, k = 256, dead_mask = %dead
              : tensor<?x512xf32>, tensor<?x4096xf32>, tensor<4096x512xf32>,
                tensor<4096xf32> -> tensor<f32>
    ```
  }];

  let arguments = (ins Sae_Tensor:$residual, Sae_Tensor:$pre,
                       Sae_Tensor:$decoder, Optional<Sae_Tensor>:$dead_mask,
                       I64Attr:$k);
  let results = (outs Sae_Tensor:$result);

  let assemblyFormat = [{
    $residual `,` $pre `,` $decoder `,` `k` `=` $k
    (`,` `dead_mask` `=` $dead_mask^)? attr-dict `:` type($residual) `,`
    type($pre) `,` type($decoder) (`,` type($dead_mask)^)? `->`
    type($result)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Value":$residual, "::mlir::Value":$pre,
                   "::mlir::Value":$decoder, "int64_t":$k)>
  ];
  let hasVerifier = 1;
}

#endif // PRISM_DIALECT_SAE_IR_SAECOMPUTEOPS_TD
