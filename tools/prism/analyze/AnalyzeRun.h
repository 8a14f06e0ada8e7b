//===- AnalyzeRun.h - One trained run under `prism analyze` -----*- C++ -*-===//
//
// Evaluates a run over every row of the data, as `prism eval --split all`
// does (the `infer` entry with the run's θ for BatchTopK), keeping each
// row's code sparse; then the per-concept statistics and the Bridge Score
// over the data's aligned pairs.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_TOOLS_ANALYZE_ANALYZERUN_H
#define PRISM_TOOLS_ANALYZE_ANALYZERUN_H

#include "prism/runtime/BridgeScore.h"
#include "prism/runtime/Checkpoint.h"
#include "prism/runtime/ConceptStats.h"
#include "prism/runtime/Dataset.h"
#include "prism/runtime/EvalMetrics.h"
#include "prism/runtime/Evaluator.h"
#include "prism/runtime/SparseCodes.h"
#include "prism/runtime/Status.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace prism::analyze {

/// The data's aligned pairs (an image row and its caption's row) and each
/// pair's id, for its caption.
struct DataPairs {
  std::vector<AlignedPair> rows;
  std::vector<int64_t> ids;
};

/// Every aligned pair of `data`: its first image row and first text row.
StatusOr<DataPairs> alignedPairs(const Dataset &data);

struct RunAnalysis {
  std::string name, path; // the report's name for the run; its directory
  std::string model, architecture, selection;
  uint64_t step = 0, seed = 0, latents = 0;
  std::vector<std::string> notices;
  EvalMetrics metrics;
  SparseCodes codes; // one row per data row, in data order
  ConceptStats stats;
  Tensor decoder;                       // W_dec [latents, dim]
  std::optional<BridgeAnalysis> bridge; // when the data has aligned pairs
  /// The metrics blocks compiled into the run's program (`metrics ... over
  /// rows` in its .sae), streamed over the same rows.
  std::vector<std::pair<std::string, std::vector<BlockMetric>>> modelMetrics;
  /// Per concept, against the data's modality subspace: ‖P_M dᵢ‖ and the
  /// accuracy of dᵢ as a 1-D modality classifier (empty until measured).
  std::vector<double> normInSubspace, classifierAccuracy;
  /// Against each other run of the same shape: each concept's match there
  /// and their cosine (stability's exact assignment).
  struct Match {
    std::string other;
    std::vector<int> concept;
    std::vector<double> cosine;
  };
  std::vector<Match> matches;
};

struct RunOptions {
  uint64_t batch = 1024;
};

/// Evaluates run directory `path` over every row of `data` and measures its
/// concepts; `pairs` may be empty (no Bridge Score then).
StatusOr<RunAnalysis> analyzeRun(const std::string &path, const Dataset &data,
                                 const DataPairs &pairs,
                                 const RunOptions &options);

} // namespace prism::analyze

#endif // PRISM_TOOLS_ANALYZE_ANALYZERUN_H
