//===- Sparsify.cpp - -sae-sparsify ---------------------------------------===//
//
// Top-k codes stay sparse: a code is its k values and indices per row, and
// every product that reads one becomes a sparse kernel. A code is
//   - sae.topk / sae.topk_abs of a tensor;
//   - a tensor times the sae.select_mask topk of one (the mask's indices;
//     the values read through saek.gather, or saek.gather_dot when the
//     tensor is a product with a transposed table);
//   - a code times any tensor (the values scaled by its gathered entries).
// Gathers of elementwise expressions gather their operands instead, so that
// `pre > 0` at k entries is k comparisons, not a [B, n] mask.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilders.h"
#include "Lowerings.h"

#include "prism/Conversion/SaeToSaek.h"
#include "prism/Dialect/Sae/IR/SaeOps.h"
#include "prism/Dialect/Saek/IR/SaekOps.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <limits>

namespace prism {
#define GEN_PASS_DEF_SAESPARSIFY
#include "prism/Conversion/Passes.h.inc"
} // namespace prism

using namespace mlir;
using namespace prism::conversion;
namespace sae = prism::sae;
namespace saek = prism::saek;

namespace {

/// k values and column indices per row of a [B, n] tensor.
struct SparseCode {
  Value values, indices;
  int64_t n;
};

/// How far below any real value an ineligible latent is pushed.
constexpr double kSentinel = 1.0e38;

/// A rank-0 constant of `like`'s element type.
Value scalarOf(PatternRewriter &rewriter, Location loc, Value like,
               double value) {
  return scalarTensor(rewriter, loc,
                      cast<RankedTensorType>(like.getType()).getElementType(),
                      value);
}

bool isBatchMatrix(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && type.getRank() == 2 && !type.isDynamicDim(1);
}

/// The entries of `dense` ([B, n]) at `indices`, pushed through elementwise
/// ops whose operands are [B, n] or rank 0.
Value gatherEntries(PatternRewriter &rewriter, Location loc, Value dense,
                    Value indices) {
  auto codeType = RankedTensorType::get(
      cast<RankedTensorType>(indices.getType()).getShape(),
      cast<RankedTensorType>(dense.getType()).getElementType());
  Operation *producer = dense.getDefiningOp();
  bool elementwise =
      producer &&
      isa<sae::AddOp, sae::SubOp, sae::MulOp, sae::DivOp, sae::CmpOp,
          sae::ReluOp, sae::NegOp, sae::AbsOp>(producer);
  if (elementwise) {
    auto denseType = cast<RankedTensorType>(dense.getType());
    bool simple = llvm::all_of(producer->getOperands(), [&](Value operand) {
      auto type = cast<RankedTensorType>(operand.getType());
      return type.getRank() == 0 || type == denseType;
    });
    if (simple) {
      IRMapping mapping;
      for (Value operand : producer->getOperands())
        if (cast<RankedTensorType>(operand.getType()).getRank() != 0)
          mapping.map(operand, gatherEntries(rewriter, loc, operand, indices));
      Operation *clone = rewriter.clone(*producer, mapping);
      clone->getResult(0).setType(codeType);
      return clone->getResult(0);
    }
  }
  if (auto product = dense.getDefiningOp<sae::MatmulOp>())
    if (auto table = product.getRhs().getDefiningOp<sae::TransposeOp>())
      return saek::GatherDotOp::create(
          rewriter, loc, codeType, product.getLhs(), indices, table.getInput());
  return saek::GatherOp::create(rewriter, loc, codeType, dense, indices);
}

/// The code `value` is, if it is one; builds its values and indices.
std::optional<SparseCode> matchCode(PatternRewriter &rewriter, Value value) {
  if (!isBatchMatrix(value))
    return std::nullopt;
  int64_t n = cast<RankedTensorType>(value.getType()).getDimSize(1);
  Location loc = value.getLoc();
  if (auto scatter = value.getDefiningOp<saek::ScatterDenseOp>())
    return SparseCode{scatter.getValues(), scatter.getIndices(), n};
  if (auto topk = value.getDefiningOp<sae::TopKOp>()) {
    // topk(relu(x)) = relu of topk(x)'s values: ReLU is monotone, and where
    // fewer than k entries are positive both keep zeros. This spares the
    // [B, n] ReLU pass.
    if (auto relu = topk.getInput().getDefiningOp<sae::ReluOp>()) {
      saek::TopKOp kept =
          buildTopK(rewriter, loc, relu.getInput(), topk.getK(), false);
      Value values = sae::ReluOp::create(rewriter, loc, kept.getValues());
      return SparseCode{values, kept.getIndices(), n};
    }
    saek::TopKOp kept =
        buildTopK(rewriter, loc, topk.getInput(), topk.getK(), false);
    return SparseCode{kept.getValues(), kept.getIndices(), n};
  }
  if (auto topk = value.getDefiningOp<sae::TopKAbsOp>()) {
    saek::TopKOp kept =
        buildTopK(rewriter, loc, topk.getInput(), topk.getK(), true);
    return SparseCode{kept.getValues(), kept.getIndices(), n};
  }
  auto mul = value.getDefiningOp<sae::MulOp>();
  if (!mul || mul.getLhs().getType() != mul.getRhs().getType())
    return std::nullopt;
  for (int side = 0; side < 2; ++side) {
    Value dense = mul->getOperand(side), other = mul->getOperand(1 - side);
    auto mask = other.getDefiningOp<sae::SelectMaskOp>();
    if (mask && mask.getKind() != sae::SelectKind::BatchTopK &&
        mask.getK() <= n) {
      bool byAbs = mask.getKind() == sae::SelectKind::TopKAbs;
      Value input = mask.getInput();
      // The mask of topk(relu(x)) may as well select on x: the entries the
      // two choices differ in are ReLU zeros, whose gradient is zero.
      Value selectOn = input;
      if (auto relu = input.getDefiningOp<sae::ReluOp>(); relu && !byAbs)
        selectOn = relu.getInput();
      Value among = mask.getAmong();
      if (among) {
        // Ineligible latents drop far below any real value, so they rank
        // last; rows with fewer than k eligible ones keep only those,
        // through the values' 0/1 factor below.
        Value eligible =
            sae::CmpOp::create(rewriter, loc, sae::CmpPredicate::NE, among,
                               scalarOf(rewriter, loc, among, 0.0));
        Value ineligible = sae::SubOp::create(
            rewriter, loc, scalarOf(rewriter, loc, among, 1.0), eligible);
        input = sae::SubOp::create(
            rewriter, loc, input,
            sae::MulOp::create(rewriter, loc, ineligible,
                               scalarOf(rewriter, loc, among, kSentinel)));
        selectOn = input;
      }
      saek::TopKOp kept =
          buildTopK(rewriter, loc, selectOn, mask.getK(), byAbs);
      Value values =
          dense == mask.getInput() && selectOn == input && !among
              ? kept.getValues()
              : gatherEntries(rewriter, loc, dense, kept.getIndices());
      if (among) {
        // Entries that were ineligible (ranked at the sentinel) count 0.
        Value chosen = gatherEntries(rewriter, loc, input, kept.getIndices());
        values = sae::MulOp::create(
            rewriter, loc, values,
            sae::CmpOp::create(
                rewriter, loc, sae::CmpPredicate::GT, chosen,
                scalarOf(rewriter, loc, chosen, -kSentinel / 2)));
      }
      return SparseCode{values, kept.getIndices(), n};
    }
    if (std::optional<SparseCode> code = matchCode(rewriter, dense)) {
      Value scale = gatherEntries(rewriter, loc, other, code->indices);
      code->values = sae::MulOp::create(rewriter, loc, code->values, scale);
      return code;
    }
  }
  return std::nullopt;
}

/// Whether `value` is a code, without building its values.
bool isCode(Value value) {
  if (!isBatchMatrix(value))
    return false;
  Operation *op = value.getDefiningOp();
  if (isa_and_nonnull<saek::ScatterDenseOp, sae::TopKOp, sae::TopKAbsOp>(op))
    return true;
  auto mul = dyn_cast_or_null<sae::MulOp>(op);
  if (!mul || mul.getLhs().getType() != mul.getRhs().getType())
    return false;
  for (Value operand : mul->getOperands())
    if (auto mask = operand.getDefiningOp<sae::SelectMaskOp>();
        (mask && mask.getKind() != sae::SelectKind::BatchTopK) ||
        isCode(operand))
      return true;
  return false;
}

/// code @ W  ->  saek.gather_decode;  codeᵀ @ G  ->  saek.scatter_rows;
/// Xᵀ @ code  ->  saek.scatter_rows transposed (an index-add).
struct SparsifyProduct : OpRewritePattern<sae::MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(sae::MatmulOp op,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    if (type.getRank() != 2)
      return failure();
    Location loc = op.getLoc();
    Value lhs = op.getLhs(), rhs = op.getRhs();
    if (std::optional<SparseCode> code = matchCode(rewriter, lhs)) {
      rewriter.replaceOpWithNewOp<saek::GatherDecodeOp>(
          op, type, code->values, code->indices, rhs, /*bias=*/Value());
      return success();
    }
    if (auto transpose = lhs.getDefiningOp<sae::TransposeOp>()) {
      if (std::optional<SparseCode> code =
              matchCode(rewriter, transpose.getInput())) {
        rewriter.replaceOpWithNewOp<saek::ScatterRowsOp>(
            op, type, code->values, code->indices, rhs, code->n);
        return success();
      }
      if (std::optional<SparseCode> code = matchCode(rewriter, rhs)) {
        auto scatter = saek::ScatterRowsOp::create(
            rewriter, loc, type, code->values, code->indices,
            transpose.getInput(), code->n);
        scatter.setTransposed(true);
        rewriter.replaceOp(op, scatter.getResult());
        return success();
      }
      // Xᵀ @ (A + B) with codes A and B: two index-adds.
      if (auto sum = rhs.getDefiningOp<sae::AddOp>();
          sum && sum.getLhs().getType() == sum.getRhs().getType() &&
          sum.getLhs().getType() == rhs.getType()) {
        Value left = sae::MatmulOp::create(rewriter, loc, lhs, sum.getLhs());
        Value right = sae::MatmulOp::create(rewriter, loc, lhs, sum.getRhs());
        rewriter.replaceOpWithNewOp<sae::AddOp>(op, left, right);
        return success();
      }
    }
    return failure();
  }
};

/// The batch sum of a code, Σ_rows code -> [n] or [1, n]: its values
/// scattered into n sums, B·k adds instead of a [B, n] column sum.
struct SparsifyBatchSum : OpRewritePattern<sae::UnbroadcastOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(sae::UnbroadcastOp op,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    bool rowSum = (type.getRank() == 1) ||
                  (type.getRank() == 2 && type.getDimSize(0) == 1);
    if (!rowSum)
      return failure();
    Value input = op.getInput();
    // Σ_rows (A + B) = Σ_rows A + Σ_rows B when a term is a code (the code
    // gradient of TopK plus AuxK's).
    if (auto sum = input.getDefiningOp<sae::AddOp>();
        sum && sum.getLhs().getType() == input.getType() &&
        sum.getRhs().getType() == input.getType() &&
        (isCode(sum.getLhs()) || isCode(sum.getRhs()))) {
      Location loc = op.getLoc();
      Value lhs = sae::UnbroadcastOp::create(rewriter, loc, type, sum.getLhs());
      Value rhs = sae::UnbroadcastOp::create(rewriter, loc, type, sum.getRhs());
      rewriter.replaceOpWithNewOp<sae::AddOp>(op, lhs, rhs);
      return success();
    }
    // matchCode builds the code's values, so the shape is checked first.
    if (!isBatchMatrix(input) ||
        type.getNumElements() !=
            cast<RankedTensorType>(input.getType()).getDimSize(1))
      return failure();
    std::optional<SparseCode> code = matchCode(rewriter, input);
    if (!code)
      return failure();
    rewriter.replaceOpWithNewOp<saek::ScatterSumOp>(op, type, code->values,
                                                    code->indices, code->n);
    return success();
  }
};

/// The training statistics of a code: non-zero entries per row (L0) are
/// counted among its k values, rows per latent (fired) by a scatter-sum of
/// their non-zero tests.
struct SparsifyCount : OpRewritePattern<sae::ReduceOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(sae::ReduceOp op,
                                PatternRewriter &rewriter) const override {
    std::optional<int64_t> axis = op.getAxis();
    if (op.getKind() != sae::ReduceKind::Count || !axis)
      return failure();
    std::optional<SparseCode> code = matchCode(rewriter, op.getInput());
    if (!code)
      return failure();
    Location loc = op.getLoc();
    if (*axis == 1) {
      rewriter.replaceOpWithNewOp<sae::ReduceOp>(
          op, op.getType(), op.getKindAttr(), code->values, op.getAxisAttr());
      return success();
    }
    Value nonZero =
        sae::CmpOp::create(rewriter, loc, sae::CmpPredicate::NE, code->values,
                           scalarOf(rewriter, loc, code->values, 0.0));
    rewriter.replaceOpWithNewOp<saek::ScatterSumOp>(op, op.getType(), nonZero,
                                                    code->indices, code->n);
    return success();
  }
};

/// A code some other op reads densely: scatter its values (B·k writes)
/// instead of the dense product and mask that made it.
struct DensifyCode : OpRewritePattern<sae::MulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(sae::MulOp op,
                                PatternRewriter &rewriter) const override {
    std::optional<SparseCode> code = matchCode(rewriter, op.getResult());
    if (!code)
      return failure();
    rewriter.replaceOpWithNewOp<saek::ScatterDenseOp>(
        op, op.getType(), code->values, code->indices, code->n);
    return success();
  }
};

/// Σ_rows (A @ W) = (Σ_rows A) @ W: one row through the product, not B.
struct SumBeforeProduct : OpRewritePattern<sae::UnbroadcastOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(sae::UnbroadcastOp op,
                                PatternRewriter &rewriter) const override {
    auto product = op.getInput().getDefiningOp<sae::MatmulOp>();
    auto type = cast<RankedTensorType>(op.getType());
    auto productType =
        cast<RankedTensorType>(product ? product.getType() : op.getType());
    if (!product || productType.getRank() != 2 || type.getRank() != 1 ||
        !productType.isDynamicDim(0))
      return failure();
    Location loc = op.getLoc();
    auto lhsType = cast<RankedTensorType>(product.getLhs().getType());
    auto rowType = RankedTensorType::get({1, lhsType.getDimSize(1)},
                                         lhsType.getElementType());
    Value row =
        sae::UnbroadcastOp::create(rewriter, loc, rowType, product.getLhs());
    Value once = sae::MatmulOp::create(rewriter, loc, row, product.getRhs());
    rewriter.replaceOpWithNewOp<sae::UnbroadcastOp>(op, type, once);
    return success();
  }
};

/// AuxK = mse((pre · M) @ W, residual), M the top-k among the dead latents;
/// 0 when no latent is dead, and without a dead-latent mask (evaluation).
struct DecomposeAuxK : OpRewritePattern<sae::AuxKOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(sae::AuxKOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value dead = op.getDeadMask();
    if (!dead) {
      rewriter.replaceOp(op, scalarOf(rewriter, loc, op.getResult(), 0.0));
      return success();
    }
    Value mask = sae::SelectMaskOp::create(rewriter, loc, sae::SelectKind::TopK,
                                           op.getPre(), op.getK(), dead);
    Value codes = sae::MulOp::create(rewriter, loc, op.getPre(), mask);
    Value decoded =
        sae::MatmulOp::create(rewriter, loc, codes, op.getDecoder());
    Value loss = sae::MseOp::create(rewriter, loc, op.getType(), decoded,
                                    op.getResidual());
    // With no dead latent the selection is empty and AuxK is 0 (not the
    // residual's mse), as the gradient rule and peer libraries have it.
    Value deadCount =
        sae::ReduceOp::create(rewriter, loc, sae::ReduceKind::Sum, dead);
    Value anyDead =
        sae::CmpOp::create(rewriter, loc, sae::CmpPredicate::GT, deadCount,
                           scalarOf(rewriter, loc, dead, 0.0));
    rewriter.replaceOpWithNewOp<sae::MulOp>(op, loss, anyDead);
    return success();
  }
};

struct SaeSparsifyPass : prism::impl::SaeSparsifyBase<SaeSparsifyPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (!func->hasAttr("sae.entry"))
      return;
    // Products first, so that no code is scattered dense while a product
    // could still read it sparse.
    RewritePatternSet products(&getContext());
    populateSparsifyPatterns(products);
    RewritePatternSet dense(&getContext());
    dense.add<DensifyCode>(&getContext());
    if (failed(applyPatternsGreedily(func, std::move(products))) ||
        failed(applyPatternsGreedily(func, std::move(dense))))
      signalPassFailure();
  }
};

} // namespace

void prism::conversion::populateAuxKDecomposition(RewritePatternSet &patterns) {
  patterns.add<DecomposeAuxK>(patterns.getContext(), /*benefit=*/3);
}

void prism::conversion::populateSparsifyPatterns(RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  populateAuxKDecomposition(patterns);
  patterns.add<SumBeforeProduct>(context, /*benefit=*/3);
  patterns.add<SparsifyProduct, SparsifyBatchSum, SparsifyCount>(context,
                                                                 /*benefit=*/2);
}
