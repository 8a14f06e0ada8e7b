//===- ConceptStats.cpp - Per-concept energy and modality score -----------===//

#include "prism/runtime/ConceptStats.h"

#include <cmath>
#include <limits>
#include <string>

using namespace prism;

StatusOr<ConceptStats>
prism::conceptStats(const SparseCodes &codes,
                    const std::vector<Modality> &modality) {
  if (modality.size() != codes.rows())
    return Status::error("concept statistics",
                         "expected one modality per row (" +
                             std::to_string(codes.rows()) + "), got " +
                             std::to_string(modality.size()));
  uint64_t n = codes.latents();
  ConceptStats stats;
  stats.rows = codes.rows();
  std::vector<double> total(n, 0.0), image(n, 0.0), text(n, 0.0);
  stats.fired.assign(n, 0);
  for (uint64_t r = 0; r < codes.rows(); ++r) {
    SparseCodes::Row row = codes.row(r);
    std::vector<double> *side = modality[r] == Modality::Image  ? &image
                                : modality[r] == Modality::Text ? &text
                                                                : nullptr;
    stats.imageRows += modality[r] == Modality::Image;
    stats.textRows += modality[r] == Modality::Text;
    for (uint32_t e = 0; e < row.size; ++e) {
      double value = row.value[e];
      if (!std::isfinite(value))
        return Status::error("concept statistics",
                             "row " + std::to_string(r) + ", concept " +
                                 std::to_string(row.index[e]) +
                                 ": the code is not finite");
      total[row.index[e]] += value;
      ++stats.fired[row.index[e]];
      if (side)
        (*side)[row.index[e]] += value;
    }
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto mean = [nan](double sum, uint64_t count) {
    return count ? sum / static_cast<double>(count) : nan;
  };
  stats.energy.resize(n);
  stats.imageMean.resize(n);
  stats.textMean.resize(n);
  stats.modality.resize(n);
  for (uint64_t i = 0; i < n; ++i) {
    stats.energy[i] = mean(total[i], stats.rows);
    stats.imageMean[i] = mean(image[i], stats.imageRows);
    stats.textMean[i] = mean(text[i], stats.textRows);
    double both = stats.imageMean[i] + stats.textMean[i];
    stats.modality[i] = both > 0 ? stats.imageMean[i] / both : nan;
  }
  return stats;
}

Histogram prism::histogram(const std::vector<double> &values, unsigned bins,
                           double low, double high,
                           const std::vector<double> *weights) {
  Histogram out;
  out.counts.assign(bins, 0.0);
  for (unsigned b = 0; b <= bins; ++b)
    out.edges.push_back(low + (high - low) * b / bins);
  for (size_t v = 0; v < values.size(); ++v) {
    double value = values[v];
    if (!(value >= low && value <= high)) {
      ++out.skipped;
      continue;
    }
    unsigned bin = static_cast<unsigned>((value - low) / (high - low) * bins);
    out.counts[bin < bins ? bin : bins - 1] += weights ? (*weights)[v] : 1.0;
  }
  return out;
}
