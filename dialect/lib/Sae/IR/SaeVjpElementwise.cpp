//===- SaeVjpElementwise.cpp - gradients of elementwise ops -----*- C++ -*-===//
//
// buildVjp of the broadcasting arithmetic and the elementwise functions. A
// broadcast operand gets its cotangent summed back to its own shape.
//
//===----------------------------------------------------------------------===//

#include "VjpBuilders.h"

#include "prism/Dialect/Sae/IR/SaeOps.h"

using namespace mlir;
using namespace prism::sae;
using namespace prism::sae::vjp;

// d(a + b) = (g, g).
SmallVector<Value> AddOp::buildVjp(OpBuilder &builder, ValueRange cotangents) {
  Location loc = getLoc();
  Value g = cotangents[0];
  return {unbroadcast(builder, loc, g, getLhs().getType()),
          unbroadcast(builder, loc, g, getRhs().getType())};
}

// d(a − b) = (g, −g).
SmallVector<Value> SubOp::buildVjp(OpBuilder &builder, ValueRange cotangents) {
  Location loc = getLoc();
  Value g = cotangents[0];
  return {unbroadcast(builder, loc, g, getLhs().getType()),
          NegOp::create(builder, loc,
                        unbroadcast(builder, loc, g, getRhs().getType()))};
}

// d(a · b) = (g · b, g · a).
SmallVector<Value> MulOp::buildVjp(OpBuilder &builder, ValueRange cotangents) {
  Location loc = getLoc();
  Value g = cotangents[0];
  return {unbroadcast(builder, loc, mul(builder, loc, g, getRhs()),
                      getLhs().getType()),
          unbroadcast(builder, loc, mul(builder, loc, g, getLhs()),
                      getRhs().getType())};
}

// d(a / b) = (g / b, −g · (a / b) / b).
SmallVector<Value> DivOp::buildVjp(OpBuilder &builder, ValueRange cotangents) {
  Location loc = getLoc();
  Value g = cotangents[0];
  Value quotient = mul(builder, loc, g, getResult());
  return {
      unbroadcast(builder, loc, DivOp::create(builder, loc, g, getRhs()),
                  getLhs().getType()),
      NegOp::create(builder, loc,
                    unbroadcast(builder, loc,
                                DivOp::create(builder, loc, quotient, getRhs()),
                                getRhs().getType()))};
}

// d max(a, b) = (g · [a >= b], g · [a < b]): ties go to a.
SmallVector<Value> MaximumOp::buildVjp(OpBuilder &builder,
                                       ValueRange cotangents) {
  Location loc = getLoc();
  Value g = cotangents[0];
  Value lhsWins =
      CmpOp::create(builder, loc, CmpPredicate::GE, getLhs(), getRhs());
  Value rhsWins =
      CmpOp::create(builder, loc, CmpPredicate::LT, getLhs(), getRhs());
  return {unbroadcast(builder, loc, mul(builder, loc, g, lhsWins),
                      getLhs().getType()),
          unbroadcast(builder, loc, mul(builder, loc, g, rhsWins),
                      getRhs().getType())};
}

// d(a ^ b) = (g · b · a^(b − 1), g · a^b · log a).
SmallVector<Value> PowOp::buildVjp(OpBuilder &builder, ValueRange cotangents) {
  Location loc = getLoc();
  Value g = cotangents[0];
  Value a = getLhs(), b = getRhs();
  Value lower =
      PowOp::create(builder, loc, a,
                    SubOp::create(builder, loc, b, scalar(builder, loc, b, 1)));
  Value da = MulOp::create(builder, loc, mul(builder, loc, g, b), lower);
  Value db = MulOp::create(builder, loc, mul(builder, loc, g, getResult()),
                           LogOp::create(builder, loc, a));
  return {unbroadcast(builder, loc, da, a.getType()),
          unbroadcast(builder, loc, db, b.getType())};
}

// d(−x) = −g.
SmallVector<Value> NegOp::buildVjp(OpBuilder &builder, ValueRange cotangents) {
  return {NegOp::create(builder, getLoc(), cotangents[0])};
}

// d|x| = g · sign(x), with sign(0) = 0.
SmallVector<Value> AbsOp::buildVjp(OpBuilder &builder, ValueRange cotangents) {
  Location loc = getLoc();
  return {mul(builder, loc, cotangents[0], sign(builder, loc, getInput()))};
}

// d sqrt(x) = g / (2 sqrt(x)).
SmallVector<Value> SqrtOp::buildVjp(OpBuilder &builder, ValueRange cotangents) {
  Location loc = getLoc();
  Value twice = AddOp::create(builder, loc, getResult(), getResult());
  return {DivOp::create(builder, loc, cotangents[0], twice)};
}

// d e^x = g · e^x.
SmallVector<Value> ExpOp::buildVjp(OpBuilder &builder, ValueRange cotangents) {
  return {mul(builder, getLoc(), cotangents[0], getResult())};
}

// d log x = g / x.
SmallVector<Value> LogOp::buildVjp(OpBuilder &builder, ValueRange cotangents) {
  return {DivOp::create(builder, getLoc(), cotangents[0], getInput())};
}

// d relu(x) = g · [x > 0].
SmallVector<Value> ReluOp::buildVjp(OpBuilder &builder, ValueRange cotangents) {
  Location loc = getLoc();
  Value active = CmpOp::create(builder, loc, CmpPredicate::GT, getInput(),
                               scalar(builder, loc, getInput(), 0.0));
  return {mul(builder, loc, cotangents[0], active)};
}
