//===- ReportHtml.h - The analysis report as one HTML page ------*- C++ -*-===//
//
// report.html: tables of every figure, the plots inlined as <svg> elements
// and the definitions, in one file with inline CSS and no scripts or external
// resources, so it can be mailed or archived as is.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_TOOLS_REPORT_REPORTHTML_H
#define PRISM_TOOLS_REPORT_REPORTHTML_H

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace prism::report {

/// The SVG documents of a report, as written beside report.html.
struct RenderedPlots {
  std::string pareto;
  std::vector<std::string> modality; // one per run, in report order
  std::vector<std::string> subspace; // one per run
  std::vector<std::string> bridge;   // one per run; empty without pairs
  std::string stability;             // empty when the report has none
  std::vector<std::string> stems;    // runFileStems: modality-STEM.svg, ...
};

/// The page for `report` (accepted by checkReport) with `plots` inlined.
std::string renderReportHtml(const nlohmann::ordered_json &report,
                             const RenderedPlots &plots);

} // namespace prism::report

#endif // PRISM_TOOLS_REPORT_REPORTHTML_H
