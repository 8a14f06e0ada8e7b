//===- AnalysisReport.h - Writing an analysis report's files ----*- C++ -*-===//
//
// The files of `prism analyze -o REPORT_DIR` (docs/analysis.md): report.json,
// the SVG plots and report.html, rendered from the report JSON.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_TOOLS_REPORT_ANALYSISREPORT_H
#define PRISM_TOOLS_REPORT_ANALYSISREPORT_H

#include "prism/runtime/Status.h"

#include <nlohmann/json.hpp>

#include <string>

namespace prism {

/// Checks `report` against the layout of docs/analysis.md (an error names the
/// key path), then writes DIRECTORY/report.json (pretty-printed), pareto.svg,
/// modality-RUN.svg, subspace-RUN.svg and (when the data has aligned pairs)
/// bridge-RUN.svg per run, stability.svg when there is
/// stability, and report.html, each atomically. `directory` and its parents
/// are created as needed. Nothing is written when the report is malformed.
Status writeAnalysisReport(const nlohmann::ordered_json &report,
                           const std::string &directory);

} // namespace prism

#endif // PRISM_TOOLS_REPORT_ANALYSISREPORT_H
