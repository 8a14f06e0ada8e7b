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
  I32EnumCase<"Median", 6, "median">,
  I32EnumCase<"Transpose", 7, "transpose">,
  I32EnumCase<"Copy", 8, "copy">
]> {
  let cppNamespace = "::prism::sae";
}

def Sae_InitKindAttr : EnumAttr<Sae_Dialect, Sae_InitKind, "init">;

def Sae_Constraint : I32Enum<"Constraint", "parameter constraint", [
  I32EnumCase<"UnitRows", 0, "unit_rows">,
  I32EnumCase<"UnitCols", 1, "unit_cols">
]> {
  let cppNamespace = "::prism::sae";
}

def Sae_ConstraintAttr : EnumAttr<Sae_Dialect, Sae_Constraint, "constraint">;

def Sae_ReduceKind : I32Enum<"ReduceKind", "reduction", [
  I32EnumCase<"Sum", 0, "sum">,
  I32EnumCase<"Mean", 1, "mean">,
  I32EnumCase<"Max", 2, "max">,
  I32EnumCase<"Count", 3, "count">,
  I32EnumCase<"Norm", 4, "norm">,
  I32EnumCase<"MinPositive", 5, "min_positive">
]> {
  let cppNamespace = "::prism::sae";
}

def Sae_ReduceKindAttr : EnumAttr<Sae_Dialect, Sae_ReduceKind, "reduce_kind">;

def Sae_CmpPredicate : I32Enum<"CmpPredicate", "comparison predicate", [
  I32EnumCase<"GT", 0, "gt">,
  I32EnumCase<"LT", 1, "lt">,
  I32EnumCase<"GE", 2, "ge">,
  I32EnumCase<"LE", 3, "le">,
  I32EnumCase<"EQ", 4, "eq">,
  I32EnumCase<"NE", 5, "ne">
]> {
  let cppNamespace = "::prism::sae";
}

def Sae_CmpPredicateAttr : EnumAttr<Sae_Dialect, Sae_CmpPredicate, "cmp">;

// The sparse selections whose 0/1 mask `sae.select_mask` gives.
def Sae_SelectKind : I32Enum<"SelectKind", "sparse selection", [
  I32EnumCase<"TopK", 0, "topk">,
  I32EnumCase<"TopKAbs", 1, "topk_abs">,
  I32EnumCase<"BatchTopK", 2, "batchtopk">
]> {
  let cppNamespace = "::prism::sae";
}

def Sae_SelectKindAttr : EnumAttr<Sae_Dialect, Sae_SelectKind, "select_kind">;

// The modality of an embedding row: an image, or a text (a caption).
def Sae_Modality : I32Enum<"Modality", "modality", [
  I32EnumCase<"Image", 0, "image">,
  I32EnumCase<"Text", 1, "text">
]> {
  let cppNamespace = "::prism::sae";
}

def Sae_ModalityAttr : EnumAttr<Sae_Dialect, Sae_Modality, "modality">;

// What one step of a metrics block sees: single rows, or aligned
// image-text pairs.
def Sae_MetricsDomain : I32Enum<"MetricsDomain", "metrics domain", [
  I32EnumCase<"Rows", 0, "rows">,
  I32EnumCase<"Pairs", 1, "pairs">
]> {
  let cppNamespace = "::prism::sae";
}

def Sae_MetricsDomainAttr
    : EnumAttr<Sae_Dialect, Sae_MetricsDomain, "metrics_domain">;

#endif // PRISM_DIALECT_SAE_IR_SAEENUMS_TD
