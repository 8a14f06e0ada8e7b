//===- ReverseMode.h - reverse-mode differentiation of a block --*- C++ -*-===//
//
// The core of -sae-autodiff: walks the ops of one block backwards from a
// loss and asks each for its vector-Jacobian product through
// SaeDifferentiableOpInterface.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_DIALECT_SAE_TRANSFORMS_REVERSEMODE_H
#define PRISM_DIALECT_SAE_TRANSFORMS_REVERSEMODE_H

#include "mlir/IR/Block.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"

namespace prism::sae {

/// Builds, at the end of `block` (before its terminator), the gradient of
/// the rank-0 `loss` with respect to each value of `wrt`, and returns them
/// in order: null where the loss does not depend on that value. Only ops on
/// a path from `wrt` to `loss` are differentiated; one without a gradient
/// rule there is an error naming it.
mlir::FailureOr<llvm::SmallVector<mlir::Value>>
buildGradients(mlir::Block &block, mlir::Value loss,
               llvm::ArrayRef<mlir::Value> wrt);

} // namespace prism::sae

#endif // PRISM_DIALECT_SAE_TRANSFORMS_REVERSEMODE_H
