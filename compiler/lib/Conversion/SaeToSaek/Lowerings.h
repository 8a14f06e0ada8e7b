//===- Lowerings.h - sae op lowering pattern sets ---------------*- C++ -*-===//
//
// The pattern sets -convert-sae-to-saek applies, one per family of sae ops,
// and -sae-sparsify's rewrites.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_CONVERSION_SAETOSAEK_LOWERINGS_H
#define PRISM_CONVERSION_SAETOSAEK_LOWERINGS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/PatternMatch.h"

namespace prism::conversion {

/// Elementwise arithmetic, comparisons, activations and broadcasts.
void populateElementwiseLowerings(mlir::RewritePatternSet &patterns);

/// Reductions, losses, sizes, unbroadcasts and normalisation.
void populateReductionLowerings(mlir::RewritePatternSet &patterns);

/// Matrix products, transposes, slices, selections, optimizer updates.
void populateStructuredLowerings(mlir::RewritePatternSet &patterns);

/// The name of the per-row modality input (1 image, 2 text, 0 unknown).
inline constexpr llvm::StringLiteral kModalityInput = "modality";

/// Checks that rows filtered by modality are only used row-locally, and
/// gives `func` the `modality` input when it filters or selects by it.
mlir::LogicalResult prepareModalityRows(mlir::func::FuncOp func);

/// Sizes of filtered values and sae.dist, before anything else lowers.
void populateModalityPreparation(mlir::RewritePatternSet &patterns);

/// Modality filters, their adjoints and by_modality selects.
void populateModalityLowerings(mlir::RewritePatternSet &patterns);

/// AuxK as the mse of its sparse decode (0 without dead latents).
void populateAuxKDecomposition(mlir::RewritePatternSet &patterns);

/// Products with top-k codes as sparse kernels (AuxK's decomposition
/// included).
void populateSparsifyPatterns(mlir::RewritePatternSet &patterns);

} // namespace prism::conversion

#endif // PRISM_CONVERSION_SAETOSAEK_LOWERINGS_H
