//===- Lowerings.h - sae op lowering pattern sets ---------------*- C++ -*-===//
//
// The pattern sets -convert-sae-to-saek applies, one per family of sae ops,
// and -sae-sparsify's rewrites.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_CONVERSION_SAETOSAEK_LOWERINGS_H
#define PRISM_CONVERSION_SAETOSAEK_LOWERINGS_H

#include "mlir/IR/PatternMatch.h"

namespace prism::conversion {

/// Elementwise arithmetic, comparisons, activations and broadcasts.
void populateElementwiseLowerings(mlir::RewritePatternSet &patterns);

/// Reductions, losses, sizes, unbroadcasts and normalisation.
void populateReductionLowerings(mlir::RewritePatternSet &patterns);

/// Matrix products, transposes, slices, selections, optimizer updates.
void populateStructuredLowerings(mlir::RewritePatternSet &patterns);

/// Products with top-k codes as sparse kernels.
void populateSparsifyPatterns(mlir::RewritePatternSet &patterns);

} // namespace prism::conversion

#endif // PRISM_CONVERSION_SAETOSAEK_LOWERINGS_H
