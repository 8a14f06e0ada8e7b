//===- SaeVjpLinalg.cpp - gradients of linear algebra ops -------*- C++ -*-===//
//
// buildVjp of matmul, transpose, the reductions, normalize and the
// row-by-row geometry ops. Where a derivative divides by a norm or a
// distance that is zero, it is taken as 0 (sae.div_no_nan), matching
// sae.normalize, which leaves a zero slice at zero.
//
//===----------------------------------------------------------------------===//

#include "VjpBuilders.h"

#include "prism/Dialect/Sae/IR/SaeOps.h"

using namespace mlir;
using namespace prism::sae;
using namespace prism::sae::vjp;

static std::optional<int64_t> axisOf(std::optional<uint64_t> axis) {
  if (!axis)
    return std::nullopt;
  return static_cast<int64_t>(*axis);
}

// d(A @ B) = (G @ Bᵀ, Aᵀ @ G).
SmallVector<Value> MatmulOp::buildVjp(OpBuilder &builder,
                                      ValueRange cotangents) {
  Location loc = getLoc();
  Value g = cotangents[0];
  Value rhsT = TransposeOp::create(builder, loc, getRhs());
  Value lhsT = TransposeOp::create(builder, loc, getLhs());
  return {MatmulOp::create(builder, loc, g, rhsT),
          MatmulOp::create(builder, loc, lhsT, g)};
}

// d Aᵀ = Gᵀ.
SmallVector<Value> TransposeOp::buildVjp(OpBuilder &builder,
                                         ValueRange cotangents) {
  return {TransposeOp::create(builder, getLoc(), cotangents[0])};
}

bool ReduceOp::isDifferentiable() {
  return getKind() != ReduceKind::Count && getKind() != ReduceKind::MinPositive;
}

// sum: g repeated; mean: g / size repeated; max: g shared by the maximal
// entries (ties split evenly); norm: g · x / ‖x‖ (0 for a zero slice).
SmallVector<Value> ReduceOp::buildVjp(OpBuilder &builder,
                                      ValueRange cotangents) {
  Location loc = getLoc();
  Value g = cotangents[0], x = getInput();
  std::optional<int64_t> axis = axisOf(getAxis());
  switch (getKind()) {
  case ReduceKind::Sum:
    return {broadcastLike(builder, loc, g, x, axis)};
  case ReduceKind::Mean: {
    Value count = SizeOp::create(builder, loc, x, axis);
    return {broadcastLike(builder, loc, DivOp::create(builder, loc, g, count),
                          x, axis)};
  }
  case ReduceKind::Max: {
    Value max = broadcastLike(builder, loc, getResult(), x, axis);
    Value maximal = CmpOp::create(builder, loc, CmpPredicate::EQ, x, max);
    Value ties = ReduceOp::create(builder, loc, ReduceKind::Sum, maximal, axis);
    Value share = DivOp::create(builder, loc, g, ties);
    return {MulOp::create(
        builder, loc, broadcastLike(builder, loc, share, x, axis), maximal)};
  }
  case ReduceKind::Norm:
    return {MulOp::create(builder, loc, broadcastLike(builder, loc, g, x, axis),
                          NormalizeOp::create(builder, loc, x, axis))};
  case ReduceKind::Count:
  case ReduceKind::MinPositive:
    break;
  }
  llvm_unreachable(
      "count and min_positive have no gradient (isDifferentiable is false)");
}

// d normalize(x) = (g − u ⟨g, u⟩) / ‖x‖ along the axis, u = x / ‖x‖.
SmallVector<Value> NormalizeOp::buildVjp(OpBuilder &builder,
                                         ValueRange cotangents) {
  return {normalizeVjp(builder, getLoc(), getInput(), getResult(),
                       cotangents[0], axisOf(getAxis()))};
}

// cos(A, B) = Â B̂ᵀ with row-normalised Â, B̂: (G B̂, Gᵀ Â) through normalize.
SmallVector<Value> CosOp::buildVjp(OpBuilder &builder, ValueRange cotangents) {
  Location loc = getLoc();
  Value g = cotangents[0], a = getLhs(), b = getRhs();
  Value aHat = NormalizeOp::create(builder, loc, a, int64_t{1});
  Value bHat = NormalizeOp::create(builder, loc, b, int64_t{1});
  Value dAHat = MatmulOp::create(builder, loc, g, bHat);
  Value dBHat = MatmulOp::create(builder, loc,
                                 TransposeOp::create(builder, loc, g), aHat);
  return {normalizeVjp(builder, loc, a, aHat, dAHat, 1),
          normalizeVjp(builder, loc, b, bHat, dBHat, 1)};
}

// D_ij = ‖aᵢ − bⱼ‖, H = G / D (0 where D = 0):
// dA = rowsum(H) · A − H B, dB = colsum(H) · B − Hᵀ A.
SmallVector<Value> DistOp::buildVjp(OpBuilder &builder, ValueRange cotangents) {
  Location loc = getLoc();
  Value a = getLhs(), b = getRhs();
  Value h = DivNoNanOp::create(builder, loc, cotangents[0], getResult());

  Value rows = ReduceOp::create(builder, loc, ReduceKind::Sum, h, int64_t{1});
  Value da = SubOp::create(
      builder, loc,
      MulOp::create(builder, loc, broadcastLike(builder, loc, rows, a, 1), a),
      MatmulOp::create(builder, loc, h, b));

  Value cols = ReduceOp::create(builder, loc, ReduceKind::Sum, h, int64_t{0});
  Value db = SubOp::create(
      builder, loc,
      MulOp::create(builder, loc, broadcastLike(builder, loc, cols, b, 1), b),
      MatmulOp::create(builder, loc, TransposeOp::create(builder, loc, h), a));
  return {da, db};
}
