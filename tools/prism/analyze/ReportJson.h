//===- ReportJson.h - report.json sections of `prism analyze` ---*- C++ -*-===//
//
// The layout is docs/analysis.md's. Figures that are undefined (NaN) are
// written as null.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_TOOLS_ANALYZE_REPORTJSON_H
#define PRISM_TOOLS_ANALYZE_REPORTJSON_H

#include "AnalyzeRun.h"

#include "prism/runtime/Stability.h"

#include <nlohmann/json.hpp>

#include <optional>

namespace prism::analyze {

using Json = nlohmann::ordered_json;

/// A number, or null when it is NaN or infinite.
Json number(double value);
/// number(*value), or null when there is none.
Json optionalNumber(const std::optional<double> &value);

/// One point of "pareto": `figures` holds l0, r2_per_dim and r2_global (a
/// run's section, or a baseline's point).
Json paretoPoint(const Json &method, const char *kind, const Json &figures);

/// The named definitions every figure of the report refers to.
Json definitionsJson();

struct BridgeOptions {
  unsigned top = 5;          // bridge pairs listed
  unsigned captions = 3;     // captions per listed pair
  unsigned heatmap = 10;     // pairs whose concepts make the heat map
  unsigned nullShuffles = 5; // shuffled pairings for the null model
  uint64_t seed = 0;
};

/// A run's section, without the modality-subspace figures (added by the
/// caller, who fits the subspace once for all runs).
Json runJson(const RunAnalysis &run, const Dataset &data,
             const DataPairs &pairs, const BridgeOptions &options);

/// One entry of "stability.pairs".
Json stabilityPairJson(const std::string &a, const std::string &b,
                       const Stability &stability);

} // namespace prism::analyze

#endif // PRISM_TOOLS_ANALYZE_REPORTJSON_H
