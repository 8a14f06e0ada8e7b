//===- SaeEnums.td - sae enum attributes -------------------*- tablegen -*-===//
//
// Enumerations carried by sae ops, each wrapped in a dialect attribute so it
// prints as a bare keyword in the custom assembly format.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_DIALECT_SAE_IR_SAEENUMS_TD
#define PRISM_DIALECT_SAE_IR_SAEENUMS_TD

include "prism/Dialect/Sae/IR/SaeBase.td"
include "mlir/IR/EnumAttr.td"

def Sae_InitKind : I32Enum<"InitKind", "parameter initialiser", [
  I32EnumCase<"Zeros", 0, "zeros">,
  I32EnumCase<"Constant", 1, "constant">,
  I32EnumCase<"Kaiming", 2, "kaiming">,
  I32EnumCase<"Xavier", 3, "xavier">,
  I32EnumCase<"Normal", 4, "normal">,
  I32EnumCase<"Mean", 5, "mean">,
  I32EnumCase<"Median", 6, "median">
]> {
  let cppNamespace = "::prism::sae";
}

def Sae_InitKindAttr : EnumAttr<Sae_Dialect, Sae_InitKind, "init">;

def Sae_ReduceKind : I32Enum<"ReduceKind", "reduction", [
  I32EnumCase<"Sum", 0, "sum">,
  I32EnumCase<"Mean", 1, "mean">,
  I32EnumCase<"Max", 2, "max">,
  I32EnumCase<"Count", 3, "count">
]> {
  let cppNamespace = "::prism::sae";
}

def Sae_ReduceKindAttr : EnumAttr<Sae_Dialect, Sae_ReduceKind, "reduce_kind">;

#endif // PRISM_DIALECT_SAE_IR_SAEENUMS_TD
