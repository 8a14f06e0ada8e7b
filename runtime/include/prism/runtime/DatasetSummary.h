//===- DatasetSummary.h - What `prism data info` reports --------*- C++ -*-===//

#ifndef PRISM_RUNTIME_DATASETSUMMARY_H
#define PRISM_RUNTIME_DATASETSUMMARY_H

#include "prism/runtime/Dataset.h"

#include <cstdint>
#include <optional>

namespace prism {

struct NormStats {
  double min = 0, mean = 0, max = 0;
};

struct DatasetSummary {
  uint32_t dim = 0;
  uint64_t rows = 0;
  uint64_t imageRows = 0, textRows = 0, unspecifiedRows = 0;
  uint64_t pairs = 0;
  uint64_t captions = 0;
  uint64_t nonfiniteValues = 0; // NaN or Inf entries
  uint64_t nonfiniteRows = 0;   // left out of every statistic below
  NormStats rowNorm;            // L2 norms of the finite rows
  /// ||mean(image rows) - mean(text rows)||; absent without both modalities.
  std::optional<double> modalityGap;
  /// Mean cosine between the two rows of each aligned pair; absent without
  /// pairs.
  std::optional<double> meanPairCosine;
};

/// One pass over the matrix, accumulating in double precision.
DatasetSummary summarizeDataset(const Dataset &dataset);

} // namespace prism

#endif // PRISM_RUNTIME_DATASETSUMMARY_H
