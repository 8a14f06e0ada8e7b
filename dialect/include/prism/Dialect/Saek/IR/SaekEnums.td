//===- SaekEnums.td - saek enum attributes -----------------*- tablegen -*-===//

#ifndef PRISM_DIALECT_SAEK_IR_SAEKENUMS_TD
#define PRISM_DIALECT_SAEK_IR_SAEKENUMS_TD

include "prism/Dialect/Saek/IR/SaekBase.td"
include "mlir/IR/EnumAttr.td"

def Saek_Epilogue : I32EnumAttr<"Epilogue", "what a GEMM applies to its result", [
  I32EnumAttrCase<"None", 0, "none">,
  I32EnumAttrCase<"Bias", 1, "bias">,
  I32EnumAttrCase<"BiasRelu", 2, "bias_relu">
]> {
  let cppNamespace = "::prism::saek";
  let genSpecializedAttr = 0;
}
def Saek_EpilogueAttr : EnumAttr<Saek_Dialect, Saek_Epilogue, "epilogue">;

#endif // PRISM_DIALECT_SAEK_IR_SAEKENUMS_TD
