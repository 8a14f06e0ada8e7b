//===- VjpBuilders.cpp - pieces shared by the gradient rules ----*- C++ -*-===//

#include "VjpBuilders.h"

#include "prism/Dialect/Sae/IR/SaeOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;

namespace prism::sae::vjp {

Value scalar(OpBuilder &builder, Location loc, Value like, double number) {
  auto element = cast<FloatType>(getElementTypeOrSelf(like.getType()));
  auto type = RankedTensorType::get({}, element);
  auto value = DenseElementsAttr::get(type, FloatAttr::get(element, number));
  return arith::ConstantOp::create(builder, loc, type, value);
}

/// Whether `value` is a constant with every entry equal to 1.
static bool isOne(Value value) {
  DenseFPElementsAttr constant;
  return matchPattern(value, m_Constant(&constant)) && constant.isSplat() &&
         constant.getSplatValue<APFloat>().isExactlyValue(1.0);
}

Value mul(OpBuilder &builder, Location loc, Value lhs, Value rhs) {
  auto product = MulOp::create(builder, loc, lhs, rhs);
  if (isOne(lhs) && product.getType() == rhs.getType()) {
    product.erase();
    return rhs;
  }
  return product;
}

Value unbroadcast(OpBuilder &builder, Location loc, Value cotangent,
                  Type type) {
  if (cotangent.getType() == type)
    return cotangent;
  return UnbroadcastOp::create(builder, loc, type, cotangent);
}

Value broadcastLike(OpBuilder &builder, Location loc, Value value, Value like,
                    std::optional<int64_t> axis) {
  if (!axis && value.getType() == like.getType())
    return value;
  return BroadcastOp::create(builder, loc, value, like, axis);
}

Value sign(OpBuilder &builder, Location loc, Value x) {
  Value zero = scalar(builder, loc, x, 0.0);
  Value positive = CmpOp::create(builder, loc, CmpPredicate::GT, x, zero);
  Value negative = CmpOp::create(builder, loc, CmpPredicate::LT, x, zero);
  return SubOp::create(builder, loc, positive, negative);
}

Value normalizeVjp(OpBuilder &builder, Location loc, Value x, Value u, Value g,
                   std::optional<int64_t> axis) {
  Value dot = ReduceOp::create(builder, loc, ReduceKind::Sum,
                               MulOp::create(builder, loc, g, u), axis);
  Value parallel =
      MulOp::create(builder, loc, u, broadcastLike(builder, loc, dot, x, axis));
  Value tangent = SubOp::create(builder, loc, g, parallel);
  Value norm = ReduceOp::create(builder, loc, ReduceKind::Norm, x, axis);
  return DivNoNanOp::create(builder, loc, tangent,
                            broadcastLike(builder, loc, norm, x, axis));
}

Value mseVjp(OpBuilder &builder, Location loc, Value a, Value b, Value g) {
  Value count = SizeOp::create(builder, loc, a);
  Value scale =
      DivOp::create(builder, loc, scalar(builder, loc, a, 2.0), count);
  return MulOp::create(builder, loc, mul(builder, loc, g, scale),
                       SubOp::create(builder, loc, a, b));
}

} // namespace prism::sae::vjp
