//===- Baselines.h - Linear baselines under `prism analyze` -----*- C++ -*-===//
//
// The R²-L0 sweeps of LinearBaselines.h on the analysed data, with the sizes
// docs/analysis.md lists, as report.json's "baselines". On large data they
// fit (and are scored) on a seeded random sample of the rows: their cost is
// O(rows · size) per iteration, and matching pursuit keeps a rows × atoms
// correlation matrix, so the sample keeps that under 1 GiB.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_TOOLS_ANALYZE_BASELINES_H
#define PRISM_TOOLS_ANALYZE_BASELINES_H

#include "ReportJson.h"

#include "prism/runtime/Dataset.h"

namespace prism::analyze {

struct BaselineOptions {
  uint64_t seed = 0;
  /// The learned dictionary matching pursuit runs over (an SAE's W_dec),
  /// [atoms, dim]; none when null.
  const float *dictionary = nullptr;
  uint64_t atoms = 0;
  /// Rows the baselines fit on at most (a seeded random sample); 0: all.
  uint64_t maxRows = 20000;
};

/// Bytes matching pursuit's correlation matrix may take.
constexpr uint64_t kPursuitBytes = uint64_t(1) << 30;

/// Fits every baseline on `data`; the sizes a method cannot take on this
/// data (more components than the width or the rows) are left out.
StatusOr<Json> runBaselines(const Dataset &data,
                            const BaselineOptions &options);

} // namespace prism::analyze

#endif // PRISM_TOOLS_ANALYZE_BASELINES_H
