//===- ConvertSaeToSaek.cpp - -convert-sae-to-saek ------------------------===//
//
// Applies every lowering pattern to an entry function until no sae op is
// left; one that stays (an op without a lowering, or with a shape the
// lowering does not take) is an error naming it.
//
//===----------------------------------------------------------------------===//

#include "Lowerings.h"

#include "prism/Conversion/SaeToSaek.h"
#include "prism/Dialect/Sae/IR/SaeDialect.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace prism {
#define GEN_PASS_DEF_CONVERTSAETOSAEK
#include "prism/Conversion/Passes.h.inc"
} // namespace prism

using namespace mlir;
using namespace prism::conversion;

namespace {

struct ConvertSaeToSaekPass
    : prism::impl::ConvertSaeToSaekBase<ConvertSaeToSaekPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (!func->hasAttr("sae.entry"))
      return;
    if (failed(prepareModalityRows(func)))
      return signalPassFailure();
    // Filtered sizes are recognised while their operands are still sae ops.
    RewritePatternSet preparation(&getContext());
    populateModalityPreparation(preparation);
    if (failed(applyPatternsGreedily(func, std::move(preparation))))
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    populateModalityLowerings(patterns);
    populateElementwiseLowerings(patterns);
    populateReductionLowerings(patterns);
    populateStructuredLowerings(patterns);
    // AuxK decomposes into ops the sets above lower.
    populateAuxKDecomposition(patterns);
    if (failed(applyPatternsGreedily(func, std::move(patterns))))
      return signalPassFailure();
    WalkResult remaining =
        func.walk([&](Operation *op) {
          if (!isa<prism::sae::SaeDialect>(op->getDialect()))
            return WalkResult::advance();
          op->emitError("'")
              << op->getName()
              << "' has no lowering to kernels for these operand types yet";
          return WalkResult::interrupt();
        });
    if (remaining.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
