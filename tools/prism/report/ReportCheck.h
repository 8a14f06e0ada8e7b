//===- ReportCheck.h - Shape of an analysis report --------------*- C++ -*-===//
//
// The renderer reads the report JSON of docs/analysis.md. Before anything is
// drawn, checkReport walks the whole layout once: a missing key, a wrong type,
// a non-finite number or mismatched lengths is an error naming its key path
// (`runs[0].concepts.modality_histogram: expected an object, found an
// array`). The plots and the page then read a report known to be well formed.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_TOOLS_REPORT_REPORTCHECK_H
#define PRISM_TOOLS_REPORT_REPORTCHECK_H

#include "prism/runtime/Status.h"

#include <nlohmann/json.hpp>

#include <optional>

namespace prism::report {

/// Ok when `report` has the layout of docs/analysis.md.
Status checkReport(const nlohmann::ordered_json &report);

/// A figure that may be null (undefined); checkReport made sure it is a
/// finite number or null.
inline std::optional<double> figure(const nlohmann::ordered_json &value) {
  if (value.is_null())
    return std::nullopt;
  return value.get<double>();
}

} // namespace prism::report

#endif // PRISM_TOOLS_REPORT_REPORTCHECK_H
