//===- SaeInterfaces.td - sae op interfaces ----------------*- tablegen -*-===//
//
// The interface through which -sae-autodiff differentiates a model graph:
// each differentiable compute op builds its own vector-Jacobian product.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_DIALECT_SAE_IR_SAEINTERFACES_TD
#define PRISM_DIALECT_SAE_IR_SAEINTERFACES_TD

include "mlir/IR/OpBase.td"

def Sae_DifferentiableOpInterface
    : OpInterface<"SaeDifferentiableOpInterface"> {
  let cppNamespace = "::prism::sae";
  let description = [{
    An op with a reverse-mode gradient rule. Given the cotangent of every
    result (∂L/∂result, of the result's type), `buildVjp` builds, at the
    builder's insertion point, the cotangent each operand receives
    (∂L/∂operand, of the operand's type) and returns one value per operand:
    null where no gradient flows into that operand (it is a target, a mask,
    or the rule defines its derivative as zero).

    Rules may read the op's operands and results: the backward pass runs in
    the same function after the forward one, so every forward value is
    still available. Elementwise rules undo broadcasting with
    `sae.unbroadcast`. Operands that do not need a gradient still get one
    built; -sae-autodiff deletes what no gradient uses.
  }];

  let methods = [
    InterfaceMethod<[{
        Whether this op instance has a gradient rule at all (for example
        `sae.reduce count` has none). A loss that depends on a parameter
        through an op without one cannot be differentiated.
      }],
      "bool", "isDifferentiable", (ins), [{}], [{ return true; }]>,
    InterfaceMethod<[{
        Builds the operand cotangents from the result cotangents, one value
        per operand (null: none flows into it). Called only when
        `isDifferentiable()` holds and every result cotangent is non-null.
      }],
      "::llvm::SmallVector<::mlir::Value>", "buildVjp",
      (ins "::mlir::OpBuilder &":$builder,
           "::mlir::ValueRange":$resultCotangents)>,
  ];
}

#endif // PRISM_DIALECT_SAE_IR_SAEINTERFACES_TD
