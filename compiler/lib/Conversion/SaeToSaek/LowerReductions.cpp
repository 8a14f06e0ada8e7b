//===- LowerReductions.cpp - reducing sae ops to linalg.generic -----------===//
//
// Reductions, the losses, sizes and unbroadcasts become linalg.generic
// reductions; a mean is a sum times the reciprocal of a size, so that the
// dynamic batch is counted at run time.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilders.h"
#include "Lowerings.h"

#include "prism/Dialect/Sae/IR/SaeOps.h"
#include "prism/Dialect/Saek/IR/SaekOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <limits>

using namespace mlir;
using namespace prism::conversion;
namespace sae = prism::sae;

namespace {

/// The map from an input's loops to the result of reducing `axis` away
/// (or every axis).
AffineMap reducedMap(MLIRContext *context, unsigned rank,
                     std::optional<int64_t> axis) {
  SmallVector<AffineExpr> kept;
  if (axis)
    for (unsigned i = 0; i < rank; ++i)
      if (i != *axis)
        kept.push_back(getAffineDimExpr(i, context));
  return AffineMap::get(rank, 0, kept, context);
}

/// `lhs / rhs` where `rhs` is a rank-0 tensor (or of `lhs`'s shape).
Value divide(OpBuilder &builder, Location loc, Value lhs, Value rhs,
             Value batch) {
  return buildElementwise(
      builder, loc, cast<RankedTensorType>(lhs.getType()), {lhs, rhs}, batch,
      [](OpBuilder &b, Location l, ValueRange args) -> Value {
        return arith::DivFOp::create(b, l, args[0], args[1]);
      });
}

Value sumOf(OpBuilder &builder, Location loc, ValueRange inputs,
            RankedTensorType resultType, AffineMap map, Value batch,
            function_ref<Value(OpBuilder &, Location, ValueRange)> term) {
  return buildReduction(
      builder, loc, inputs, resultType, map, batch, 0.0,
      [&](OpBuilder &b, Location l, ValueRange args) {
        Value value = term(b, l, args.drop_back());
        return arith::AddFOp::create(b, l, args.back(), value).getResult();
      });
}

Value sumOfSquares(OpBuilder &builder, Location loc, Value input,
                   RankedTensorType resultType, AffineMap map, Value batch) {
  return sumOf(
      builder, loc, input, resultType, map, batch,
      [](OpBuilder &b, Location l, ValueRange args) {
        return arith::MulFOp::create(b, l, args[0], args[0]).getResult();
      });
}

struct LowerReduce : OpRewritePattern<sae::ReduceOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(sae::ReduceOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto type = cast<RankedTensorType>(op.getType());
    Type element = type.getElementType();
    Value batch = batchSize(rewriter, op);
    std::optional<int64_t> axis = op.getAxis();
    AffineMap map =
        reducedMap(rewriter.getContext(), inputType.getRank(), axis);
    auto identity = [](OpBuilder &, Location, ValueRange args) {
      return args[0];
    };
    Value result;
    switch (op.getKind()) {
    case sae::ReduceKind::Sum:
      result = sumOf(rewriter, loc, input, type, map, batch, identity);
      break;
    case sae::ReduceKind::Mean:
      result = divide(rewriter, loc,
                      sumOf(rewriter, loc, input, type, map, batch, identity),
                      sizeOf(rewriter, loc, input, axis, batch), batch);
      break;
    case sae::ReduceKind::Count:
      result = sumOf(rewriter, loc, input, type, map, batch,
                     [&](OpBuilder &b, Location l, ValueRange args) {
                       Value nonZero = arith::CmpFOp::create(
                           b, l, arith::CmpFPredicate::UNE, args[0],
                           floatConstant(b, l, element, 0.0));
                       return boolToFloat(b, l, nonZero, element);
                     });
      break;
    case sae::ReduceKind::Norm: {
      Value squares = sumOfSquares(rewriter, loc, input, type, map, batch);
      result = buildElementwise(
          rewriter, loc, type, squares, batch,
          [](OpBuilder &b, Location l, ValueRange args) -> Value {
            return math::SqrtOp::create(b, l, args[0]);
          });
      break;
    }
    case sae::ReduceKind::Max:
      result = buildReduction(
          rewriter, loc, input, type, map, batch,
          -std::numeric_limits<double>::infinity(),
          [](OpBuilder &b, Location l, ValueRange args) -> Value {
            return arith::MaximumFOp::create(b, l, args[0], args[1]);
          });
      break;
    case sae::ReduceKind::MinPositive:
      // min(acc, x > 0 ? x : +inf): a NaN entry is not > 0, so it is skipped.
      result = buildReduction(
          rewriter, loc, input, type, map, batch,
          std::numeric_limits<double>::infinity(),
          [&](OpBuilder &b, Location l, ValueRange args) -> Value {
            Value positive =
                arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, args[0],
                                      floatConstant(b, l, element, 0.0));
            Value candidate = arith::SelectOp::create(
                b, l, positive, args[0],
                floatConstant(b, l, element,
                              std::numeric_limits<double>::infinity()));
            return arith::MinimumFOp::create(b, l, args[1], candidate);
          });
      break;
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// mean((lhs − rhs)²) over every element.
struct LowerMse : OpRewritePattern<sae::MseOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(sae::MseOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    auto inputType = cast<RankedTensorType>(op.getLhs().getType());
    Value batch = batchSize(rewriter, op);
    AffineMap map =
        reducedMap(rewriter.getContext(), inputType.getRank(), std::nullopt);
    Value sum =
        sumOf(rewriter, loc, {op.getLhs(), op.getRhs()}, type, map, batch,
              [](OpBuilder &b, Location l, ValueRange args) {
                Value diff = arith::SubFOp::create(b, l, args[0], args[1]);
                return arith::MulFOp::create(b, l, diff, diff).getResult();
              });
    rewriter.replaceOp(
        op,
        divide(rewriter, loc, sum,
               sizeOf(rewriter, loc, op.getLhs(), std::nullopt, batch), batch));
    return success();
  }
};

/// The mean over rows of Σᵢ |zᵢ| wᵢ: the sum over every element divided by
/// the number of rows (all the entries over the last axis's length).
struct LowerL1 : OpRewritePattern<sae::L1Op> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(sae::L1Op op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto type = cast<RankedTensorType>(op.getType());
    if (inputType.isDynamicDim(inputType.getRank() - 1))
      return rewriter.notifyMatchFailure(op, "dynamic last axis");
    Value batch = batchSize(rewriter, op);
    SmallVector<Value> inputs = {input};
    if (Value weight = op.getWeight())
      inputs.push_back(buildMapped(
          rewriter, loc, inputType, weight,
          {broadcastMap(rewriter.getContext(),
                        cast<RankedTensorType>(weight.getType()).getShape(),
                        inputType.getShape())},
          batch,
          [](OpBuilder &, Location, ValueRange args) { return args[0]; }));
    AffineMap map =
        reducedMap(rewriter.getContext(), inputType.getRank(), std::nullopt);
    Value sum = sumOf(
        rewriter, loc, inputs, type, map, batch,
        [](OpBuilder &b, Location l, ValueRange args) {
          Value magnitude = math::AbsFOp::create(b, l, args[0]);
          if (args.size() == 1)
            return magnitude;
          return arith::MulFOp::create(b, l, magnitude, args[1]).getResult();
        });
    Value entries = sizeOf(rewriter, loc, input, std::nullopt, batch);
    double width =
        static_cast<double>(inputType.getDimSize(inputType.getRank() - 1));
    Value rows = buildElementwise(
        rewriter, loc, type, entries, batch,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          return arith::DivFOp::create(
              b, l, args[0], floatConstant(b, l, args[0].getType(), width));
        });
    rewriter.replaceOp(op, divide(rewriter, loc, sum, rows, batch));
    return success();
  }
};

struct LowerSize : OpRewritePattern<sae::SizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(sae::SizeOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, sizeOf(rewriter, op.getLoc(), op.getInput(),
                                  op.getAxis(), batchSize(rewriter, op)));
    return success();
  }
};

/// Sums the axes numpy broadcasting added or stretched.
struct LowerUnbroadcast : OpRewritePattern<sae::UnbroadcastOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(sae::UnbroadcastOp op,
                                PatternRewriter &rewriter) const override {
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    auto type = cast<RankedTensorType>(op.getType());
    MLIRContext *context = rewriter.getContext();
    unsigned rank = inputType.getRank();
    unsigned offset = rank - type.getRank();
    SmallVector<AffineExpr> writes;
    for (unsigned i = 0; i < type.getRank(); ++i) {
      unsigned axis = offset + i;
      if (type.getDimSize(i) == 1 && inputType.getDimSize(axis) != 1)
        writes.push_back(getAffineConstantExpr(0, context));
      else
        writes.push_back(getAffineDimExpr(axis, context));
    }
    AffineMap map = AffineMap::get(rank, 0, writes, context);
    Value result =
        sumOf(rewriter, op.getLoc(), op.getInput(), type, map,
              batchSize(rewriter, op),
              [](OpBuilder &, Location, ValueRange args) { return args[0]; });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Rows or columns of a matrix go to saek.unit_norm; anything else divides
/// by a norm reduction (zero norms leave zeros).
struct LowerNormalize : OpRewritePattern<sae::NormalizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(sae::NormalizeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    std::optional<int64_t> axis = op.getAxis();
    if (type.getRank() == 2 && axis) {
      rewriter.replaceOpWithNewOp<prism::saek::UnitNormOp>(
          op, type, op.getInput(), *axis);
      return success();
    }
    Value batch = batchSize(rewriter, op);
    MLIRContext *context = rewriter.getContext();
    AffineMap reduced = reducedMap(context, type.getRank(), axis);
    SmallVector<int64_t> normShape;
    if (axis)
      for (int64_t i = 0; i < type.getRank(); ++i)
        if (i != *axis)
          normShape.push_back(type.getDimSize(i));
    auto normType = RankedTensorType::get(normShape, type.getElementType());
    Value squares =
        sumOfSquares(rewriter, loc, op.getInput(), normType, reduced, batch);
    Value result = buildMapped(
        rewriter, loc, type, {op.getInput(), squares},
        {AffineMap::getMultiDimIdentityMap(type.getRank(), context), reduced},
        batch, [](OpBuilder &b, Location l, ValueRange args) -> Value {
          Type element = args[0].getType();
          Value norm = math::SqrtOp::create(b, l, args[1]);
          Value zero = floatConstant(b, l, element, 0.0);
          Value isZero = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ,
                                               norm, zero);
          return arith::SelectOp::create(
              b, l, isZero, zero, arith::DivFOp::create(b, l, args[0], norm));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void prism::conversion::populateReductionLowerings(
    RewritePatternSet &patterns) {
  patterns.add<LowerReduce, LowerMse, LowerL1, LowerSize, LowerUnbroadcast,
               LowerNormalize>(patterns.getContext());
}
