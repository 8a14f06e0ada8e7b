//===- SaeGradOps.td - ops of the backward pass ------------*- tablegen -*-===//
//
// The ops that gradient rules build and the forward ops cannot express:
// undoing a broadcast, repeating a reduced value, the size of a dynamic
// axis, division that maps 0/0 to 0, the mask of a sparse selection, and the
// adjoints of sae.slice and sae.filter. -sae-autodiff creates them; a model
// author never writes them. Their verifiers are in SaeGradOps.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_DIALECT_SAE_IR_SAEGRADOPS_TD
#define PRISM_DIALECT_SAE_IR_SAEGRADOPS_TD

include "prism/Dialect/Sae/IR/SaeBase.td"
include "prism/Dialect/Sae/IR/SaeEnums.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Sae_UnbroadcastOp : Sae_Op<"unbroadcast", [Pure]> {
  let summary = "sums a tensor back to a shape it was broadcast from";
  let description = [{
    The adjoint of numpy broadcasting: sums `input` over the axes that
    broadcasting `result`'s shape to `input`'s shape added or stretched. The
    shapes align on the right; every leading axis of `input` that `result`
    lacks is summed away, and every axis where `result` has size 1 is summed
    to size 1. Every other axis is kept and must agree (a dynamic size
    agrees with anything).

    ```mlir
    %gb = sae.unbroadcast %g : tensor<?x4096xf32> -> tensor<4096xf32>
    %gs = sae.unbroadcast %g : tensor<?x4096xf32> -> tensor<f32>
    %gc = sae.unbroadcast %h : tensor<?x512xf32> -> tensor<?x1xf32>
    ```
  }];

  let arguments = (ins Sae_Tensor:$input);
  let results = (outs Sae_Tensor:$result);

  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Sae_BroadcastOp : Sae_Op<"broadcast",
    [Pure, AllTypesMatch<["like", "result"]>]> {
  let summary = "repeats a tensor to the shape of another";
  let description = [{
    The adjoint of a reduction: the result has the type of `like`, whose
    values are not read (only its shape, dynamic sizes included). With
    `axis`, `input` has the shape of `like` without that axis and is
    repeated along it; without `axis`, `input` broadcasts to the shape of
    `like` with numpy's rules (a rank-0 `input` fills it).

    ```mlir
    %r = sae.broadcast %g, %x, axis = 1 : tensor<?xf32>, tensor<?x4096xf32>
    %f = sae.broadcast %s, %x : tensor<f32>, tensor<?x4096xf32>
    ```
  }];

  let arguments = (ins Sae_Tensor:$input, Sae_Tensor:$like,
                       OptionalAttr<I64Attr>:$axis);
  let results = (outs Sae_Tensor:$result);

  let assemblyFormat = [{
    $input `,` $like (`,` `axis` `=` $axis^)? attr-dict `:` type($input) `,`
    type($like)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input, "::mlir::Value":$like,
                   CArg<"std::optional<int64_t>", "std::nullopt">:$axis)>
  ];
  let hasVerifier = 1;
}

def Sae_SizeOp : Sae_Op<"size", [Pure]> {
  let summary = "the number of entries along an axis, or in all, as a scalar";
  let description = [{
    The size of axis `axis` of `input` (or, without `axis`, its number of
    entries) as a rank-0 tensor of `input`'s element type. Only the shape
    of `input` is read; this is how a gradient divides by a dynamic batch
    size, e.g. the rows of one modality after `sae.filter`.

    ```mlir
    %rows = sae.size %x, axis = 0 : tensor<?x512xf32> -> tensor<f32>
    %all = sae.size %x : tensor<?x512xf32> -> tensor<f32>
    ```
  }];

  let arguments = (ins Sae_Tensor:$input, OptionalAttr<I64Attr>:$axis);
  let results = (outs Sae_Tensor:$result);

  let assemblyFormat = [{
    $input (`,` `axis` `=` $axis^)? attr-dict `:` type($input) `->`
    type($result)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input,
                   CArg<"std::optional<int64_t>", "std::nullopt">:$axis)>
  ];
  let hasVerifier = 1;
}

def Sae_DivNoNanOp : Sae_Op<"div_no_nan", [Pure, SameOperandsAndResultType]> {
  let summary = "elementwise division that gives 0 where the divisor is 0";
  let description = [{
    `lhs / rhs` where `rhs != 0`, and 0 where `rhs == 0` (whatever `lhs`
    is). Gradients of norms and distances use it so that a zero norm or a
    zero distance, where the derivative is undefined, contributes nothing,
    as `sae.normalize` leaves a zero slice at zero.

    ```mlir
    %h = sae.div_no_nan %g, %d : tensor<?x4096xf32>
    ```
  }];

  let arguments = (ins Sae_Tensor:$lhs, Sae_Tensor:$rhs);
  let results = (outs Sae_Tensor:$result);

  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
}

def Sae_SelectMaskOp : Sae_Op<"select_mask",
    [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "1.0 where a sparse selection keeps an entry, 0.0 elsewhere";
  let description = [{
    The mask of the entries of a `[batch, n]` tensor that `sae.topk`,
    `sae.topk_abs` or `sae.batchtopk` with the same `k` keeps: exactly
    `min(k, n)` entries per row (`B · k` over the whole batch for
    `batchtopk`), whatever their values, zeros and ties included. Ties are
    broken towards the lower index (row-major for `batchtopk`), the rule the
    selection ops follow too, so the mask and the forward selection always
    agree. The gradient of a selection is the cotangent times this mask.

    `among` (a `[n]` vector, `topk` only) restricts the choice to the
    latents where it is non-zero: per row, the `min(k, count)` largest
    eligible entries, none when no latent is eligible. AuxK selects its
    dead latents this way.

    ```mlir
    %m = sae.select_mask topk %a, k = 32 : tensor<?x4096xf32>
    %d = sae.select_mask topk %pre, k = 256, among = %dead
           : tensor<?x4096xf32>, tensor<4096xf32>
    ```
  }];

  let arguments = (ins Sae_SelectKindAttr:$kind, Sae_Tensor:$input,
                       I64Attr:$k, Optional<Sae_Tensor>:$among);
  let results = (outs Sae_Tensor:$result);

  // The enum attribute prints its own leading space; `` drops the op's.
  let assemblyFormat = [{
    `` $kind $input `,` `k` `=` $k (`,` `among` `=` $among^)? attr-dict `:`
    type($input) (`,` type($among)^)?
  }];
  let builders = [
    OpBuilder<(ins "SelectKind":$kind, "::mlir::Value":$input, "int64_t":$k,
                   CArg<"::mlir::Value", "{}">:$among)>
  ];
  let hasVerifier = 1;
}

def Sae_PadOp : Sae_Op<"pad", [Pure]> {
  let summary = "places a tensor into zeros: the adjoint of sae.slice";
  let description = [{
    Undoes `sae.slice` with the same `starts`, `limits` and `squeeze`: the
    result has the type of the sliced tensor, holds `input` where the slice
    took its entries (with the squeezed axes put back) and zero elsewhere.
    A dynamic axis (taken whole by the slice, `0` to `-1`) keeps `input`'s
    size.

    ```mlir
    %g = sae.pad %gz, starts = [0, 0], limits = [-1, 128]
           : tensor<?x128xf32> -> tensor<?x4096xf32>
    %h = sae.pad %gr, starts = [3, 0], limits = [4, 512], squeeze = [0]
           : tensor<512xf32> -> tensor<4096x512xf32>
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
  let extraClassDeclaration = [{
    /// The limit that takes a dynamic axis whole, as in sae.slice.
    static constexpr int64_t kWholeAxis = ::prism::sae::kWholeAxis;
  }];
  let hasVerifier = 1;
}

def Sae_UnfilterOp : Sae_Op<"unfilter", [Pure, SameOperandsAndResultType]> {
  let summary = "puts the rows of one modality back: the adjoint of sae.filter";
  let description = [{
    `input` holds one row per batch row of `modality`, in batch order (what
    `sae.filter` of the same modality gives); the result has one row per
    batch row: row `b` is the next row of `input` when batch row `b` is of
    `modality`, and zero otherwise. Axis 0 is the batch.

    ```mlir
    %g = sae.unfilter %gi, image : tensor<?x512xf32>
    ```
  }];

  let arguments = (ins Sae_Tensor:$input, Sae_ModalityAttr:$modality);
  let results = (outs Sae_Tensor:$result);

  // The enum attribute prints its own leading space; `` drops the op's.
  let assemblyFormat = "$input `,` `` $modality attr-dict `:` type($result)";
  let hasVerifier = 1;
}

#endif // PRISM_DIALECT_SAE_IR_SAEGRADOPS_TD
