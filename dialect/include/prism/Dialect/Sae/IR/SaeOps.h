//===- SaeOps.h - sae dialect ops and attributes ----------------*- C++ -*-===//
//
// Declares the sae enums, the attributes wrapping them, and the ops. The
// shape helpers the verifiers and builders share are in SaeShapes.h.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_DIALECT_SAE_IR_SAEOPS_H
#define PRISM_DIALECT_SAE_IR_SAEOPS_H

#include "prism/Dialect/Sae/IR/SaeDialect.h"
#include "prism/Dialect/Sae/IR/SaeInterfaces.h"
#include "prism/Dialect/Sae/IR/SaeShapes.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "prism/Dialect/Sae/IR/SaeEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "prism/Dialect/Sae/IR/SaeAttrs.h.inc"

#define GET_OP_CLASSES
#include "prism/Dialect/Sae/IR/SaeOps.h.inc"

#endif // PRISM_DIALECT_SAE_IR_SAEOPS_H
