//===- ReportPlots.cpp - The plots of an analysis report ------------------===//
//
// Axis ranges come from the data: L0 is widened to whole decades, R² and
// counts to round tick steps. Points that cannot be drawn (a null figure, or
// L0 <= 0 on the log axis) are left out and counted in a note on the plot,
// never placed at a made-up position.
//
//===----------------------------------------------------------------------===//

#include "ReportPlots.h"

#include "ReportCheck.h"
#include "Svg.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>
#include <set>

using namespace prism::report;
using json = nlohmann::ordered_json;

namespace {

/// Characters of a run name in a plot title (16 px bold, 920 px wide) and
/// of a legend label (12 px, 225 px to the right of the plot).
constexpr size_t kTitleName = 48;
constexpr size_t kLegendLabel = 32;

/// An integer as digits, anything else with four significant digits.
std::string formatId(double value) {
  return value == std::floor(value) && std::fabs(value) < 1e15
             ? formatFixed(value, 0)
             : formatShort(value, 4);
}

/// [0, a round number >= the largest value], [0, 1] for no positive value.
std::pair<double, double> fromZero(const std::vector<double> &values) {
  double largest = 0;
  for (double v : values)
    largest = std::max(largest, v);
  return largest > 0 ? std::make_pair(0.0, niceRange(0, largest).second)
                     : std::make_pair(0.0, 1.0);
}

std::vector<double> numbers(const json &array) {
  std::vector<double> out;
  for (const json &v : array)
    out.push_back(v.get<double>());
  return out;
}

struct ParetoSeries {
  std::string method;
  bool baseline = false;
  std::vector<std::pair<double, double>> points; // (l0, r2), drawable ones
};

} // namespace

std::string prism::report::renderParetoPlot(const json &report) {
  std::vector<ParetoSeries> series;
  std::map<std::string, size_t> index;
  size_t skipped = 0;
  double minL0 = std::numeric_limits<double>::infinity(), maxL0 = 0;
  double minR2 = std::numeric_limits<double>::infinity();
  double maxR2 = -minR2;
  for (const json &entry : report["pareto"]) {
    std::string method = entry["method"];
    bool baseline = entry["kind"] == "baseline";
    // An SAE run and a baseline of the same name stay separate series.
    std::string key = (baseline ? "b:" : "s:") + method;
    if (!index.count(key)) {
      index[key] = series.size();
      series.push_back({method, baseline, {}});
    }
    std::optional<double> l0 = figure(entry["l0"]);
    std::optional<double> r2 = figure(entry["r2_per_dim"]);
    if (!l0 || !r2 || *l0 <= 0) {
      ++skipped;
      continue;
    }
    series[index[key]].points.push_back({*l0, *r2});
    minL0 = std::min(minL0, *l0);
    maxL0 = std::max(maxL0, *l0);
    minR2 = std::min(minR2, *r2);
    maxR2 = std::max(maxR2, *r2);
  }
  auto [xLo, xHi] =
      maxL0 > 0 ? decadeRange(minL0, maxL0) : std::make_pair(1.0, 10.0);
  auto [yLo, yHi] =
      maxR2 >= minR2 ? niceRange(minR2, maxR2) : std::make_pair(0.0, 1.0);

  SvgCanvas canvas(800, 470, "R² (per-dimension) against L0");
  PlotFrame frame(canvas, 80, 50, 470, 340, Scale{true, xLo, xHi},
                  Scale{false, yLo, yHi});
  frame.drawAxes("Reconstruction against sparsity",
                 "L0: mean non-zero codes per sample (log scale)",
                 "R² per-dimension (fraction of variance)",
                 log10Ticks(xLo, xHi), linearTicks(yLo, yHi));
  std::vector<LegendEntry> legend;
  for (size_t i = 0; i < series.size(); ++i) {
    ParetoSeries &s = series[i];
    std::sort(s.points.begin(), s.points.end());
    std::vector<double> xs;
    std::vector<std::optional<double>> ys;
    for (const auto &[l0, r2] : s.points) {
      xs.push_back(l0);
      ys.push_back(r2);
    }
    int shape = static_cast<int>(i % 4);
    std::string label = s.method + (s.baseline ? " (baseline)" : " (SAE)") +
                        (s.points.empty() ? ": n/a" : "");
    // The tooltips keep the whole name; the legend has 225 px.
    frame.series(xs, ys, paletteColour(i), s.baseline, shape, label);
    legend.push_back(
        {ellipsize(label, kLegendLabel), paletteColour(i), s.baseline, shape});
  }
  drawLegend(canvas, 575, 60, legend);
  if (skipped)
    canvas.text(575, 60 + 20.0 * static_cast<double>(legend.size()) + 10,
                std::to_string(skipped) +
                    " point(s) not drawn (n/a or L0 \u2264 0)",
                "start", 11, "note");
  return canvas.str();
}

std::string prism::report::renderModalityPlot(const json &run) {
  const json &h = run["concepts"]["modality_histogram"];
  std::vector<double> edges = numbers(h["edges"]);
  std::vector<double> counts = numbers(h["unweighted"]);
  std::vector<double> energy = numbers(h["energy_weighted"]);
  std::string name = run["name"];

  SvgCanvas canvas(920, 420,
                   "Modality score of the concepts of " + name +
                       ", unweighted and energy-weighted");
  canvas.text(460, 22,
              "Modality score of the concepts of " +
                  ellipsize(name, kTitleName),
              "middle", 16, "title", 0, true);
  const char *xLabel = "modality score (1 = image only, 0 = text only)";
  struct Panel {
    double left;
    const std::vector<double> *values;
    const char *title, *yLabel, *colour;
  } panels[] = {
      {90, &counts, "Unweighted", "concepts per bin", "#0072b2"},
      {550, &energy, "Energy-weighted", "share of total energy", "#d55e00"}};
  for (const Panel &panel : panels) {
    auto [yLo, yHi] = fromZero(*panel.values);
    PlotFrame frame(canvas, panel.left, 70, 320, 270,
                    Scale{false, edges.front(), edges.back()},
                    Scale{false, yLo, yHi});
    frame.drawAxes(panel.title, xLabel, panel.yLabel,
                   linearTicks(edges.front(), edges.back()),
                   linearTicks(yLo, yHi));
    frame.bars(edges, *panel.values, panel.colour);
  }
  return canvas.str();
}

std::optional<double> prism::report::randomDirectionNorm(const json &report) {
  std::optional<double> dims = figure(report["modality_subspace"]["dims"]);
  std::optional<double> dim = figure(report["data"]["dim"]);
  if (!dims || !dim || *dims < 0 || *dim <= 0)
    return std::nullopt;
  return std::sqrt(*dims / *dim);
}

SubspaceReference prism::report::subspaceReference(const json &report) {
  SubspaceReference reference;
  reference.norm = randomDirectionNorm(report);
  const json &subspace = report["modality_subspace"];
  auto random = subspace.find("random_direction");
  if (random != subspace.end() && !random->is_null()) {
    reference.accuracy = figure((*random)["mean_classifier_accuracy"]);
    reference.directions = figure((*random)["directions"]);
  }
  return reference;
}

std::string
prism::report::renderSubspacePlot(const json &run,
                                  const SubspaceReference &reference) {
  const json &c = run["concepts"];
  std::string name = run["name"];
  SvgCanvas canvas(920, 440,
                   "Modality subspace: ‖P_M d‖ and classifier accuracy of the "
                   "concepts of " +
                       name);
  canvas.text(460, 22,
              "Modality subspace and the concepts of " +
                  ellipsize(name, kTitleName),
              "middle", 16, "title", 0, true);
  std::string measured = reference.directions
                             ? "random directions: mean over " +
                                   formatShort(*reference.directions, 6) + " = "
                             : std::string("random directions: mean = ");
  struct Panel {
    double left;
    const json *histogram;
    double lo, hi; // the quantity's range, widened to the edges if needed
    const char *title, *xLabel, *colour;
    std::optional<double> reference;
    std::string legend;
  } panels[] = {{90, &c["norm_in_subspace_histogram"], 0, 1,
                 "Norm in the modality subspace",
                 "\u2016P_M d\u2016 of the unit decoder row", "#009e73",
                 reference.norm, "random direction: \u221a(dims/d) = "},
                {550, &c["classifier_accuracy_histogram"], 0.5, 1,
                 "Accuracy as an image-vs-text classifier",
                 "best-threshold accuracy of x\u00b7d (0.5 = chance)",
                 "#cc79a7", reference.accuracy, measured}};
  for (size_t p = 0; p < 2; ++p) {
    const Panel &panel = panels[p];
    std::vector<double> edges = numbers((*panel.histogram)["edges"]);
    std::vector<double> counts = numbers((*panel.histogram)["unweighted"]);
    double lo = std::min(panel.lo, edges.front());
    double hi = std::max(panel.hi, edges.back());
    auto [yLo, yHi] = fromZero(counts);
    PlotFrame frame(canvas, panel.left, 70, 320, 270, Scale{false, lo, hi},
                    Scale{false, yLo, yHi});
    frame.drawAxes(panel.title, panel.xLabel, "concepts per bin",
                   linearTicks(lo, hi), linearTicks(yLo, yHi));
    frame.bars(edges, counts, panel.colour);
    if (panel.reference && *panel.reference >= lo && *panel.reference <= hi) {
      double px = frame.getX().map(*panel.reference);
      canvas.line(px, 70, px, 340, "#222222", 1.5, "reference", true);
      drawLegend(canvas, panel.left, 405,
                 {{panel.legend + formatShort(*panel.reference, 3), "#222222",
                   true, -1, true}});
    } else if (p == 0) {
      // √(dims/d) is always expected; the measured accuracy reference is
      // absent from older reports and needs no note.
      canvas.text(panel.left, 409, "random-direction reference n/a", "start",
                  11, "note");
    }
  }
  return canvas.str();
}

std::string prism::report::renderStabilityPlot(const json &stability) {
  const json &pairs = stability["pairs"];
  size_t bins = 0;
  double lowest = 0, highest = 1;
  for (const json &pair : pairs) {
    bins = std::max(bins, pair["bins"].size());
    for (const json &bin : pair["bins"])
      if (std::optional<double> v = figure(bin["mean_cosine"])) {
        lowest = std::min(lowest, *v);
        highest = std::max(highest, *v);
      }
  }
  bins = std::max<size_t>(bins, 1);
  auto [yLo, yHi] = niceRange(lowest, highest);
  std::vector<Tick> xTicks;
  size_t every = bins <= 12 ? 1 : (bins + 11) / 12;
  for (size_t b = 1; b <= bins; b += every)
    xTicks.push_back({static_cast<double>(b), std::to_string(b)});

  SvgCanvas canvas(800, 470, "Mean matched cosine against energy decile");
  PlotFrame frame(canvas, 80, 50, 470, 340,
                  Scale{false, 0.5, static_cast<double>(bins) + 0.5},
                  Scale{false, yLo, yHi});
  frame.drawAxes("Stability across runs by concept energy",
                 "energy decile of run a (1 = rarest; dead concepts first)",
                 "mean matched cosine", xTicks, linearTicks(yLo, yHi));
  std::vector<LegendEntry> legend;
  for (size_t i = 0; i < pairs.size(); ++i) {
    std::vector<double> xs;
    std::vector<std::optional<double>> ys;
    for (size_t b = 0; b < pairs[i]["bins"].size(); ++b) {
      xs.push_back(static_cast<double>(b + 1));
      ys.push_back(figure(pairs[i]["bins"][b]["mean_cosine"]));
    }
    std::string label = pairs[i]["a"].get<std::string>() + " vs " +
                        pairs[i]["b"].get<std::string>();
    int shape = static_cast<int>(i % 4);
    frame.series(xs, ys, paletteColour(i), true, shape, label);
    legend.push_back(
        {ellipsize(pairs[i]["a"].get<std::string>(), kLegendLabel / 2 - 2) +
             " vs " +
             ellipsize(pairs[i]["b"].get<std::string>(), kLegendLabel / 2 - 2),
         paletteColour(i), true, shape});
  }
  drawLegend(canvas, 575, 60, legend);
  return canvas.str();
}

std::string prism::report::renderBridgePlot(const json &run) {
  const json &heat = run["bridge"]["heatmap"];
  std::string name = run["name"];
  HeatMap map;
  map.title = "Bridge score B of " + ellipsize(name, kTitleName) +
              " over its top concepts";
  map.rowAxis = "image-side concept";
  map.columnAxis = "text-side concept";
  map.valueName = "bridge score B_ij";
  for (const json &id : heat["image_concepts"])
    map.rowLabels.push_back("#" + formatId(id.get<double>()));
  for (const json &id : heat["text_concepts"])
    map.columnLabels.push_back("#" + formatId(id.get<double>()));
  if (map.rowLabels.empty() || map.columnLabels.empty()) {
    SvgCanvas canvas(520, 80, map.title);
    canvas.text(260, 30, map.title, "middle", 15, "title", 0, true);
    canvas.text(260, 58, "no bridge concepts to show", "middle", 13, "note");
    return canvas.str();
  }
  for (const json &row : heat["values"]) {
    map.values.emplace_back();
    for (const json &v : row)
      map.values.back().push_back(figure(v));
  }
  return renderHeatMap(map);
}

std::vector<std::string> prism::report::runFileStems(const json &report) {
  std::vector<std::string> stems;
  std::set<std::string> taken;
  for (const json &run : report["runs"]) {
    std::string stem = run["name"];
    for (char &c : stem)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' &&
          c != '_' && c != '-')
        c = '_';
    if (stem.empty() || stem[0] == '.')
      stem = "run" + stem;
    std::string unique = stem;
    for (int k = 2; taken.count(unique); ++k)
      unique = stem + "-" + std::to_string(k);
    taken.insert(unique);
    stems.push_back(unique);
  }
  return stems;
}
