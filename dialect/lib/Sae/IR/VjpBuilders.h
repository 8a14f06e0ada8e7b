//===- VjpBuilders.h - pieces shared by the gradient rules ------*- C++ -*-===//
//
// Small builders the buildVjp methods of the sae ops share: constants,
// undoing and redoing broadcasts, and the rules several ops reuse (the
// gradient of sae.normalize, of a mean squared error). Private to the
// dialect library.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_DIALECT_SAE_IR_VJPBUILDERS_H
#define PRISM_DIALECT_SAE_IR_VJPBUILDERS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"

#include <cstdint>
#include <optional>

namespace prism::sae::vjp {

/// A rank-0 `arith.constant` holding `number` in `like`'s element type.
mlir::Value scalar(mlir::OpBuilder &builder, mlir::Location loc,
                   mlir::Value like, double number);

/// `lhs * rhs` with broadcasting; just `rhs` when `lhs` is a constant 1 that
/// leaves `rhs`'s type unchanged (the cotangent seed of the loss).
mlir::Value mul(mlir::OpBuilder &builder, mlir::Location loc, mlir::Value lhs,
                mlir::Value rhs);

/// `cotangent` summed back to `type` over the axes a broadcast added or
/// stretched (sae.unbroadcast); `cotangent` itself when it has that type.
mlir::Value unbroadcast(mlir::OpBuilder &builder, mlir::Location loc,
                        mlir::Value cotangent, mlir::Type type);

/// `value` repeated along `axis` to `like`'s shape, or broadcast to it when
/// there is no axis: the adjoint of a reduction.
mlir::Value broadcastLike(mlir::OpBuilder &builder, mlir::Location loc,
                          mlir::Value value, mlir::Value like,
                          std::optional<int64_t> axis);

/// sign(x) as [x > 0] − [x < 0], so sign(0) = 0.
mlir::Value sign(mlir::OpBuilder &builder, mlir::Location loc, mlir::Value x);

/// The cotangent of `x` through `u = normalize(x, axis)`, given `g` for `u`:
/// (g − u ⟨g, u⟩) / ‖x‖ along `axis`, and 0 where ‖x‖ = 0.
mlir::Value normalizeVjp(mlir::OpBuilder &builder, mlir::Location loc,
                         mlir::Value x, mlir::Value u, mlir::Value g,
                         std::optional<int64_t> axis);

/// The cotangent of `a` through `mse(a, b)` given the rank-0 `g`:
/// g · 2 (a − b) / numel(a). That of `b` is its negation.
mlir::Value mseVjp(mlir::OpBuilder &builder, mlir::Location loc, mlir::Value a,
                   mlir::Value b, mlir::Value g);

} // namespace prism::sae::vjp

#endif // PRISM_DIALECT_SAE_IR_VJPBUILDERS_H
