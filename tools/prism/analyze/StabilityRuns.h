//===- StabilityRuns.h - Stability of every pair of runs --------*- C++ -*-===//
//
// Matches the dictionaries of every pair of runs of the same shape
// (Stability.h), records each concept's match on both sides for the concept
// tables, and builds report.json's "stability" (null with fewer than two
// comparable runs).
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_TOOLS_ANALYZE_STABILITYRUNS_H
#define PRISM_TOOLS_ANALYZE_STABILITYRUNS_H

#include "AnalyzeRun.h"
#include "ReportJson.h"

namespace prism::analyze {

StatusOr<Json> measureStability(std::vector<RunAnalysis> &runs, uint32_t dim);

} // namespace prism::analyze

#endif // PRISM_TOOLS_ANALYZE_STABILITYRUNS_H
