//===- SaeVjpLosses.cpp - gradients of the losses ---------------*- C++ -*-===//
//
// buildVjp of mse, l1 and auxk. Every loss is a mean over a batch whose
// size is known only at run time, so the rules divide by sae.size of their
// operand: after sae.filter that is the number of rows of one modality.
//
//===----------------------------------------------------------------------===//

#include "VjpBuilders.h"

#include "prism/Dialect/Sae/IR/SaeOps.h"

using namespace mlir;
using namespace prism::sae;
using namespace prism::sae::vjp;

// mse(a, b) = Σ (a − b)² / N: (g · 2 (a − b) / N, −that).
SmallVector<Value> MseOp::buildVjp(OpBuilder &builder, ValueRange cotangents) {
  Location loc = getLoc();
  Value da = mseVjp(builder, loc, getLhs(), getRhs(), cotangents[0]);
  return {da, NegOp::create(builder, loc, da)};
}

// l1(z, w) = Σ |z| · w / R, R the rows (entries / n):
// (g · sign(z) · w / R, Σ_rows g · |z| / R).
SmallVector<Value> L1Op::buildVjp(OpBuilder &builder, ValueRange cotangents) {
  Location loc = getLoc();
  Value z = getInput(), weight = getWeight();
  auto type = cast<ShapedType>(z.getType());
  int64_t n = type.getShape().back();
  Value perRow =
      ShapedType::isDynamic(n)
          ? Value(SizeOp::create(builder, loc, z, int64_t{type.getRank() - 1}))
          : scalar(builder, loc, z, static_cast<double>(n));
  Value rows =
      DivOp::create(builder, loc, SizeOp::create(builder, loc, z), perRow);
  Value scale = DivOp::create(builder, loc, cotangents[0], rows);

  Value dz = MulOp::create(builder, loc, scale, sign(builder, loc, z));
  if (!weight)
    return {dz};
  Value dw = MulOp::create(builder, loc, scale, AbsOp::create(builder, loc, z));
  return {MulOp::create(builder, loc, dz, weight),
          unbroadcast(builder, loc, dw, weight.getType())};
}

bool AuxKOp::isDifferentiable() { return static_cast<bool>(getDeadMask()); }

// AuxK = mse(S @ W, r) with S = pre · M, M the top-k among the dead latents:
// pre: (dÊ @ Wᵀ) · M; W: Sᵀ @ dÊ; r (a target) and the mask: none.
// With no dead latent M = 0, so both gradients vanish with the loss.
SmallVector<Value> AuxKOp::buildVjp(OpBuilder &builder, ValueRange cotangents) {
  Location loc = getLoc();
  Value pre = getPre(), decoder = getDecoder();
  Value mask = SelectMaskOp::create(builder, loc, SelectKind::TopK, pre, getK(),
                                    getDeadMask());
  Value codes = MulOp::create(builder, loc, pre, mask);
  Value decoded = MatmulOp::create(builder, loc, codes, decoder);
  Value dDecoded = mseVjp(builder, loc, decoded, getResidual(), cotangents[0]);

  Value dPre = MulOp::create(
      builder, loc,
      MatmulOp::create(builder, loc, dDecoded,
                       TransposeOp::create(builder, loc, decoder)),
      mask);
  Value dDecoder = MatmulOp::create(
      builder, loc, TransposeOp::create(builder, loc, codes), dDecoded);
  return {Value(), dPre, dDecoder, Value()};
}
