//===- ReportFindings.h - The Findings paragraph of a report ----*- C++ -*-===//
//
// A few sentences at the top of report.html, each stating figures read from
// the report (never a fixed claim) with links to their definitions: the
// modality split of the concepts, their norm in the modality subspace
// against a random direction, the stability across runs, the best SAE R²
// against the baselines at a comparable L0, and the top Bridge Score against
// its null model.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_TOOLS_REPORT_REPORTFINDINGS_H
#define PRISM_TOOLS_REPORT_REPORTFINDINGS_H

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

namespace prism::report {

/// Maps a definition key to the HTML that names (and links) it.
using DefinitionLink = std::function<std::string(const std::string &key)>;

/// The findings of `report` (accepted by checkReport), one HTML sentence
/// each, texts from the report escaped. A finding whose figures are all
/// null is left out.
std::vector<std::string> findingSentences(const nlohmann::ordered_json &report,
                                          const DefinitionLink &link);

/// A baseline is at an L0 comparable to `l0` when its L0 is within this
/// factor of it, either way.
constexpr double kComparableL0Factor = 2.0;

} // namespace prism::report

#endif // PRISM_TOOLS_REPORT_REPORTFINDINGS_H
