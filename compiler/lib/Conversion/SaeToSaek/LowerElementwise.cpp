//===- LowerElementwise.cpp - elementwise sae ops to linalg.generic -------===//
//
// Each elementwise sae op becomes one all-parallel linalg.generic whose
// indexing maps do numpy broadcasting; elementwise fusion later merges the
// chains into single kernels.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilders.h"
#include "Lowerings.h"

#include "prism/Dialect/Sae/IR/SaeOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace prism::conversion;
namespace sae = prism::sae;

namespace {

/// Lowers `OpTy` to an elementwise kernel over its operands whose scalar
/// body `Derived::scalar` builds.
template <typename OpTy, typename Derived>
struct ElementwiseLowering : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    Value batch = batchSize(rewriter, op);
    Value result = buildElementwise(
        rewriter, op.getLoc(), type, Derived::operands(op), batch,
        [&](OpBuilder &b, Location loc, ValueRange args) {
          return Derived::scalar(op, b, loc, args);
        });
    rewriter.replaceOp(op, result);
    return success();
  }

  static ValueRange operands(OpTy op) { return op->getOperands(); }
};

#define PRISM_ELEMENTWISE(NAME, OP, EXPR)                                      \
  struct NAME : ElementwiseLowering<OP, NAME> {                                \
    using ElementwiseLowering::ElementwiseLowering;                            \
    static Value scalar(OP op, OpBuilder &b, Location loc, ValueRange args) {  \
      (void)op;                                                                \
      Type element = args[0].getType();                                        \
      (void)element;                                                           \
      return EXPR;                                                             \
    }                                                                          \
  };

PRISM_ELEMENTWISE(LowerAdd, sae::AddOp,
                  arith::AddFOp::create(b, loc, args[0], args[1]))
PRISM_ELEMENTWISE(LowerSub, sae::SubOp,
                  arith::SubFOp::create(b, loc, args[0], args[1]))
PRISM_ELEMENTWISE(LowerMul, sae::MulOp,
                  arith::MulFOp::create(b, loc, args[0], args[1]))
PRISM_ELEMENTWISE(LowerDiv, sae::DivOp,
                  arith::DivFOp::create(b, loc, args[0], args[1]))
PRISM_ELEMENTWISE(LowerMaximum, sae::MaximumOp,
                  arith::MaximumFOp::create(b, loc, args[0], args[1]))
PRISM_ELEMENTWISE(LowerPow, sae::PowOp,
                  math::PowFOp::create(b, loc, args[0], args[1]))
PRISM_ELEMENTWISE(LowerNeg, sae::NegOp, arith::NegFOp::create(b, loc, args[0]))
PRISM_ELEMENTWISE(LowerAbs, sae::AbsOp, math::AbsFOp::create(b, loc, args[0]))
PRISM_ELEMENTWISE(LowerSqrt, sae::SqrtOp, math::SqrtOp::create(b, loc, args[0]))
PRISM_ELEMENTWISE(LowerExp, sae::ExpOp, math::ExpOp::create(b, loc, args[0]))
PRISM_ELEMENTWISE(LowerLog, sae::LogOp, math::LogOp::create(b, loc, args[0]))
PRISM_ELEMENTWISE(LowerRelu, sae::ReluOp,
                  arith::MaximumFOp::create(b, loc, args[0],
                                            floatConstant(b, loc, element,
                                                          0.0)))
// Where the divisor is zero the result is zero, whatever the dividend.
PRISM_ELEMENTWISE(
    LowerDivNoNan, sae::DivNoNanOp,
    arith::SelectOp::create(
        b, loc,
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, args[1],
                              floatConstant(b, loc, element, 0.0)),
        floatConstant(b, loc, element, 0.0),
        arith::DivFOp::create(b, loc, args[0], args[1])))
// x · H(x − θ) and H(x − θ): the forward values; their pseudo-gradients
// were expanded by the autodiff.
PRISM_ELEMENTWISE(LowerJumpRelu, sae::JumpReluOp,
                  arith::SelectOp::create(
                      b, loc,
                      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT,
                                            args[0], args[1]),
                      args[0], floatConstant(b, loc, element, 0.0)))
PRISM_ELEMENTWISE(LowerStep, sae::StepOp,
                  boolToFloat(b, loc,
                              arith::CmpFOp::create(b, loc,
                                                    arith::CmpFPredicate::OGT,
                                                    args[0], args[1]),
                              element))
#undef PRISM_ELEMENTWISE

struct LowerCmp : ElementwiseLowering<sae::CmpOp, LowerCmp> {
  using ElementwiseLowering::ElementwiseLowering;
  static Value scalar(sae::CmpOp op, OpBuilder &b, Location loc,
                      ValueRange args) {
    arith::CmpFPredicate predicate;
    switch (op.getPredicate()) {
    case sae::CmpPredicate::GT:
      predicate = arith::CmpFPredicate::OGT;
      break;
    case sae::CmpPredicate::LT:
      predicate = arith::CmpFPredicate::OLT;
      break;
    case sae::CmpPredicate::GE:
      predicate = arith::CmpFPredicate::OGE;
      break;
    case sae::CmpPredicate::LE:
      predicate = arith::CmpFPredicate::OLE;
      break;
    case sae::CmpPredicate::EQ:
      predicate = arith::CmpFPredicate::OEQ;
      break;
    case sae::CmpPredicate::NE:
      predicate = arith::CmpFPredicate::UNE;
      break;
    }
    Value holds = arith::CmpFOp::create(b, loc, predicate, args[0], args[1]);
    return boolToFloat(b, loc, holds, args[0].getType());
  }
};

/// `sae.broadcast` with an axis repeats along it; without, numpy rules.
struct LowerBroadcast : OpRewritePattern<sae::BroadcastOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(sae::BroadcastOp op,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    MLIRContext *context = rewriter.getContext();
    AffineMap map;
    if (std::optional<int64_t> axis = op.getAxis()) {
      SmallVector<AffineExpr> reads;
      for (int64_t i = 0; i < type.getRank(); ++i)
        if (i != *axis)
          reads.push_back(getAffineDimExpr(i, context));
      map = AffineMap::get(type.getRank(), 0, reads, context);
    } else {
      map = broadcastMap(context, inputType.getShape(), type.getShape());
    }
    Value result = buildMapped(
        rewriter, op.getLoc(), type, ValueRange{op.getInput()}, {map},
        batchSize(rewriter, op),
        [](OpBuilder &, Location, ValueRange args) { return args[0]; });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void prism::conversion::populateElementwiseLowerings(
    RewritePatternSet &patterns) {
  patterns
      .add<LowerAdd, LowerSub, LowerMul, LowerDiv, LowerMaximum, LowerPow,
           LowerNeg, LowerAbs, LowerSqrt, LowerExp, LowerLog, LowerRelu,
           LowerDivNoNan, LowerJumpRelu, LowerStep, LowerCmp, LowerBroadcast>(
          patterns.getContext());
}
