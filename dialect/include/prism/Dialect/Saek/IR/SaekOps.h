//===- SaekOps.h - saek kernel ops ------------------------------*- C++ -*-===//
//
// Declares the saek enums, attributes and ops.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_DIALECT_SAEK_IR_SAEKOPS_H
#define PRISM_DIALECT_SAEK_IR_SAEKOPS_H

#include "prism/Dialect/Saek/IR/SaekDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "prism/Dialect/Saek/IR/SaekEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "prism/Dialect/Saek/IR/SaekAttrs.h.inc"

#define GET_OP_CLASSES
#include "prism/Dialect/Saek/IR/SaekOps.h.inc"

#endif // PRISM_DIALECT_SAEK_IR_SAEKOPS_H
