//===- ReportPlots.h - The plots of an analysis report ----------*- C++ -*-===//
//
// The five plot kinds of docs/analysis.md, each an SVG document drawn from a
// report (or one run of it) that checkReport accepted.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_TOOLS_REPORT_REPORTPLOTS_H
#define PRISM_TOOLS_REPORT_REPORTPLOTS_H

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace prism::report {

/// pareto.svg: R² (per-dimension) against L0 on a log10 axis; baselines as
/// lines through their sweep, SAE runs as points, one legend entry each.
std::string renderParetoPlot(const nlohmann::ordered_json &report);
/// modality-RUN.svg: the run's modality-score histogram, unweighted (concept
/// counts) and energy-weighted (share of energy) side by side.
std::string renderModalityPlot(const nlohmann::ordered_json &run);
/// What a direction unrelated to the modality would score, drawn on the
/// subspace plot as dashed reference lines.
struct SubspaceReference {
  std::optional<double> norm;       // √(dims/d): randomDirectionNorm
  std::optional<double> accuracy;   // measured over random directions
  std::optional<double> directions; // how many were measured
};
/// The reference of `report`: √(dims/d) and, when the report has
/// modality_subspace.random_direction, its mean classifier accuracy.
SubspaceReference subspaceReference(const nlohmann::ordered_json &report);

/// subspace-RUN.svg: histograms of the run's ‖P_M d_i‖ (x from 0 to 1) and
/// classifier accuracy (x from 0.5 to 1) side by side, each with a dashed
/// line at `reference`'s figure when it has one.
std::string renderSubspacePlot(const nlohmann::ordered_json &run,
                               const SubspaceReference &reference);
/// √(dims/d), the root-mean-square ‖P_M d‖ of a random unit direction in d
/// dimensions (modality_subspace.dims, data.dim); none when either is null,
/// dims < 0 or d <= 0.
std::optional<double> randomDirectionNorm(const nlohmann::ordered_json &report);
/// stability.svg: mean matched cosine per energy decile, a line per pair.
std::string renderStabilityPlot(const nlohmann::ordered_json &stability);
/// bridge-RUN.svg: the heat map of B over the run's top bridge concepts.
std::string renderBridgePlot(const nlohmann::ordered_json &run);

/// A file-name stem per run: its name with characters other than letters,
/// digits, '.', '_' and '-' replaced by '_', made unique by "-2", "-3", ...
std::vector<std::string> runFileStems(const nlohmann::ordered_json &report);

} // namespace prism::report

#endif // PRISM_TOOLS_REPORT_REPORTPLOTS_H
