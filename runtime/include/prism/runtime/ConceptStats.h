//===- ConceptStats.h - Per-concept energy and modality score ---*- C++ -*-===//
//
// SCIENCE.md §3: the energy Eᵢ of concept i is the mean of zᵢ over all rows;
// its modality score is μᵢ = 𝔼_image[zᵢ] / (𝔼_image[zᵢ] + 𝔼_text[zᵢ]), 1 for a
// concept that fires only on images, 0 only on captions, and undefined
// (NaN here, null in reports) when the denominator is not positive: a dead
// concept, or one whose codes are negative on balance.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_RUNTIME_CONCEPTSTATS_H
#define PRISM_RUNTIME_CONCEPTSTATS_H

#include "prism/runtime/Dataset.h"
#include "prism/runtime/SparseCodes.h"
#include "prism/runtime/Status.h"

#include <cstdint>
#include <vector>

namespace prism {

struct ConceptStats {
  uint64_t rows = 0, imageRows = 0, textRows = 0;
  std::vector<double> energy;              // mean over every row
  std::vector<double> imageMean, textMean; // over the rows of one modality
  std::vector<uint64_t> fired;             // rows where zᵢ ≠ 0
  std::vector<double> modality;            // μᵢ, NaN where undefined
};

/// The statistics of every concept over the rows of `codes`; `modality` has
/// one entry per row. Rows of unspecified modality count in the energy only.
StatusOr<ConceptStats> conceptStats(const SparseCodes &codes,
                                    const std::vector<Modality> &modality);

/// A histogram over [edges.front(), edges.back()] in equal bins; the last bin
/// is closed, values outside the range and NaNs are left out (and counted).
struct Histogram {
  std::vector<double> edges; // bins + 1
  std::vector<double> counts;
  uint64_t skipped = 0;
};

/// Counts `values` (or sums `weights`, when given, one per value) into `bins`
/// equal bins over [low, high].
Histogram histogram(const std::vector<double> &values, unsigned bins,
                    double low, double high,
                    const std::vector<double> *weights = nullptr);

} // namespace prism

#endif // PRISM_RUNTIME_CONCEPTSTATS_H
