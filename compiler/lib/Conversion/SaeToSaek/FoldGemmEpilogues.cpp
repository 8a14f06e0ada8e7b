//===- FoldGemmEpilogues.cpp - -saek-fold-gemm-epilogues ------------------===//
//
// After elementwise fusion, `pre = x @ W + b` is a saek.gemm and a
// linalg.generic that adds b to each row (and `relu(x @ W + b)` one that
// also clamps at 0). Folding that generic into the GEMM's epilogue saves a
// pass over the [B, n] result, the largest tensor of a training step.
//
//===----------------------------------------------------------------------===//

#include "prism/Conversion/SaeToSaek.h"
#include "prism/Dialect/Saek/IR/SaekOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace prism {
#define GEN_PASS_DEF_SAEKFOLDGEMMEPILOGUES
#include "prism/Conversion/Passes.h.inc"
} // namespace prism

using namespace mlir;
namespace saek = prism::saek;

namespace {

/// The epilogue `body` computes from its two block arguments (the product
/// entry first, then the bias entry), if it is `p + b` or `max(p + b, 0)`.
std::optional<saek::Epilogue> matchEpilogue(Block &body, unsigned product,
                                            unsigned bias) {
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  Value result = yield.getValues().front();
  saek::Epilogue kind = saek::Epilogue::Bias;
  if (auto max = result.getDefiningOp<arith::MaximumFOp>()) {
    if (!matchPattern(max.getRhs(), m_AnyZeroFloat()))
      return std::nullopt;
    result = max.getLhs();
    kind = saek::Epilogue::BiasRelu;
  }
  auto add = result.getDefiningOp<arith::AddFOp>();
  if (!add || std::distance(body.begin(), body.end()) !=
                  (kind == saek::Epilogue::Bias ? 2 : 3))
    return std::nullopt;
  Value p = body.getArgument(product), b = body.getArgument(bias);
  if ((add.getLhs() == p && add.getRhs() == b) ||
      (add.getLhs() == b && add.getRhs() == p))
    return kind;
  return std::nullopt;
}

struct FoldBiasIntoGemm : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
        op.getNumParallelLoops() != 2 || op.getNumReductionLoops() != 0)
      return failure();
    MLIRContext *context = op.getContext();
    AffineMap rows = AffineMap::getMultiDimIdentityMap(2, context);
    AffineMap columns = AffineMap::get(2, 0, getAffineDimExpr(1, context));
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    if (maps[2] != rows)
      return failure();
    // Either operand order: the product at [i, j], the bias at [j].
    for (unsigned product : {0u, 1u}) {
      unsigned bias = 1 - product;
      if (maps[product] != rows || maps[bias] != columns)
        continue;
      auto gemm =
          op.getDpsInputOperand(product)->get().getDefiningOp<saek::GemmOp>();
      if (!gemm || gemm.getEpilogue() != saek::Epilogue::None ||
          !gemm->hasOneUse() || gemm.getType() != op.getResult(0).getType())
        continue;
      std::optional<saek::Epilogue> kind =
          matchEpilogue(*op.getBody(), product, bias);
      if (!kind)
        continue;
      Value biasValue = op.getDpsInputOperand(bias)->get();
      rewriter.replaceOpWithNewOp<saek::GemmOp>(
          op, gemm.getType(), gemm.getA(), gemm.getB(), biasValue,
          gemm.getTransposeA(), gemm.getTransposeB(), *kind);
      rewriter.eraseOp(gemm);
      return success();
    }
    return failure();
  }
};

struct SaekFoldGemmEpilogues
    : prism::impl::SaekFoldGemmEpiloguesBase<SaekFoldGemmEpilogues> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldBiasIntoGemm>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
