//===- AnalysisReport.cpp - Writing an analysis report's files ------------===//
//
// Everything is rendered in memory first, so a report that fails to render
// leaves no files behind; then each file replaces its old version atomically.
//
//===----------------------------------------------------------------------===//

#include "AnalysisReport.h"

#include "ReportCheck.h"
#include "ReportHtml.h"
#include "ReportPlots.h"

#include "prism/runtime/AtomicFile.h"

#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <utility>
#include <vector>

using namespace prism;
using namespace prism::report;
using json = nlohmann::ordered_json;

namespace {

/// mkdir -p: creates `directory` and any missing parents.
Status createDirectories(const std::string &directory) {
  if (directory.empty())
    return Status::error(directory, "report directory: empty path");
  for (size_t end = 1; end <= directory.size(); ++end) {
    if (end != directory.size() && directory[end] != '/')
      continue;
    std::string prefix = directory.substr(0, end);
    if (::mkdir(prefix.c_str(), 0777) != 0 && errno != EEXIST)
      return Status::error(prefix, std::string("cannot create directory: ") +
                                       std::strerror(errno));
  }
  struct stat info;
  if (::stat(directory.c_str(), &info) != 0 || !S_ISDIR(info.st_mode))
    return Status::error(directory, "report directory: not a directory");
  return Status::ok();
}

} // namespace

Status prism::writeAnalysisReport(const json &report,
                                  const std::string &directory) {
  if (Status s = checkReport(report); !s.isOk())
    return s;
  std::vector<std::pair<std::string, std::string>> files;
  try {
    // Invalid UTF-8 in a caption becomes U+FFFD rather than an exception.
    files.push_back(
        {"report.json",
         report.dump(2, ' ', false, json::error_handler_t::replace) + "\n"});
    RenderedPlots plots;
    plots.stems = runFileStems(report);
    plots.pareto = renderParetoPlot(report);
    files.push_back({"pareto.svg", plots.pareto});
    const json &runs = report["runs"];
    SubspaceReference reference = subspaceReference(report);
    for (size_t i = 0; i < runs.size(); ++i) {
      plots.modality.push_back(renderModalityPlot(runs[i]));
      plots.subspace.push_back(renderSubspacePlot(runs[i], reference));
      files.push_back(
          {"modality-" + plots.stems[i] + ".svg", plots.modality.back()});
      files.push_back(
          {"subspace-" + plots.stems[i] + ".svg", plots.subspace.back()});
      // Data without aligned pairs has no Bridge Score to draw.
      plots.bridge.push_back(
          runs[i]["bridge"].is_null() ? "" : renderBridgePlot(runs[i]));
      if (!plots.bridge.back().empty())
        files.push_back(
            {"bridge-" + plots.stems[i] + ".svg", plots.bridge.back()});
    }
    if (!report["stability"].is_null()) {
      plots.stability = renderStabilityPlot(report["stability"]);
      files.push_back({"stability.svg", plots.stability});
    }
    files.push_back({"report.html", renderReportHtml(report, plots)});
  } catch (const json::exception &e) {
    // checkReport should have caught this; report it rather than throw.
    return Status::error("", std::string("report: ") + e.what());
  }
  if (Status s = createDirectories(directory); !s.isOk())
    return s;
  for (const auto &[name, contents] : files)
    if (Status s = writeFileAtomically(directory + "/" + name, contents);
        !s.isOk())
      return s;
  return Status::ok();
}
