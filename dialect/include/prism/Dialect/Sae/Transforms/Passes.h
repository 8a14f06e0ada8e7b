//===- Passes.h - sae training passes ---------------------------*- C++ -*-===//
//
// Declares -sae-outline-entry-points, -sae-autodiff and -sae-optimizer and
// their registration.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_DIALECT_SAE_TRANSFORMS_PASSES_H
#define PRISM_DIALECT_SAE_TRANSFORMS_PASSES_H

#include "prism/Dialect/Sae/IR/SaeDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace prism::sae {

#define GEN_PASS_DECL
#include "prism/Dialect/Sae/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "prism/Dialect/Sae/Transforms/Passes.h.inc"

} // namespace prism::sae

#endif // PRISM_DIALECT_SAE_TRANSFORMS_PASSES_H
