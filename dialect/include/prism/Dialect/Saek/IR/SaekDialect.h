//===- SaekDialect.h - saek dialect -----------------------------*- C++ -*-===//
//
// Declares the saek dialect class. Include SaekOps.h for its ops.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_DIALECT_SAEK_IR_SAEKDIALECT_H
#define PRISM_DIALECT_SAEK_IR_SAEKDIALECT_H

#include "mlir/IR/Dialect.h"

#include "prism/Dialect/Saek/IR/SaekOpsDialect.h.inc"

#endif // PRISM_DIALECT_SAEK_IR_SAEKDIALECT_H
