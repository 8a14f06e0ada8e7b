//===- SaeVjpActivations.cpp - gradients of sparse activations --*- C++ -*-===//
//
// buildVjp of the sparse selections and the thresholded activations. A
// selection passes the cotangent through the entries it kept, by its exact
// mask (sae.select_mask), not by `z != 0`, so kept zeros and ties agree with
// the forward pass. JumpReLU's threshold learns through the rectangle-kernel
// pseudo-derivatives of Rajamanoharan et al. 2024 (arXiv 2407.14435, eq. 11
// and 12, and their reference code):
//
//   ∂/∂θ JumpReLU(x; θ) := −(θ/ε) K((x − θ)/ε),   ∂/∂x JumpReLU := H(x − θ)
//   ∂/∂θ H(x − θ)       := −(1/ε) K((x − θ)/ε),   ∂/∂x H(x − θ) := 0
//
// with K(u) = 1 for |u| < 1/2 and 0 elsewhere. The step passes nothing to x
// (the paper: "we don't apply STE to the x input"), so an L0 penalty trains
// only the thresholds; the encoder learns through the reconstruction.
//
//===----------------------------------------------------------------------===//

#include "VjpBuilders.h"

#include "prism/Dialect/Sae/IR/SaeOps.h"

using namespace mlir;
using namespace prism::sae;
using namespace prism::sae::vjp;

/// The cotangent masked to the entries `kind` keeps of `input`.
static Value maskedBySelection(OpBuilder &builder, Location loc, Value g,
                               SelectKind kind, Value input, int64_t k) {
  Value mask = SelectMaskOp::create(builder, loc, kind, input, k);
  return mul(builder, loc, g, mask);
}

// d topk(x) = g · [entry kept].
SmallVector<Value> TopKOp::buildVjp(OpBuilder &builder, ValueRange cotangents) {
  return {maskedBySelection(builder, getLoc(), cotangents[0], SelectKind::TopK,
                            getInput(), getK())};
}

// d topk_abs(x) = g · [entry kept].
SmallVector<Value> TopKAbsOp::buildVjp(OpBuilder &builder,
                                       ValueRange cotangents) {
  return {maskedBySelection(builder, getLoc(), cotangents[0],
                            SelectKind::TopKAbs, getInput(), getK())};
}

// d batchtopk(x) = g · [entry kept by the batch-level selection].
SmallVector<Value> BatchTopKOp::buildVjp(OpBuilder &builder,
                                         ValueRange cotangents) {
  return {maskedBySelection(builder, getLoc(), cotangents[0],
                            SelectKind::BatchTopK, getInput(), getK())};
}

/// K((x − θ)/ε) for the rectangle kernel K = 1 on |u| < 1/2, `[batch, n]`.
static Value rectangle(OpBuilder &builder, Location loc, Value x, Value theta,
                       double bandwidth) {
  Value u = DivOp::create(builder, loc, SubOp::create(builder, loc, x, theta),
                          scalar(builder, loc, x, bandwidth));
  return CmpOp::create(builder, loc, CmpPredicate::LT,
                       AbsOp::create(builder, loc, u),
                       scalar(builder, loc, x, 0.5));
}

// x: g · H(x − θ); θ: −(θ/ε) Σ_batch K((x − θ)/ε) · g.
SmallVector<Value> JumpReluOp::buildVjp(OpBuilder &builder,
                                        ValueRange cotangents) {
  Location loc = getLoc();
  Value g = cotangents[0], x = getInput(), theta = getThreshold();
  double epsilon = getBandwidth().convertToDouble();

  Value open = CmpOp::create(builder, loc, CmpPredicate::GT, x, theta);
  Value dx = mul(builder, loc, g, open);

  Value kernel = rectangle(builder, loc, x, theta, epsilon);
  Value perLatent =
      unbroadcast(builder, loc, mul(builder, loc, g, kernel), theta.getType());
  Value scale =
      DivOp::create(builder, loc, theta, scalar(builder, loc, theta, epsilon));
  Value dtheta = NegOp::create(builder, loc,
                               MulOp::create(builder, loc, scale, perLatent));
  return {dx, dtheta};
}

// x: none; θ: −(1/ε) Σ_batch K((x − θ)/ε) · g.
SmallVector<Value> StepOp::buildVjp(OpBuilder &builder, ValueRange cotangents) {
  Location loc = getLoc();
  Value g = cotangents[0], x = getInput(), theta = getThreshold();
  double epsilon = getBandwidth().convertToDouble();

  Value kernel = rectangle(builder, loc, x, theta, epsilon);
  Value perLatent =
      unbroadcast(builder, loc, mul(builder, loc, g, kernel), theta.getType());
  Value dtheta =
      NegOp::create(builder, loc,
                    DivOp::create(builder, loc, perLatent,
                                  scalar(builder, loc, theta, epsilon)));
  return {Value(), dtheta};
}
