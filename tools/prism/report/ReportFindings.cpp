//===- ReportFindings.cpp - The Findings paragraph of a report ------------===//
//
// Each finding gathers one figure over the runs ("0.080 (run a), 0.075 (run
// b)") so the paragraph stays a few lines long for any number of runs. Runs
// whose figure is null are left out of the list rather than shown as n/a:
// the tables below show every run.
//
//===----------------------------------------------------------------------===//

#include "ReportFindings.h"

#include "ReportCheck.h"
#include "ReportPlots.h"
#include "Svg.h"

#include <cmath>

using namespace prism::report;
using json = nlohmann::ordered_json;

namespace {

std::string percent(double fraction) {
  return formatFixed(100 * fraction, 1) + "%";
}

std::string runName(const json &run) {
  return "run <em>" + escapeXml(run["name"]) + "</em>";
}

/// "A, B and C".
std::string joinList(const std::vector<std::string> &items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i)
    out += (i == 0 ? "" : i + 1 == items.size() ? " and " : ", ") + items[i];
  return out;
}

std::string modalitySplit(const json &report, const DefinitionLink &link) {
  std::vector<std::string> parts;
  for (const json &run : report["runs"]) {
    const json &c = run["concepts"];
    std::optional<double> above = figure(c["modality_above_0_9"]);
    std::optional<double> below = figure(c["modality_below_0_1"]);
    std::optional<double> defined = figure(c["modality_defined"]);
    if (!above || !below)
      continue;
    std::string of =
        defined ? ", of " + formatShort(*defined, 6) + " defined" : "";
    parts.push_back(parts.empty()
                        ? percent(*above) +
                              " of concepts have a modality "
                              "score above 0.9 and " +
                              percent(*below) + " below 0.1 (" + runName(run) +
                              of + ")"
                        : percent(*above) + " and " + percent(*below) + " (" +
                              runName(run) + of + ")");
  }
  if (parts.empty())
    return "";
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i)
    out += (i ? "; " : "") + parts[i];
  return out + " " + link("modality_score") + ".";
}

std::string subspaceNorm(const json &report, const DefinitionLink &link) {
  std::vector<std::string> norms, accuracies;
  for (const json &run : report["runs"]) {
    const json &c = run["concepts"];
    if (std::optional<double> v = figure(c["mean_norm_in_subspace"]))
      norms.push_back(formatFixed(*v, 3) + " (" + runName(run) + ")");
    if (std::optional<double> v = figure(c["mean_classifier_accuracy"]))
      accuracies.push_back(formatFixed(*v, 3) + " (" + runName(run) + ")");
  }
  // The chance reference measured on random directions, in newer reports.
  std::optional<double> measuredNorm, measuredAccuracy;
  std::string directions = "random directions";
  auto random = report["modality_subspace"].find("random_direction");
  if (random != report["modality_subspace"].end() && !random->is_null()) {
    measuredNorm = figure((*random)["mean_norm_in_subspace"]);
    measuredAccuracy = figure((*random)["mean_classifier_accuracy"]);
    if (std::optional<double> n = figure((*random)["directions"]))
      directions = formatShort(*n, 6) + " random directions";
  }
  std::string out;
  if (!norms.empty()) {
    out = "Mean ‖P<sub>M</sub> d‖ over alive concepts = " + joinList(norms);
    if (std::optional<double> random = randomDirectionNorm(report))
      out += ", against √(dims/d) = √(" +
             formatShort(report["modality_subspace"]["dims"].get<double>(), 6) +
             "/" + formatShort(report["data"]["dim"].get<double>(), 6) +
             ") = " + formatFixed(*random, 3) + " for a random direction";
    if (measuredNorm)
      out += ", and " + formatFixed(*measuredNorm, 3) + " measured over " +
             directions + " " + link("random_direction");
    out += " " + link("norm_in_subspace") + ".";
  }
  if (!accuracies.empty()) {
    out += std::string(out.empty() ? "" : " ") +
           "Mean accuracy of a concept's direction as an image-vs-text "
           "classifier = " +
           joinList(accuracies) + " (0.5 is chance on balanced data";
    if (measuredAccuracy)
      out += "; " + formatFixed(*measuredAccuracy, 3) + " over " + directions;
    out += ") " + link("classifier_accuracy") + ".";
  }
  return out;
}

std::string stability(const json &report, const DefinitionLink &link) {
  const json &s = report["stability"];
  if (s.is_null())
    return "";
  std::optional<double> mean = figure(s["mean"]);
  std::optional<double> top = figure(s["mean_top_energy_decile"]);
  if (!mean && !top)
    return "";
  size_t pairs = s["pairs"].size();
  std::string out = "Mean stability over " + std::to_string(pairs) +
                    (pairs == 1 ? " pair" : " pairs") + " of runs = " +
                    (mean ? formatFixed(*mean, 3) : std::string("n/a"));
  if (top)
    out += " (top-energy decile " + formatFixed(*top, 3) + ")";
  return out + " " + link("stability") + ".";
}

std::string reconstruction(const json &report, const DefinitionLink &link) {
  const json *best = nullptr;
  for (const json &run : report["runs"]) {
    std::optional<double> r2 = figure(run["r2_per_dim"]);
    if (r2 && figure(run["l0"]) &&
        (!best || *r2 > (*best)["r2_per_dim"].get<double>()))
      best = &run;
  }
  if (!best)
    return "";
  double r2 = (*best)["r2_per_dim"].get<double>();
  double l0 = (*best)["l0"].get<double>();
  std::string out = "Best SAE R² per-dimension = " + formatFixed(r2, 3) +
                    " at L0 = " + formatFixed(l0, 1) + " (" + runName(*best) +
                    ")";
  // The best baseline point whose L0 is within the factor of the SAE's.
  const json *baseline = nullptr, *point = nullptr;
  for (const json &b : report["baselines"])
    for (const json &p : b["points"]) {
      std::optional<double> pl0 = figure(p["l0"]);
      std::optional<double> pr2 = figure(p["r2_per_dim"]);
      if (!pl0 || !pr2 || !(l0 > 0) || *pl0 < l0 / kComparableL0Factor ||
          *pl0 > l0 * kComparableL0Factor)
        continue;
      if (!point || *pr2 > (*point)["r2_per_dim"].get<double>()) {
        baseline = &b;
        point = &p;
      }
    }
  std::string factor = formatShort(kComparableL0Factor, 3);
  if (point)
    out += "; best baseline with L0 within a factor " + factor + ": " +
           escapeXml((*baseline)["method"]) + " = " +
           formatFixed((*point)["r2_per_dim"].get<double>(), 3) +
           " at L0 = " + formatFixed((*point)["l0"].get<double>(), 1);
  else if (!report["baselines"].empty())
    out += "; no baseline has an L0 within a factor " + factor + " of it";
  return out + " " + link("r2_per_dim") + " " + link("l0") + ".";
}

std::string bridges(const json &report, const DefinitionLink &link) {
  std::vector<std::string> parts;
  for (const json &run : report["runs"]) {
    const json &b = run["bridge"];
    if (b.is_null() || b["top"].empty())
      continue;
    const json &top = b["top"][0];
    std::optional<double> score = figure(top["score"]);
    if (!score)
      continue;
    std::string part = formatShort(*score, 3) + " (" + runName(run);
    if (std::optional<double> null = figure(b["null"]["top_score_max"])) {
      std::optional<double> shuffles = figure(b["null"]["shuffles"]);
      part += "; at most " + formatShort(*null, 3) + " with the captions " +
              (shuffles
                   ? "shuffled, over " + formatShort(*shuffles, 6) + " shuffles"
                   : std::string("shuffled"));
    }
    parts.push_back(part + ")");
  }
  if (parts.empty())
    return "";
  return "Largest off-diagonal Bridge Score B<sub>ij</sub> = " +
         joinList(parts) + " " + link("bridge_score") + " " +
         link("bridge_null") + ".";
}

} // namespace

std::vector<std::string>
prism::report::findingSentences(const json &report,
                                const DefinitionLink &link) {
  std::vector<std::string> out;
  for (std::string sentence :
       {modalitySplit(report, link), subspaceNorm(report, link),
        stability(report, link), reconstruction(report, link),
        bridges(report, link)})
    if (!sentence.empty())
      out.push_back(std::move(sentence));
  return out;
}
