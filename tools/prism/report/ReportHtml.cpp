//===- ReportHtml.cpp - The analysis report as one HTML page --------------===//
//
// Every text that comes from the report (names, paths, captions, the command
// line, definitions) goes through escapeXml. Each figure's heading links to
// the definition it follows, by the key it has in "definitions"; a key the
// report does not define is shown without a link so no anchor dangles.
//
//===----------------------------------------------------------------------===//

#include "ReportHtml.h"

#include "ReportCheck.h"
#include "ReportFindings.h"
#include "Svg.h"

#include <cmath>

using namespace prism::report;
using json = nlohmann::ordered_json;

namespace {

const char *const kStyle = R"css(
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif;
       font-size: 15px; line-height: 1.45; color: #222; background: #fff;
       margin: 0; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 32px 64px; }
h1 { font-size: 26px; margin: 0 0 8px; }
h2 { font-size: 21px; margin: 36px 0 10px; border-bottom: 2px solid #0072b2;
     padding-bottom: 4px; }
h3 { font-size: 17px; margin: 24px 0 8px; overflow-wrap: anywhere; }
h4 { font-size: 15px; margin: 16px 0 6px; }
ul.findings li { margin: 4px 0; }
code { font-family: "DejaVu Sans Mono", Menlo, monospace; font-size: 13px;
       background: #f3f3f3; padding: 1px 4px; border-radius: 3px;
       overflow-wrap: anywhere; }
nav a { margin-right: 14px; }
a { color: #0061a0; }
.wrap { overflow-x: auto; }
table { border-collapse: collapse; margin: 8px 0 12px; font-size: 14px; }
th, td { border: 1px solid #cfcfcf; padding: 4px 9px; text-align: left;
         vertical-align: top; }
th { background: #eef3f8; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums;
         white-space: nowrap; }
.na { color: #777; font-style: italic; }
.def { font-size: 12px; font-weight: normal; color: #555; }
.def a, a.def { color: #555; }
figure { margin: 12px 0 20px; }
figure svg { max-width: 100%; height: auto; border: 1px solid #e3e3e3; }
figcaption { font-size: 13px; color: #444; margin-top: 4px; }
ul.captions { margin: 0; padding-left: 18px; }
td.captions { background: #fafafa; font-size: 13px; color: #333; }
td { overflow-wrap: anywhere; }
dl dt { font-weight: 600; margin-top: 10px; font-family: "DejaVu Sans Mono",
        monospace; }
dl dd { margin-left: 20px; }
p.note { color: #555; }
)css";

std::string esc(const std::string &text) { return escapeXml(text); }

/// A numeric table cell: the figure with `decimals` decimals, or n/a.
std::string numberCell(const json &value, int decimals) {
  std::optional<double> v = figure(value);
  if (!v)
    return "<td class=\"num na\">n/a</td>";
  return "<td class=\"num\">" + formatFixed(*v, decimals) + "</td>";
}

/// A count (or id) cell: integers as digits, others with 4 significant
/// digits, null as n/a.
std::string countCell(const json &value) {
  std::optional<double> v = figure(value);
  if (!v)
    return "<td class=\"num na\">n/a</td>";
  bool integral = *v == std::floor(*v) && std::fabs(*v) < 1e15;
  return "<td class=\"num\">" +
         (integral ? formatFixed(*v, 0) : formatShort(*v, 4)) + "</td>";
}

/// A figure with significant digits (small scores such as B_ij).
std::string shortCell(const json &value) {
  std::optional<double> v = figure(value);
  if (!v)
    return "<td class=\"num na\">n/a</td>";
  return "<td class=\"num\">" + formatShort(*v, 3) + "</td>";
}

std::string textCell(const std::string &text) {
  return "<td>" + esc(text) + "</td>";
}

class Page {
public:
  Page(const json &report, const RenderedPlots &plots)
      : report(report), plots(plots), definitions(report["definitions"]) {}

  std::string render() {
    out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta "
           "charset=\"utf-8\">\n<meta name=\"viewport\" "
           "content=\"width=device-width, initial-scale=1\">\n<title>Prism "
           "concept analysis</title>\n<style>" +
           std::string(kStyle) + "</style>\n</head>\n<body>\n<main>\n";
    out += "<h1>Prism concept analysis</h1>\n<p><code>" +
           esc(report["command"]) + "</code></p>\n";
    out += "<nav><a href=\"#findings\">Findings</a><a "
           "href=\"#data\">Data</a><a href=\"#summary\">Summary</a>"
           "<a href=\"#baselines\">Baselines</a><a href=\"#pareto\">Pareto</a>"
           "<a href=\"#modality\">Modality</a><a href=\"#stability\">"
           "Stability</a><a href=\"#bridge\">Bridges</a><a "
           "href=\"#definitions\">Definitions</a></nav>\n";
    findings();
    data();
    runs();
    baselines();
    pareto();
    modality();
    stability();
    bridges();
    definitionList();
    out += "</main>\n</body>\n</html>\n";
    return out;
  }

private:
  const json &report;
  const RenderedPlots &plots;
  const json &definitions;
  std::string out;

  /// The name of definition `key`, linked to it when the report defines it.
  std::string def(const std::string &key) const {
    if (definitions.contains(key))
      return "<a class=\"def\" href=\"#def-" + esc(key) + "\">" + esc(key) +
             "</a>";
    return "<span class=\"def\">" + esc(key) + "</span>";
  }

  /// A header cell with its definition's name below the label.
  std::string header(const std::string &label, const std::string &key) const {
    return "<th>" + label + (key.empty() ? "" : "<br>" + def(key)) + "</th>";
  }

  void figureBlock(const std::string &svg, const std::string &file,
                   const std::string &caption,
                   std::initializer_list<const char *> keys) {
    out += "<figure>\n" + svg + "<figcaption>" + caption + " Definitions: ";
    bool first = true;
    for (const char *key : keys) {
      out += (first ? "" : ", ") + def(key);
      first = false;
    }
    out += ". File: <code>" + esc(file) + "</code>.</figcaption>\n</figure>\n";
  }

  void findings() {
    std::vector<std::string> sentences = findingSentences(
        report, [this](const std::string &key) { return def(key); });
    out += "<section id=\"findings\">\n<h2>Findings</h2>\n";
    if (sentences.empty()) {
      out += "<p class=\"na\">n/a: no figure of this report is "
             "defined.</p>\n</section>\n";
      return;
    }
    out += "<ul class=\"findings\">\n";
    for (const std::string &sentence : sentences)
      out += "<li>" + sentence + "</li>\n";
    out += "</ul>\n</section>\n";
  }

  void data() {
    const json &d = report["data"];
    const json &m = report["modality_subspace"];
    out += "<section id=\"data\">\n<h2>Data</h2>\n<div class=\"wrap\"><table>"
           "\n<tr><th>path</th><th>rows</th><th>image rows</th><th>text "
           "rows</th><th>pairs</th><th>dimension</th></tr>\n<tr>" +
           textCell(d["path"]) + countCell(d["rows"]) +
           countCell(d["image_rows"]) + countCell(d["text_rows"]) +
           countCell(d["pairs"]) + countCell(d["dim"]) +
           "</tr>\n</table></div>\n";
    out += "<h3>Modality subspace " + def("modality_subspace") +
           "</h3>\n<div class=\"wrap\"><table>\n<tr><th>method</th>"
           "<th>dimensions</th>";
    const json &accuracy = m["accuracy"];
    for (size_t i = 0; i < accuracy.size(); ++i)
      out += "<th>accuracy, iteration " + std::to_string(i + 1) + "</th>";
    out += "</tr>\n<tr>" + textCell(m["method"]) + countCell(m["dims"]);
    for (const json &a : accuracy)
      out += numberCell(a, 3);
    out += "</tr>\n</table></div>\n<p class=\"note\">Held-in accuracy of the "
           "image-vs-text classifier fitted at each nullspace-projection "
           "iteration.</p>\n</section>\n";
  }

  void runs() {
    out += "<section id=\"summary\">\n<h2>Summary per run</h2>\n<div "
           "class=\"wrap\"><table>\n<tr><th>run</th>" +
           header("R² per-dimension", "r2_per_dim") +
           header("R² global", "r2_global") + header("L0", "l0") +
           header("dead fraction", "dead_fraction") +
           header("modality &gt; 0.9", "modality_score") +
           header("modality &lt; 0.1", "modality_score") +
           header("mean ‖P<sub>M</sub> d‖", "norm_in_subspace") +
           header("mean classifier accuracy", "classifier_accuracy") +
           "</tr>\n";
    for (const json &run : report["runs"]) {
      const json &c = run["concepts"];
      out += "<tr>" + textCell(run["name"]) + numberCell(run["r2_per_dim"], 4) +
             numberCell(run["r2_global"], 4) + numberCell(run["l0"], 2) +
             numberCell(run["dead_fraction"], 3) +
             numberCell(c["modality_above_0_9"], 3) +
             numberCell(c["modality_below_0_1"], 3) +
             numberCell(c["mean_norm_in_subspace"], 3) +
             numberCell(c["mean_classifier_accuracy"], 3) + "</tr>\n";
    }
    out += "</table></div>\n<p class=\"note\">Modality fractions are of the "
           "concepts whose modality score is defined (alive).</p>\n";
    out += "<h3>Runs</h3>\n<div class=\"wrap\"><table>\n<tr><th>run</th>"
           "<th>path</th><th>model</th><th>architecture</th><th>seed</th>"
           "<th>step</th><th>latents</th><th>alive</th><th>modality "
           "defined</th><th>selection</th></tr>\n";
    for (const json &run : report["runs"])
      out += "<tr>" + textCell(run["name"]) + textCell(run["path"]) +
             textCell(run["model"]) + textCell(run["architecture"]) +
             countCell(run["seed"]) + countCell(run["step"]) +
             countCell(run["latents"]) + countCell(run["concepts"]["alive"]) +
             countCell(run["concepts"]["modality_defined"]) +
             textCell(run["selection"]) + "</tr>\n";
    out += "</table></div>\n</section>\n";
  }

  void baselines() {
    out += "<section id=\"baselines\">\n<h2>Linear baselines</h2>\n";
    if (report["baselines"].empty()) {
      out += "<p class=\"na\">n/a: no baselines in this report.</p>\n"
             "</section>\n";
      return;
    }
    out += "<div class=\"wrap\"><table>\n<tr><th>method</th><th>size</th>" +
           header("L0", "l0") + header("R² per-dimension", "r2_per_dim") +
           header("R² global", "r2_global") + "</tr>\n";
    for (const json &baseline : report["baselines"])
      for (const json &point : baseline["points"])
        out += "<tr>" + textCell(baseline["method"]) +
               countCell(point["size"]) + numberCell(point["l0"], 2) +
               numberCell(point["r2_per_dim"], 4) +
               numberCell(point["r2_global"], 4) + "</tr>\n";
    out += "</table></div>\n</section>\n";
  }

  void pareto() {
    out += "<section id=\"pareto\">\n<h2>Reconstruction against "
           "sparsity</h2>\n";
    figureBlock(plots.pareto, "pareto.svg",
                "R² per-dimension against L0 (log scale): baselines as lines "
                "through their sweep, SAE runs as single points.",
                {"r2_per_dim", "l0"});
    out += "</section>\n";
  }

  void modality() {
    out += "<section id=\"modality\">\n<h2>Modality of concepts</h2>\n";
    const json &runs = report["runs"];
    for (size_t i = 0; i < runs.size(); ++i) {
      out += "<h3>" + esc(runs[i]["name"]) + "</h3>\n";
      figureBlock(plots.modality[i], "modality-" + plots.stems[i] + ".svg",
                  "Histogram of the modality score over alive concepts: "
                  "concept counts (left) and the share of total energy "
                  "(right).",
                  {"modality_score", "energy"});
      figureBlock(plots.subspace[i], "subspace-" + plots.stems[i] + ".svg",
                  "Histograms over alive concepts of the norm of the unit "
                  "decoder row in the modality subspace (left) and of its "
                  "accuracy as an image-vs-text classifier (right). Dashed: "
                  "what a random direction gives (√(dims/d) for the norm; "
                  "for the accuracy, the mean over random directions when "
                  "the report has measured it).",
                  {"norm_in_subspace", "classifier_accuracy"});
    }
    out += "</section>\n";
  }

  void stability() {
    out += "<section id=\"stability\">\n<h2>Stability across runs " +
           def("stability") + "</h2>\n";
    const json &s = report["stability"];
    if (s.is_null()) {
      out += "<p class=\"na\">n/a: stability needs at least two runs.</p>\n"
             "</section>\n";
      return;
    }
    out += "<div class=\"wrap\"><table>\n<tr><th>run a</th><th>run b</th>" +
           header("stability", "stability") +
           header("top energy decile", "stability") + "</tr>\n";
    for (const json &pair : s["pairs"])
      out += "<tr>" + textCell(pair["a"]) + textCell(pair["b"]) +
             numberCell(pair["stability"], 3) +
             numberCell(pair["top_energy_decile"], 3) + "</tr>\n";
    out += "<tr><th colspan=\"2\">mean over pairs</th>" +
           numberCell(s["mean"], 3) +
           numberCell(s["mean_top_energy_decile"], 3) +
           "</tr>\n</table></div>\n";
    figureBlock(plots.stability, "stability.svg",
                "Mean matched cosine of run a's concepts, binned by their "
                "energy (deciles; dead concepts in the first bin).",
                {"stability", "energy"});
    out += "</section>\n";
  }

  /// The table of bridge pairs `entries`; the chance co-activation column
  /// when every entry has it (reports before it existed have none). Each
  /// pair's captions take a row of their own below its figures, so long
  /// captions get the table's width instead of a narrow last column.
  void pairTable(const json &entries) {
    if (entries.empty()) {
      out += "<p class=\"na\">n/a: no bridge pairs.</p>\n";
      return;
    }
    bool chance = true;
    for (const json &entry : entries)
      chance &= entry.contains("chance_coactivation");
    size_t columns = chance ? 9 : 8; // after the rank
    out +=
        "<div class=\"wrap\"><table class=\"pairs\">\n<tr><th>#</th>"
        "<th>image concept</th><th>text concept</th>" +
        header("B<sub>ij</sub>", "bridge_score") +
        header("co-activation C<sub>ij</sub>", "coactivation") +
        (chance ? header("chance co-activation", "chance_coactivation") : "") +
        "<th>cosine</th>" +
        header("cross-correlation ρ<sub>ij</sub>", "cross_correlation") +
        header("image modality", "modality_score") +
        header("text modality", "modality_score") + "</tr>\n";
    size_t rank = 1;
    for (const json &top : entries) {
      out += "<tr><td class=\"num\" rowspan=\"2\">" + std::to_string(rank++) +
             "</td>" + countCell(top["image_concept"]) +
             countCell(top["text_concept"]) + shortCell(top["score"]) +
             shortCell(top["coactivation"]) +
             (chance ? shortCell(top["chance_coactivation"]) : "") +
             numberCell(top["cosine"], 3) +
             numberCell(top["cross_correlation"], 3) +
             numberCell(top["image_modality"], 3) +
             numberCell(top["text_modality"], 3) +
             "</tr>\n<tr class=\"captions\"><td class=\"captions\" "
             "colspan=\"" +
             std::to_string(columns) + "\">";
      if (top["captions"].empty())
        out += "<span class=\"na\">n/a: no captions</span>";
      else {
        out += "<ul class=\"captions\">";
        for (const json &caption : top["captions"])
          out += "<li>" + esc(caption) + "</li>";
        out += "</ul>";
      }
      out += "</td></tr>\n";
    }
    out += "</table></div>\n";
  }

  void bridges() {
    out += "<section id=\"bridge\">\n<h2>Bridge concepts " +
           def("bridge_score") + "</h2>\n";
    const json &runs = report["runs"];
    for (size_t i = 0; i < runs.size(); ++i) {
      const json &b = runs[i]["bridge"];
      out += "<h3>" + esc(runs[i]["name"]) + "</h3>\n";
      if (b.is_null()) {
        out += "<p class=\"na\">n/a: the data has no aligned image-caption "
               "pairs.</p>\n";
        continue;
      }
      const json &null = b["null"];
      // support and diagonal came later; older reports lack them.
      bool support = b.contains("support"), diagonal = b.contains("diagonal");
      out += "<div class=\"wrap\"><table>\n<tr><th>pairs</th>" +
             std::string(support ? "<th>support (non-zero C<sub>ij</sub>)"
                                   "</th>"
                                 : "") +
             "<th>total Σ B<sub>ij</sub></th>" +
             (diagonal ? "<th>diagonal Σ B<sub>ii</sub></th>" : "") +
             "<th>shuffles " + def("bridge_null") +
             "</th><th>null total, mean</th><th>null top score, mean</th>"
             "<th>null top score, max</th></tr>\n<tr>" +
             countCell(b["pairs"]) + (support ? countCell(b["support"]) : "") +
             shortCell(b["total"]) +
             (diagonal ? shortCell(b["diagonal"]) : "") +
             countCell(null["shuffles"]) + shortCell(null["total_mean"]) +
             shortCell(null["top_score_mean"]) +
             shortCell(null["top_score_max"]) + "</tr>\n</table></div>\n";
      out += "<h4>Top bridge pairs by B<sub>ij</sub></h4>\n";
      pairTable(b["top"]);
      if (b.contains("top_cross_correlation")) {
        out += "<h4>Top bridge pairs by cross-correlation, ρ<sub>ij</sub> · "
               "cos(d<sub>i</sub>, d<sub>j</sub>) " +
               def("cross_correlation_bridge") + "</h4>\n";
        pairTable(b["top_cross_correlation"]);
      }
      figureBlock(plots.bridge[i], "bridge-" + plots.stems[i] + ".svg",
                  "Bridge score B<sub>ij</sub> between image-side concepts "
                  "(rows) and text-side concepts (columns) over the top "
                  "bridge concepts.",
                  {"bridge_score"});
    }
    out += "</section>\n";
  }

  void definitionList() {
    out += "<section id=\"definitions\">\n<h2>Definitions</h2>\n<dl>\n";
    for (const auto &[key, text] : definitions.items())
      out += "<dt id=\"def-" + esc(key) + "\">" + esc(key) + "</dt><dd>" +
             esc(text.get<std::string>()) + "</dd>\n";
    out += "</dl>\n</section>\n";
  }
};

} // namespace

std::string prism::report::renderReportHtml(const json &report,
                                            const RenderedPlots &plots) {
  return Page(report, plots).render();
}
