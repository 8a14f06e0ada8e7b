//===- ModalityMeasures.h - The modality subspace under analyze -*- C++ -*-===//
//
// Fits the data's modality subspace once (ModalitySubspace.h) on the rows of
// known modality, measures every run's concepts against it (‖P_M dᵢ‖, 1-D
// classifier accuracy) and the random-direction reference
// (RandomDirections.h), as report.json's "modality_subspace".
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_TOOLS_ANALYZE_MODALITYMEASURES_H
#define PRISM_TOOLS_ANALYZE_MODALITYMEASURES_H

#include "AnalyzeRun.h"
#include "ReportJson.h"

namespace prism::analyze {

/// The rows of `data` whose modality is known, and their labels.
struct LabelledRows {
  const float *x = nullptr; // [rows, dim]: the data's matrix, or `copy`
  uint64_t rows = 0, images = 0;
  std::vector<uint8_t> isImage; // per row: 1 image, 0 text
  std::vector<float> copy;      // when some rows are left out
};

LabelledRows labelledRows(const Dataset &data);

/// Fills each run's normInSubspace and classifierAccuracy (NaN throughout,
/// with a notice, when the data lacks one modality) and returns the
/// "modality_subspace" section.
StatusOr<Json> measureModality(const Dataset &data, const LabelledRows &rows,
                               std::vector<RunAnalysis> &runs, uint32_t dims,
                               uint64_t seed);

} // namespace prism::analyze

#endif // PRISM_TOOLS_ANALYZE_MODALITYMEASURES_H
