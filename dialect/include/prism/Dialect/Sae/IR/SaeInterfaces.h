//===- SaeInterfaces.h - sae op interfaces ----------------------*- C++ -*-===//
//
// Declares SaeDifferentiableOpInterface, the gradient rule of a compute op.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_DIALECT_SAE_IR_SAEINTERFACES_H
#define PRISM_DIALECT_SAE_IR_SAEINTERFACES_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpDefinition.h"
#include "llvm/ADT/SmallVector.h"

#include "prism/Dialect/Sae/IR/SaeInterfaces.h.inc"

#endif // PRISM_DIALECT_SAE_IR_SAEINTERFACES_H
