//===- DatasetSummary.cpp - What `prism data info` reports ----------------===//

#include "prism/runtime/DatasetSummary.h"

#include <cmath>
#include <limits>
#include <vector>

using namespace prism;

static bool rowIsFinite(const float *row, uint32_t dim) {
  for (uint32_t c = 0; c < dim; ++c)
    if (!std::isfinite(row[c]))
      return false;
  return true;
}

static double dot(const float *a, const float *b, uint32_t dim) {
  double sum = 0;
  for (uint32_t c = 0; c < dim; ++c)
    sum += static_cast<double>(a[c]) * b[c];
  return sum;
}

DatasetSummary prism::summarizeDataset(const Dataset &dataset) {
  DatasetSummary summary;
  uint32_t dim = summary.dim = dataset.dim();
  summary.rows = dataset.rows();
  summary.pairs = dataset.numPairs();
  summary.captions = dataset.hasCaptions() ? summary.pairs : 0;

  std::vector<double> imageSum(dim, 0.0), textSum(dim, 0.0);
  uint64_t imageFinite = 0, textFinite = 0, finiteRows = 0;
  double normSum = 0;
  summary.rowNorm.min = std::numeric_limits<double>::infinity();
  summary.rowNorm.max = 0;
  // For each pair, the row index of its image and of its text.
  std::vector<int64_t> imageOfPair(summary.pairs, -1),
      textOfPair(summary.pairs, -1);

  for (uint64_t r = 0; r < summary.rows; ++r) {
    const float *row = dataset.row(r);
    Modality modality = dataset.modality(r);
    (modality == Modality::Image  ? summary.imageRows
     : modality == Modality::Text ? summary.textRows
                                  : summary.unspecifiedRows)++;
    if (!rowIsFinite(row, dim)) {
      ++summary.nonfiniteRows;
      for (uint32_t c = 0; c < dim; ++c)
        summary.nonfiniteValues += !std::isfinite(row[c]);
      continue;
    }
    double norm = std::sqrt(dot(row, row, dim));
    summary.rowNorm.min = std::min(summary.rowNorm.min, norm);
    summary.rowNorm.max = std::max(summary.rowNorm.max, norm);
    normSum += norm;
    ++finiteRows;
    if (modality == Modality::Image || modality == Modality::Text) {
      std::vector<double> &sum =
          modality == Modality::Image ? imageSum : textSum;
      for (uint32_t c = 0; c < dim; ++c)
        sum[c] += row[c];
      (modality == Modality::Image ? imageFinite : textFinite)++;
    }
    int64_t pair = dataset.pairId(r);
    if (pair >= 0)
      (modality == Modality::Text ? textOfPair : imageOfPair)[pair] =
          static_cast<int64_t>(r);
  }

  if (finiteRows > 0)
    summary.rowNorm.mean = normSum / static_cast<double>(finiteRows);
  else
    summary.rowNorm = NormStats();
  if (imageFinite > 0 && textFinite > 0) {
    double squared = 0;
    for (uint32_t c = 0; c < dim; ++c) {
      double diff = imageSum[c] / static_cast<double>(imageFinite) -
                    textSum[c] / static_cast<double>(textFinite);
      squared += diff * diff;
    }
    summary.modalityGap = std::sqrt(squared);
  }

  double cosineSum = 0;
  uint64_t cosineCount = 0;
  for (uint64_t p = 0; p < summary.pairs; ++p) {
    if (imageOfPair[p] < 0 || textOfPair[p] < 0)
      continue; // a partner was non-finite
    const float *a = dataset.row(static_cast<uint64_t>(imageOfPair[p]));
    const float *b = dataset.row(static_cast<uint64_t>(textOfPair[p]));
    double denominator = std::sqrt(dot(a, a, dim) * dot(b, b, dim));
    if (denominator > 0) {
      cosineSum += dot(a, b, dim) / denominator;
      ++cosineCount;
    }
  }
  if (cosineCount > 0)
    summary.meanPairCosine = cosineSum / static_cast<double>(cosineCount);
  return summary;
}
