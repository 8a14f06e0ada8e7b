//===- SaeOps.td - sae dialect operations ------------------*- tablegen -*-===//
//
// The ops of a model graph. Shape rules are checked by C++ verifiers in
// SaeOps.cpp so that their messages can name the shapes involved.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_DIALECT_SAE_IR_SAEOPS_TD
#define PRISM_DIALECT_SAE_IR_SAEOPS_TD

include "prism/Dialect/Sae/IR/SaeBase.td"
include "prism/Dialect/Sae/IR/SaeEnums.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

// Not Pure: a parameter names training state, so two declarations must never
// be merged and an unused one must not be dropped.
def Sae_ParamOp : Sae_Op<"param"> {
  let summary = "declares a trainable parameter and its initialiser";
  let description = [{
    Declares the trainable tensor `sym_name` and how training initialises it.
    `value` is the fill value of the `constant` initialiser and the standard
    deviation of the `normal` one (1.0 when omitted); no other initialiser
    takes it. `mean` and `median` are data-dependent: the runtime computes
    them from the training set before the first step.

    ```mlir
    %w = sae.param "W_enc" kaiming : tensor<512x4096xf32>
    %b = sae.param "b_enc" constant(0.0) : tensor<4096xf32>
    ```
  }];

  let arguments = (ins StrAttr:$sym_name, Sae_InitKindAttr:$init,
                       OptionalAttr<F64Attr>:$value);
  let results = (outs AnyRankedTensor:$result);

  // The enum attribute prints its own leading space; `` drops the op's.
  let assemblyFormat = [{
    $sym_name `` $init (`(` $value^ `)`)? attr-dict `:` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

def Sae_MatmulOp : Sae_Op<"matmul", [Pure]> {
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
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise arithmetic
//===----------------------------------------------------------------------===//

class Sae_BinaryOp<string mnemonic, string operation>
    : Sae_Op<mnemonic, [Pure]> {
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
  let hasVerifier = 1;
}

def Sae_AddOp : Sae_BinaryOp<"add", "addition">;
def Sae_SubOp : Sae_BinaryOp<"sub", "subtraction">;
def Sae_MulOp : Sae_BinaryOp<"mul", "multiplication">;

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

def Sae_ReluOp : Sae_Op<"relu", [Pure, SameOperandsAndResultType]> {
  let summary = "rectified linear unit, max(x, 0)";
  let description = [{
    ```mlir
    %a = sae.relu %h : tensor<?x4096xf32>
    ```
  }];

  let arguments = (ins Sae_Tensor:$input);
  let results = (outs Sae_Tensor:$result);

  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def Sae_TopKOp : Sae_Op<"topk", [Pure, SameOperandsAndResultType]> {
  let summary = "keeps the k largest entries of each row";
  let description = [{
    Keeps, in every row of a `[batch, n]` tensor, the `k` largest entries
    and sets the others to zero. `k` must be positive and, when `n` is
    static, at most `n`.

    ```mlir
    %z = sae.topk %a, k = 32 : tensor<?x4096xf32>
    ```
  }];

  let arguments = (ins Sae_Tensor:$input, I64Attr:$k);
  let results = (outs Sae_Tensor:$result);

  let assemblyFormat = "$input `,` `k` `=` $k attr-dict `:` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Reductions and losses
//===----------------------------------------------------------------------===//

def Sae_ReduceOp : Sae_Op<"reduce", [Pure]> {
  let summary = "reduces a tensor along one axis";
  let description = [{
    Reduces `input` along `axis`, which disappears from the result shape.
    `count` counts the non-zero entries (for L0 sparsity) and returns the
    count in the input's element type.

    ```mlir
    %l0 = sae.reduce count %z, axis = 1 : tensor<?x4096xf32> -> tensor<?xf32>
    ```
  }];

  let arguments = (ins Sae_ReduceKindAttr:$kind, Sae_Tensor:$input,
                       I64Attr:$axis);
  let results = (outs Sae_Tensor:$result);

  // The enum attribute prints its own leading space; `` drops the op's.
  let assemblyFormat = [{
    `` $kind $input `,` `axis` `=` $axis attr-dict `:` type($input) `->`
    type($result)
  }];
  let hasVerifier = 1;
}

def Sae_MseOp : Sae_Op<"mse", [Pure]> {
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
  let hasVerifier = 1;
}

#endif // PRISM_DIALECT_SAE_IR_SAEOPS_TD
