//===- LowerStructured.cpp - products, selections, optimizer updates ------===//
//
// The sae ops with a kernel of their own: matrix products (transposes fold
// into the GEMM's flags), top-k selections and their masks, slices and
// their adjoint pads, AuxK, and the optimizer updates.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilders.h"
#include "Lowerings.h"

#include "prism/Dialect/Sae/IR/SaeOps.h"
#include "prism/Dialect/Saek/IR/SaekOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <limits>

using namespace mlir;
using namespace prism::conversion;
namespace sae = prism::sae;
namespace saek = prism::saek;

namespace {

/// `value`, or the input of the rank-2 sae.transpose that defines it with
/// `transposed` set.
Value stripTranspose(Value value, bool &transposed) {
  auto transpose = value.getDefiningOp<sae::TransposeOp>();
  transposed =
      transpose && cast<RankedTensorType>(value.getType()).getRank() == 2;
  return transposed ? transpose.getInput() : value;
}

struct LowerMatmul : OpRewritePattern<sae::MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(sae::MatmulOp op,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    if (type.getRank() != 2)
      return rewriter.notifyMatchFailure(op, "only matrix-matrix products");
    bool transposeA, transposeB;
    Value a = stripTranspose(op.getLhs(), transposeA);
    Value b = stripTranspose(op.getRhs(), transposeB);
    auto gemm = saek::GemmOp::create(rewriter, op.getLoc(), type, a, b,
                                     /*bias=*/Value());
    if (transposeA)
      gemm.setTransposeA(true);
    if (transposeB)
      gemm.setTransposeB(true);
    rewriter.replaceOp(op, gemm.getResult());
    return success();
  }
};

/// A transpose that no product absorbed: a permuting copy.
struct LowerTranspose : OpRewritePattern<sae::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(sae::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    if (type.getRank() != 2)
      return rewriter.notifyMatchFailure(op, "only matrices");
    // Products lower first and take their transposes with them.
    for (Operation *user : op->getUsers())
      if (isa<sae::MatmulOp>(user))
        return rewriter.notifyMatchFailure(op, "a product still reads it");
    MLIRContext *context = rewriter.getContext();
    AffineMap swap = AffineMap::get(
        2, 0, {getAffineDimExpr(1, context), getAffineDimExpr(0, context)},
        context);
    rewriter.replaceOp(op,
                       buildMapped(rewriter, op.getLoc(), type, op.getInput(),
                                   {swap}, batchSize(rewriter, op),
                                   [](OpBuilder &, Location, ValueRange args) {
                                     return args[0];
                                   }));
    return success();
  }
};

/// The offsets, sizes and unit strides of a slice of `sliced` (`[-1]`
/// limits take a dynamic axis whole, whose size is `batch`).
void sliceBounds(OpBuilder &builder, Value sliced, ArrayRef<int64_t> starts,
                 ArrayRef<int64_t> limits, Value batch,
                 SmallVectorImpl<OpFoldResult> &offsets,
                 SmallVectorImpl<OpFoldResult> &sizes,
                 SmallVectorImpl<OpFoldResult> &strides) {
  auto type = cast<RankedTensorType>(sliced.getType());
  for (auto [axis, start] : llvm::enumerate(starts)) {
    offsets.push_back(builder.getIndexAttr(start));
    if (type.isDynamicDim(axis))
      sizes.push_back(batch);
    else
      sizes.push_back(builder.getIndexAttr(limits[axis] - start));
    strides.push_back(builder.getIndexAttr(1));
  }
}

struct LowerSlice : OpRewritePattern<sae::SliceOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(sae::SliceOp op,
                                PatternRewriter &rewriter) const override {
    SmallVector<OpFoldResult> offsets, sizes, strides;
    sliceBounds(rewriter, op.getInput(), op.getStarts(), op.getLimits(),
                batchSize(rewriter, op), offsets, sizes, strides);
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, cast<RankedTensorType>(op.getType()), op.getInput(), offsets, sizes,
        strides);
    return success();
  }
};

/// Inserts the input into zeros where the slice took it.
struct LowerPad : OpRewritePattern<sae::PadOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(sae::PadOp op,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    Value batch = batchSize(rewriter, op);
    Value zeros = filledTensor(rewriter, op.getLoc(), type, batch, 0.0);
    SmallVector<OpFoldResult> offsets, sizes, strides;
    sliceBounds(rewriter, zeros, op.getStarts(), op.getLimits(), batch, offsets,
                sizes, strides);
    rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(op, op.getInput(), zeros,
                                                       offsets, sizes, strides);
    return success();
  }
};

template <typename OpTy, bool byAbs> struct LowerTopK : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    if (type.getRank() != 2 || type.isDynamicDim(1))
      return rewriter.notifyMatchFailure(op, "needs [B, n] with static n");
    saek::TopKOp topk =
        buildTopK(rewriter, op.getLoc(), op.getInput(), op.getK(), byAbs);
    rewriter.replaceOpWithNewOp<saek::ScatterDenseOp>(
        op, type, topk.getValues(), topk.getIndices(), type.getDimSize(1));
    return success();
  }
};

struct LowerBatchTopK : OpRewritePattern<sae::BatchTopKOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(sae::BatchTopKOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<saek::BatchTopKOp>(op, op.getType(),
                                                   op.getInput(), op.getK());
    return success();
  }
};

/// The 0/1 mask of a selection. Among a subset, ineligible entries rank as
/// −∞ and a row with fewer than k eligible ones keeps only those.
struct LowerSelectMask : OpRewritePattern<sae::SelectMaskOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(sae::SelectMaskOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    if (op.getKind() == sae::SelectKind::BatchTopK) {
      auto mask = saek::BatchTopKOp::create(rewriter, loc, type, op.getInput(),
                                            op.getK());
      mask.setMask(true);
      rewriter.replaceOp(op, mask.getResult());
      return success();
    }
    if (type.getRank() != 2 || type.isDynamicDim(1))
      return rewriter.notifyMatchFailure(op, "needs [B, n] with static n");
    Value batch = batchSize(rewriter, op);
    Value input = op.getInput();
    if (Value among = op.getAmong())
      input = buildElementwise(
          rewriter, loc, type, {input, among}, batch,
          [](OpBuilder &b, Location l, ValueRange args) -> Value {
            Type element = args[0].getType();
            Value eligible =
                arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNE, args[1],
                                      floatConstant(b, l, element, 0.0));
            return arith::SelectOp::create(
                b, l, eligible, args[0],
                floatConstant(b, l, element,
                              -std::numeric_limits<double>::infinity()));
          });
    int64_t k = std::min<int64_t>(op.getK(), type.getDimSize(1));
    saek::TopKOp topk = buildTopK(rewriter, loc, input, k,
                                  op.getKind() == sae::SelectKind::TopKAbs);
    Value kept = buildElementwise(
        rewriter, loc, cast<RankedTensorType>(topk.getValues().getType()),
        topk.getValues(), batch, [](OpBuilder &b, Location l, ValueRange args) {
          Type element = args[0].getType();
          Value eligible = arith::CmpFOp::create(
              b, l, arith::CmpFPredicate::OGT, args[0],
              floatConstant(b, l, element,
                            -std::numeric_limits<double>::infinity()));
          return boolToFloat(b, l, eligible, element);
        });
    rewriter.replaceOpWithNewOp<saek::ScatterDenseOp>(
        op, type, kept, topk.getIndices(), type.getDimSize(1));
    return success();
  }
};

struct LowerAdam : OpRewritePattern<sae::AdamUpdateOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(sae::AdamUpdateOp op,
                                PatternRewriter &rewriter) const override {
    Type type = op.getParam().getType();
    rewriter.replaceOpWithNewOp<saek::AdamOp>(
        op, TypeRange{type, type, type}, op.getParam(), op.getGrad(), op.getM(),
        op.getV(), op.getLr(), op.getBiasCorrection1(), op.getBiasCorrection2(),
        op.getBeta1Attr(), op.getBeta2Attr(), op.getEpsAttr(),
        op.getWeightDecayAttr());
    return success();
  }
};

struct LowerProjectTangent : OpRewritePattern<sae::ProjectTangentOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(sae::ProjectTangentOp op,
                                PatternRewriter &rewriter) const override {
    if (cast<RankedTensorType>(op.getType()).getRank() != 2)
      return rewriter.notifyMatchFailure(op, "only matrices");
    rewriter.replaceOpWithNewOp<saek::ProjectTangentOp>(
        op, op.getType(), op.getGrad(), op.getParam(), op.getAxis());
    return success();
  }
};

} // namespace

void prism::conversion::populateStructuredLowerings(
    RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  patterns.add<LowerMatmul, LowerTranspose, LowerSlice, LowerPad,
               LowerTopK<sae::TopKOp, false>, LowerTopK<sae::TopKAbsOp, true>,
               LowerBatchTopK, LowerSelectMask, LowerAdam, LowerProjectTangent>(
      context);
}
