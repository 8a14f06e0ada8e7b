//===- RandomDirections.h - What a random direction scores ------*- C++ -*-===//
//
// The modality findings of SCIENCE.md §3 compare concepts with chance: a
// concept "nearly orthogonal to M" or "a poor classifier" means no better
// than a direction drawn at random. This measures that reference on the same
// data with the same functions: ‖P_M r‖ and the 1-D classifier accuracy of
// uniformly random unit directions r.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_TOOLS_ANALYZE_RANDOMDIRECTIONS_H
#define PRISM_TOOLS_ANALYZE_RANDOMDIRECTIONS_H

#include "prism/runtime/ModalitySubspace.h"

namespace prism::analyze {

struct RandomDirectionReference {
  unsigned directions = 0;
  double meanNormInSubspace = 0;
  double meanClassifierAccuracy = 0;
};

/// `count` random unit directions in R^dim from `seed`, scored against
/// `subspace` and as classifiers of the labelled rows `x`.
StatusOr<RandomDirectionReference> randomDirectionReference(
    const float *x, uint64_t rows, uint32_t dim, const uint8_t *isImage,
    const ModalitySubspace &subspace, unsigned count, uint64_t seed);

} // namespace prism::analyze

#endif // PRISM_TOOLS_ANALYZE_RANDOMDIRECTIONS_H
