//===- SaeDialect.h - sae dialect -------------------------------*- C++ -*-===//
//
// Declares the sae dialect class. Include SaeOps.h for its ops and
// attributes.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_DIALECT_SAE_IR_SAEDIALECT_H
#define PRISM_DIALECT_SAE_IR_SAEDIALECT_H

#include "mlir/IR/Dialect.h"

#include "prism/Dialect/Sae/IR/SaeOpsDialect.h.inc"

#endif // PRISM_DIALECT_SAE_IR_SAEDIALECT_H
