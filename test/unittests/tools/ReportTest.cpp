//===- ReportTest.cpp - Writing an analysis report's files ----------------===//
//
// A small report is built by hand, rendered with writeAnalysisReport and the
// files are checked against what the report implies: bar heights in the
// ratio of the counts, the log-scale point at the middle of its decades,
// escaped captions, n/a for nulls, every SVG inline in the page. The SVGs
// must parse as XML and the page's tags must balance, both checked by
// Python's parsers (PRISM_PYTHON) at test time.
//
//===----------------------------------------------------------------------===//

#include "TestFiles.h"

#include "report/AnalysisReport.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <regex>

using namespace prism;
using namespace prism::test;
using json = nlohmann::ordered_json;

namespace {

const char *const kCaption = "<script>alert(\"x\")&</script>";

json histogram(std::vector<double> unweighted, std::vector<double> energy) {
  std::vector<double> edges;
  for (size_t i = 0; i <= unweighted.size(); ++i)
    edges.push_back(static_cast<double>(i) /
                    static_cast<double>(unweighted.size()));
  json h = {{"edges", edges}, {"unweighted", unweighted}};
  if (!energy.empty())
    h["energy_weighted"] = energy;
  return h;
}

/// Unweighted counts over equal bins from `lo` to `hi`.
json histogramOver(double lo, double hi, std::vector<double> counts) {
  std::vector<double> edges;
  for (size_t i = 0; i <= counts.size(); ++i)
    edges.push_back(lo + (hi - lo) * static_cast<double>(i) /
                             static_cast<double>(counts.size()));
  return {{"edges", edges}, {"unweighted", counts}};
}

json run(const std::string &name, json meanAccuracy) {
  return {{"name", name},
          {"path", "runs/" + name},
          {"model", "topk"},
          {"architecture", "topk"},
          {"seed", 1},
          {"step", 500},
          {"latents", 64},
          {"selection", "forward"},
          {"r2_per_dim", 0.979},
          {"r2_global", 0.986},
          {"l0", 10.0},
          {"dead_fraction", 0.08},
          {"concepts",
           {{"alive", 59},
            {"modality_defined", 59},
            {"modality_above_0_9", 0.377},
            {"modality_below_0_1", 0.369},
            {"modality_histogram", histogram({1, 3}, {0.25, 0.75})},
            {"mean_norm_in_subspace", 0.08},
            {"norm_in_subspace_histogram", histogramOver(0, 1, {1, 3, 0, 4})},
            {"mean_classifier_accuracy", meanAccuracy},
            {"classifier_accuracy_histogram", histogramOver(0.5, 1, {4, 2})}}},
          {"bridge",
           {{"pairs", 500},
            {"total", 0.12},
            {"top",
             {{{"image_concept", 12},
               {"text_concept", 873},
               {"score", 0.011},
               {"coactivation", 0.02},
               {"cosine", 0.55},
               {"cross_correlation", 0.7},
               {"image_modality", 0.98},
               {"text_modality", nullptr},
               {"captions", {kCaption, "a man riding a horse"}}}}},
            {"null",
             {{"shuffles", 5},
              {"total_mean", 0.01},
              {"top_score_mean", 0.001},
              {"top_score_max", 0.002}}},
            {"heatmap",
             {{"image_concepts", {12, 40}},
              {"text_concepts", {873, 5, 9}},
              {"values", {{0.011, 0.0, 0.002}, {0.001, nullptr, 0.004}}}}}}}};
}

/// Two runs (the second's mean classifier accuracy null), one baseline, a
/// Pareto front over L0 from 1 to 100 and the stability of the pair.
json sampleReport() {
  json report = {
      {"format", "prism-analysis-report"},
      {"version", 1},
      {"command", "prism analyze runs/a runs/b --data d.pemb -o out"},
      {"definitions",
       {{"r2_per_dim", "1 - sum |x - x^|^2 / sum |x - mean|^2"},
        {"l0", "mean number of non-zero codes per sample"},
        {"bridge_score", "B_ij = E[z_i^I z_j^T] cos(d_i, d_j) <&>"}}},
      {"data",
       {{"path", "d.pemb"},
        {"rows", 1000},
        {"image_rows", 500},
        {"text_rows", 500},
        {"pairs", 500},
        {"dim", 512}}},
      {"modality_subspace",
       {{"method", "lda-inlp"}, {"dims", 2}, {"accuracy", {0.99, 0.93}}}},
      {"runs", {run("topk-seed1", 0.61), run("topk-seed2", nullptr)}},
      {"baselines",
       {{{"method", "pca"},
         {"points",
          {{{"size", 1}, {"l0", 1}, {"r2_per_dim", 0.2}, {"r2_global", 0.3}},
           {{"size", 100},
            {"l0", 100},
            {"r2_per_dim", 0.9},
            {"r2_global", 0.93}}}}}}},
      {"pareto",
       {{{"method", "pca"},
         {"kind", "baseline"},
         {"l0", 100},
         {"r2_per_dim", 0.9},
         {"r2_global", 0.93}},
        {{"method", "pca"},
         {"kind", "baseline"},
         {"l0", 1},
         {"r2_per_dim", 0.2},
         {"r2_global", 0.3}},
        {{"method", "topk-seed1"},
         {"kind", "sae"},
         {"l0", 10},
         {"r2_per_dim", 0.5},
         {"r2_global", 0.6}},
        {{"method", "kmeans"},
         {"kind", "baseline"},
         {"l0", 1},
         {"r2_per_dim", nullptr},
         {"r2_global", nullptr}}}},
      {"stability",
       {{"pairs",
         {{{"a", "topk-seed1"},
           {"b", "topk-seed2"},
           {"stability", 0.71},
           {"top_energy_decile", 0.93},
           {"bins",
            {{{"energy_low", 0.0},
              {"energy_high", 1e-4},
              {"concepts", 6},
              {"mean_cosine", 0.3}},
             {{"energy_low", 1e-4},
              {"energy_high", 1e-3},
              {"concepts", 6},
              {"mean_cosine", nullptr}},
             {{"energy_low", 1e-3},
              {"energy_high", 1e-2},
              {"concepts", 6},
              {"mean_cosine", 0.9}}}}}}},
        {"mean", 0.71},
        {"mean_top_energy_decile", 0.93}}}};
  return report;
}

struct Box {
  double x, y, width, height;
};

double number(const std::string &text) { return std::stod(text); }

/// The rectangles of class `cls`, in document order.
std::vector<Box> rects(const std::string &svg, const std::string &cls) {
  std::regex pattern("<rect class=\"" + cls +
                     "\" x=\"([^\"]+)\" y=\"([^\"]+)\" width=\"([^\"]+)\" "
                     "height=\"([^\"]+)\"");
  std::vector<Box> boxes;
  for (std::sregex_iterator it(svg.begin(), svg.end(), pattern), end; it != end;
       ++it)
    boxes.push_back({number((*it)[1]), number((*it)[2]), number((*it)[3]),
                     number((*it)[4])});
  return boxes;
}

/// Label and (x, y) of each tick label of class `cls` (x-tick or y-tick).
std::vector<std::pair<std::string, std::pair<double, double>>>
ticks(const std::string &svg, const std::string &cls) {
  std::regex pattern("<text class=\"tick " + cls +
                     "\" x=\"([^\"]+)\" y=\"([^\"]+)\"[^>]*>([^<]*)</text>");
  std::vector<std::pair<std::string, std::pair<double, double>>> out;
  for (std::sregex_iterator it(svg.begin(), svg.end(), pattern), end; it != end;
       ++it)
    out.push_back({(*it)[3], {number((*it)[1]), number((*it)[2])}});
  return out;
}

std::string lowercase(std::string text) {
  for (char &c : text)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

class ReportTest : public ::testing::Test {
protected:
  TempDir dir;
  std::string out() const { return dir.path("report"); }
  std::string file(const std::string &name) const {
    return contentsOf(out() + "/" + name);
  }
};

TEST_F(ReportTest, WritesEveryFile) {
  Status s = writeAnalysisReport(sampleReport(), out());
  ASSERT_TRUE(s.isOk()) << s.str();
  EXPECT_EQ(listEntries(out()),
            (std::vector<std::string>{
                "bridge-topk-seed1.svg", "bridge-topk-seed2.svg",
                "modality-topk-seed1.svg", "modality-topk-seed2.svg",
                "pareto.svg", "report.html", "report.json", "stability.svg",
                "subspace-topk-seed1.svg", "subspace-topk-seed2.svg"}));
  EXPECT_EQ(json::parse(file("report.json")), sampleReport());
  // Pretty-printed: one key per line.
  EXPECT_NE(file("report.json").find("\n  \"command\": "), std::string::npos);
}

TEST_F(ReportTest, CreatesNestedDirectoryAndRewrites) {
  std::string nested = dir.path("a/b/c");
  ASSERT_TRUE(writeAnalysisReport(sampleReport(), nested).isOk());
  json changed = sampleReport();
  changed["command"] = "second";
  ASSERT_TRUE(writeAnalysisReport(changed, nested).isOk());
  EXPECT_EQ(json::parse(contentsOf(nested + "/report.json"))["command"],
            "second");
  EXPECT_EQ(listEntries(nested).size(), 10u); // no temporary files left
}

TEST_F(ReportTest, HistogramBarsFollowTheCounts) {
  ASSERT_TRUE(writeAnalysisReport(sampleReport(), out()).isOk());
  std::string svg = file("modality-topk-seed1.svg");
  std::vector<Box> bars = rects(svg, "bar");
  std::vector<Box> frames = rects(svg, "plot-area");
  // Two bins in each of the two panels.
  ASSERT_EQ(bars.size(), 4u);
  ASSERT_EQ(frames.size(), 2u);
  for (size_t panel = 0; panel < 2; ++panel) {
    const Box &low = bars[2 * panel], &high = bars[2 * panel + 1];
    // Counts {1, 3} and energy {0.25, 0.75}: heights 1 : 3.
    EXPECT_NEAR(high.height / low.height, 3.0, 1e-3);
    // Bars stand on the bottom of their panel, each half its width.
    double bottom = frames[panel].y + frames[panel].height;
    EXPECT_NEAR(low.y + low.height, bottom, 0.02);
    EXPECT_NEAR(high.y + high.height, bottom, 0.02);
    EXPECT_NEAR(low.width + 1, frames[panel].width / 2, 0.02);
    EXPECT_NEAR(high.x - low.x, frames[panel].width / 2, 0.02);
  }
  EXPECT_NE(svg.find(">Unweighted</text>"), std::string::npos);
  EXPECT_NE(svg.find(">Energy-weighted</text>"), std::string::npos);
}

TEST_F(ReportTest, ParetoPointOnLogAxis) {
  ASSERT_TRUE(writeAnalysisReport(sampleReport(), out()).isOk());
  std::string svg = file("pareto.svg");
  std::vector<Box> frames = rects(svg, "plot-area");
  ASSERT_EQ(frames.size(), 1u);
  const Box &frame = frames[0];

  // L0 runs from 1 to 100: ticks 1, 10, 100 at the left, middle, right.
  auto xTicks = ticks(svg, "x-tick");
  ASSERT_EQ(xTicks.size(), 3u);
  EXPECT_EQ(xTicks[0].first, "1");
  EXPECT_EQ(xTicks[1].first, "10");
  EXPECT_EQ(xTicks[2].first, "100");
  EXPECT_NEAR(xTicks[0].second.first, frame.x, 0.02);
  EXPECT_NEAR(xTicks[1].second.first, frame.x + frame.width / 2, 0.02);
  EXPECT_NEAR(xTicks[2].second.first, frame.x + frame.width, 0.02);

  // The SAE point (l0 = 10, r2 = 0.5): the middle x pixel, and the height
  // of the y tick labelled 0.5 (labels sit 4 px below their tick).
  std::smatch point;
  ASSERT_TRUE(std::regex_search(
      svg, point,
      std::regex("translate\\(([^,]+),([^)]+)\\)\">[^\n]*<title>topk-seed1 "
                 "\\(SAE\\): \\(10, 0.5\\)</title>")));
  EXPECT_NEAR(number(point[1]), frame.x + frame.width / 2, 0.02);
  double tick05 = std::numeric_limits<double>::quiet_NaN();
  for (const auto &[label, at] : ticks(svg, "y-tick"))
    if (label == "0.5")
      tick05 = at.second - 4;
  EXPECT_NEAR(number(point[2]), tick05, 0.02);
  // R² spans 0.2 .. 0.9 (the null k-means point is not drawn): 0.5 is 3/7
  // of the way up.
  EXPECT_NEAR(number(point[2]), frame.y + frame.height * (1 - 3.0 / 7), 0.02);
  EXPECT_NE(svg.find("1 point(s) not drawn"), std::string::npos);
  // The baseline is a line, from L0 = 1 to 100: the frame's two ends.
  std::smatch line;
  ASSERT_TRUE(std::regex_search(
      svg, line,
      std::regex("class=\"series-line\"[^>]* points=\"([^,]+),[^ ]+ "
                 "([^,]+),[^\"]+\"")));
  EXPECT_NEAR(number(line[1]), frame.x, 0.02);
  EXPECT_NEAR(number(line[2]), frame.x + frame.width, 0.02);
}

TEST_F(ReportTest, StabilityLineBreaksAtNull) {
  ASSERT_TRUE(writeAnalysisReport(sampleReport(), out()).isOk());
  std::string svg = file("stability.svg");
  // Bins 1 and 3 are defined, bin 2 is null: no segment can join them.
  EXPECT_EQ(svg.find("class=\"series-line\""), std::string::npos);
  EXPECT_NE(svg.find("topk-seed1 vs topk-seed2: (1, 0.3)"), std::string::npos);
  EXPECT_NE(svg.find("topk-seed1 vs topk-seed2: (3, 0.9)"), std::string::npos);
  EXPECT_EQ(ticks(svg, "x-tick").size(), 3u);
}

TEST_F(ReportTest, HtmlEscapesCaptionsAndHasNoScript) {
  json report = sampleReport();
  report["runs"][0]["name"] = "run <b>&\"1\"";
  ASSERT_TRUE(writeAnalysisReport(report, out()).isOk());
  std::string html = file("report.html");
  EXPECT_NE(html.find("<li>&lt;script&gt;alert(&quot;x&quot;)&amp;&lt;/"
                      "script&gt;</li>"),
            std::string::npos);
  EXPECT_EQ(lowercase(html).find("<script"), std::string::npos);
  EXPECT_NE(html.find("<td>run &lt;b&gt;&amp;&quot;1&quot;</td>"),
            std::string::npos);
  EXPECT_EQ(html.find("<b>&"), std::string::npos);
  // The run's plot files get a name safe on disk.
  EXPECT_FALSE(file("modality-run__b___1_.svg").empty());
  std::string svg = file("modality-run__b___1_.svg");
  EXPECT_NE(svg.find("run &lt;b&gt;&amp;&quot;1&quot;"), std::string::npos);
  // Definitions are escaped too.
  EXPECT_NE(html.find("cos(d_i, d_j) &lt;&amp;&gt;</dd>"), std::string::npos);
}

TEST_F(ReportTest, HtmlInlinesEverySvgAndLoadsNothing) {
  ASSERT_TRUE(writeAnalysisReport(sampleReport(), out()).isOk());
  std::string html = file("report.html");
  size_t svgs = 0;
  for (const std::string &name : listEntries(out()))
    if (name.size() > 4 && name.substr(name.size() - 4) == ".svg") {
      ++svgs;
      std::string svg = file(name);
      ASSERT_FALSE(svg.empty()) << name;
      EXPECT_NE(html.find(svg), std::string::npos) << name;
    }
  EXPECT_EQ(svgs, 8u); // pareto, stability; modality, subspace, bridge per run
  std::string lower = lowercase(html);
  for (const char *external : {" src=", "url(", "@import", "<link", "<img",
                               "<iframe", "<object", "<embed"})
    EXPECT_EQ(lower.find(external), std::string::npos) << external;
  // Every link points inside the page, at an anchor that exists.
  std::regex href("href=\"([^\"]*)\"");
  size_t links = 0;
  for (std::sregex_iterator it(html.begin(), html.end(), href), end; it != end;
       ++it, ++links) {
    std::string target = (*it)[1];
    ASSERT_EQ(target[0], '#') << target;
    EXPECT_NE(html.find("id=\"" + target.substr(1) + "\""), std::string::npos)
        << target;
  }
  EXPECT_GT(links, 8u);
}

TEST_F(ReportTest, NullIsShownAsNa) {
  ASSERT_TRUE(writeAnalysisReport(sampleReport(), out()).isOk());
  std::string html = file("report.html");
  // The summary rows: the second run's mean classifier accuracy is null.
  size_t first = html.find("<tr><td>topk-seed1</td>");
  size_t second = html.find("<tr><td>topk-seed2</td>");
  ASSERT_NE(first, std::string::npos);
  ASSERT_NE(second, std::string::npos);
  std::string rowA = html.substr(first, html.find("</tr>", first) - first);
  std::string rowB = html.substr(second, html.find("</tr>", second) - second);
  EXPECT_NE(rowA.find("<td class=\"num\">0.610</td>"), std::string::npos);
  EXPECT_EQ(rowA.find("n/a"), std::string::npos);
  // The mean classifier accuracy is the row's last cell.
  std::string na = "<td class=\"num na\">n/a</td>";
  ASSERT_GT(rowB.size(), na.size());
  EXPECT_EQ(rowB.substr(rowB.size() - na.size()), na);
  EXPECT_EQ(rowB.find("n/a"), rowB.size() - na.size() + 19);
  // The top pair's null text modality; the heat map's null cell.
  EXPECT_NE(html.find("<td class=\"num\">0.980</td><td class=\"num na\">n/a"),
            std::string::npos);
  EXPECT_NE(
      file("bridge-topk-seed1.svg").find(": bridge score B_ij = n/a</title>"),
      std::string::npos);
}

TEST_F(ReportTest, SingleRunHasNoStability) {
  json report = sampleReport();
  report["runs"].erase(1);
  report["stability"] = nullptr;
  ASSERT_TRUE(writeAnalysisReport(report, out()).isOk());
  EXPECT_TRUE(file("stability.svg").empty());
  EXPECT_NE(file("report.html").find("n/a: stability needs at least two runs"),
            std::string::npos);
}

TEST_F(ReportTest, DuplicateRunNamesGetDistinctFiles) {
  json report = sampleReport();
  report["runs"][1]["name"] = "topk-seed1";
  ASSERT_TRUE(writeAnalysisReport(report, out()).isOk());
  EXPECT_FALSE(file("bridge-topk-seed1.svg").empty());
  EXPECT_FALSE(file("bridge-topk-seed1-2.svg").empty());
}

TEST_F(ReportTest, SvgAndHtmlParse) {
  json report = sampleReport();
  // Control characters and a broken UTF-8 byte must not break the XML.
  report["runs"][0]["bridge"]["top"][0]["captions"].push_back(
      std::string("bell\x07 and \xFF byte"));
  ASSERT_TRUE(writeAnalysisReport(report, out()).isOk());
  std::string script = dir.path("parse.py");
  writeText(script, R"py(
import glob, sys, xml.dom.minidom
from html.parser import HTMLParser
directory = sys.argv[1]
for path in sorted(glob.glob(directory + "/*.svg")):
    document = xml.dom.minidom.parse(path)
    assert document.documentElement.tagName == "svg", path
VOID = {"meta", "br", "hr", "img", "input", "link", "area", "base", "col",
        "embed", "source", "track", "wbr"}
class Balance(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.svg = [], 0
    def handle_starttag(self, tag, attrs):
        if tag == "svg":
            self.svg += 1
        if tag not in VOID:
            self.stack.append(tag)
    def handle_startendtag(self, tag, attrs):
        pass
    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()
parser = Balance()
parser.feed(open(directory + "/report.html", encoding="utf-8").read())
parser.close()
assert not parser.stack, parser.stack
print("svgs in page", parser.svg)
)py");
  RunResult result =
      runCommand(std::string(PRISM_PYTHON) + " " + script + " " + out(), dir);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(result.out, "svgs in page 8\n");
}

/// The sample with the keys added after the first reports: each run's
/// bridge support, diagonal and pairs ranked by cross-correlation, each pair
/// with its chance co-activation, and those two definitions.
json newSampleReport() {
  json report = sampleReport();
  report["definitions"]["cross_correlation_bridge"] = "rho_ij cos(d_i, d_j)";
  report["definitions"]["chance_coactivation"] = "m_i m_j";
  for (json &r : report["runs"]) {
    json &bridge = r["bridge"];
    bridge["support"] = 391;
    bridge["diagonal"] = 0.0047;
    bridge["top"][0]["chance_coactivation"] = 0.004;
    bridge["top_cross_correlation"] = {
        {{"image_concept", 7},
         {"text_concept", 9},
         {"score", 2.5e-6},
         {"coactivation", 1.5e-5},
         {"cosine", 0.15},
         {"cross_correlation", 0.93},
         {"chance_coactivation", 3.6e-8},
         {"image_modality", 0.04},
         {"text_modality", 0.5},
         {"captions", {"<i>cows & a road</i>"}}}};
  }
  return report;
}

/// The HTML from `start` to the end of the table that follows it.
std::string tableAfter(const std::string &html, const std::string &start) {
  size_t from = html.find(start);
  if (from == std::string::npos)
    return "";
  size_t to = html.find("</table>", from);
  return html.substr(from, to == std::string::npos ? to : to - from);
}

TEST_F(ReportTest, CrossCorrelationTableAndBridgeSummary) {
  ASSERT_TRUE(writeAnalysisReport(newSampleReport(), out()).isOk());
  std::string html = file("report.html");
  std::string heading = "<h4>Top bridge pairs by cross-correlation";
  // One table per run, headed with the definition's link.
  size_t first = html.find(heading);
  ASSERT_NE(first, std::string::npos);
  EXPECT_NE(html.find(heading, first + 1), std::string::npos);
  std::string table = tableAfter(html, heading);
  EXPECT_NE(table.find("href=\"#def-cross_correlation_bridge\""),
            std::string::npos);
  EXPECT_NE(table.find("href=\"#def-chance_coactivation\""), std::string::npos);
  // Its one row: rank, concepts, B, C, chance C, cosine, ρ, modalities, the
  // caption escaped.
  EXPECT_NE(
      table.find("<tr><td class=\"num\" rowspan=\"2\">1</td><td "
                 "class=\"num\">7</td>"
                 "<td class=\"num\">9</td><td class=\"num\">2.50e-06</td>"
                 "<td class=\"num\">1.50e-05</td><td class=\"num\">3.60e-08"
                 "</td><td class=\"num\">0.150</td><td class=\"num\">0.930"
                 "</td><td class=\"num\">0.040</td><td class=\"num\">0.500"
                 "</td></tr>\n<tr class=\"captions\"><td class=\"captions\" "
                 "colspan=\"9\"><ul class=\"captions\"><li>"
                 "&lt;i&gt;cows &amp; a road&lt;/i&gt;</li></ul></td></tr>"),
      std::string::npos)
      << table;
  EXPECT_EQ(table.find("<i>"), std::string::npos);
  // The table by B_ij gets the chance column too: 0.004 after C = 0.02.
  std::string byScore = tableAfter(html, "<h4>Top bridge pairs by B");
  EXPECT_NE(byScore.find("<td class=\"num\">0.02</td><td "
                         "class=\"num\">0.004</td><td class=\"num\">0.550"),
            std::string::npos)
      << byScore;
  // The summary: pairs, support, total, diagonal, shuffles, ...
  EXPECT_NE(html.find("<tr><td class=\"num\">500</td><td class=\"num\">391"
                      "</td><td class=\"num\">0.12</td><td class=\"num\">"
                      "0.0047</td><td class=\"num\">5</td>"),
            std::string::npos);
}

TEST_F(ReportTest, OldReportsWithoutTheNewKeysStillRender) {
  // sampleReport has no support, diagonal, top_cross_correlation or chance
  // co-activation: the page leaves those columns and the table out.
  ASSERT_TRUE(writeAnalysisReport(sampleReport(), out()).isOk());
  std::string html = file("report.html");
  EXPECT_EQ(html.find("Top bridge pairs by cross-correlation"),
            std::string::npos);
  EXPECT_EQ(html.find("chance co-activation"), std::string::npos);
  EXPECT_EQ(html.find("support (non-zero"), std::string::npos);
  EXPECT_EQ(html.find("diagonal Σ"), std::string::npos);
  EXPECT_NE(html.find("<tr><td class=\"num\">500</td><td class=\"num\">0.12"
                      "</td><td class=\"num\">5</td>"),
            std::string::npos);
  // One entry with the chance figure and one without: no column.
  json mixed = newSampleReport();
  mixed["runs"][0]["bridge"]["top"].push_back(
      mixed["runs"][0]["bridge"]["top"][0]);
  mixed["runs"][0]["bridge"]["top"][1].erase("chance_coactivation");
  ASSERT_TRUE(writeAnalysisReport(mixed, out()).isOk());
  std::string byScore =
      tableAfter(file("report.html"), "<h4>Top bridge pairs by B");
  EXPECT_EQ(byScore.find("chance co-activation"), std::string::npos);
  EXPECT_NE(byScore.find("<td class=\"num\" rowspan=\"2\">2</td>"),
            std::string::npos);
  // Eight figures after the rank, so the captions span eight columns.
  EXPECT_NE(byScore.find("<td class=\"captions\" colspan=\"8\">"),
            std::string::npos);
}

TEST_F(ReportTest, LongRunNamesAreCutInPlots) {
  json report = sampleReport();
  std::string name(80, 'x');
  report["runs"][0]["name"] = name;
  report["pareto"][2]["method"] = name;
  ASSERT_TRUE(writeAnalysisReport(report, out()).isOk());
  // Titles keep 48 characters of the name (47 and "…"), legends 32 of the
  // label; the whole name stays in the tooltips and the page's tables.
  std::string cut47 = std::string(47, 'x') + "\u2026";
  std::string modality = file("modality-" + name + ".svg");
  EXPECT_NE(modality.find("concepts of " + cut47 + "</text>"),
            std::string::npos);
  EXPECT_NE(modality.find("<title>Modality score of the concepts of " + name),
            std::string::npos);
  std::string pareto = file("pareto.svg");
  EXPECT_NE(pareto.find(">" + std::string(31, 'x') + "\u2026</text>"),
            std::string::npos);
  EXPECT_NE(pareto.find("<title>" + name + " (SAE): (10, 0.5)</title>"),
            std::string::npos);
  EXPECT_NE(file("report.html").find("<td>" + name + "</td>"),
            std::string::npos);
}

TEST_F(ReportTest, RunWithoutAlignedPairsHasNoBridge) {
  json report = newSampleReport();
  report["runs"][1]["bridge"] = nullptr;
  ASSERT_TRUE(writeAnalysisReport(report, out()).isOk());
  EXPECT_FALSE(file("bridge-topk-seed1.svg").empty());
  EXPECT_TRUE(file("bridge-topk-seed2.svg").empty());
  EXPECT_NE(file("report.html")
                .find("n/a: the data has no aligned image-caption pairs"),
            std::string::npos);
}

TEST_F(ReportTest, SubspacePlotBarsAndRandomDirection) {
  ASSERT_TRUE(writeAnalysisReport(sampleReport(), out()).isOk());
  std::string svg = file("subspace-topk-seed1.svg");
  std::vector<Box> frames = rects(svg, "plot-area");
  std::vector<Box> bars = rects(svg, "bar");
  ASSERT_EQ(frames.size(), 2u);
  // Four norm bins {1, 3, 0, 4}, then two accuracy bins {4, 2}.
  ASSERT_EQ(bars.size(), 6u);
  EXPECT_NEAR(bars[1].height / bars[0].height, 3.0, 1e-3);
  EXPECT_NEAR(bars[2].height, 0.0, 1e-9);
  EXPECT_NEAR(bars[3].height / bars[0].height, 4.0, 1e-3);
  EXPECT_NEAR(bars[4].height / bars[5].height, 2.0, 1e-3);
  // Norm axis 0..1: bin 2 starts a quarter of the way along (bars are inset
  // half a pixel). Accuracy axis 0.5..1: its first bar starts at the left.
  EXPECT_NEAR(bars[1].x - 0.5, frames[0].x + frames[0].width / 4, 0.02);
  EXPECT_NEAR(bars[4].x - 0.5, frames[1].x, 0.02);
  EXPECT_NEAR(bars[5].x - 0.5, frames[1].x + frames[1].width / 2, 0.02);
  auto xTicks = ticks(svg, "x-tick");
  ASSERT_FALSE(xTicks.empty());
  EXPECT_EQ(xTicks.front().first, "0.0");
  EXPECT_EQ(xTicks.back().first, "1.0");

  // dims = 2, d = 512: the random direction's √(2/512) = 1/16 of the way.
  std::smatch line;
  ASSERT_TRUE(std::regex_search(
      svg, line,
      std::regex("<line class=\"reference\" x1=\"([^\"]+)\" y1=\"([^\"]+)\" "
                 "x2=\"([^\"]+)\" y2=\"([^\"]+)\"[^>]*stroke-dasharray")));
  EXPECT_NEAR(number(line[1]), frames[0].x + frames[0].width / 16, 0.02);
  EXPECT_EQ(number(line[1]), number(line[3]));
  EXPECT_NEAR(number(line[2]), frames[0].y, 0.02);
  EXPECT_NEAR(number(line[4]), frames[0].y + frames[0].height, 0.02);
  EXPECT_NE(svg.find(">random direction: √(dims/d) = 0.0625</text>"),
            std::string::npos);
  EXPECT_NE(svg.find(">Norm in the modality subspace</text>"),
            std::string::npos);
  EXPECT_NE(svg.find(">Accuracy as an image-vs-text classifier</text>"),
            std::string::npos);
  // On the page: in the Modality section, after the run's modality plot.
  std::string html = file("report.html");
  size_t modality = html.find(file("modality-topk-seed1.svg"));
  size_t subspace = html.find(svg);
  size_t nextRun = html.find(file("modality-topk-seed2.svg"));
  ASSERT_NE(subspace, std::string::npos);
  EXPECT_LT(modality, subspace);
  EXPECT_LT(subspace, nextRun);

  // Without the subspace's dimensions there is no reference to draw.
  json report = sampleReport();
  report["modality_subspace"]["dims"] = nullptr;
  ASSERT_TRUE(writeAnalysisReport(report, out()).isOk());
  svg = file("subspace-topk-seed1.svg");
  EXPECT_EQ(svg.find("class=\"reference\""), std::string::npos);
  EXPECT_NE(svg.find("random-direction reference n/a"), std::string::npos);
}

std::vector<std::string> findings(const std::string &html);

TEST_F(ReportTest, MeasuredRandomDirectionsAreDrawnAndStated) {
  // Newer reports measure the chance reference on random directions.
  json report = sampleReport();
  report["modality_subspace"]["random_direction"] = {
      {"directions", 256},
      {"mean_norm_in_subspace", 0.0612},
      {"mean_classifier_accuracy", 0.68}};
  ASSERT_TRUE(writeAnalysisReport(report, out()).isOk());
  std::string svg = file("subspace-topk-seed1.svg");
  std::vector<Box> frames = rects(svg, "plot-area");
  ASSERT_EQ(frames.size(), 2u);
  std::regex pattern("<line class=\"reference\" x1=\"([^\"]+)\"");
  std::vector<double> xs;
  for (std::sregex_iterator it(svg.begin(), svg.end(), pattern), end; it != end;
       ++it)
    xs.push_back(number((*it)[1]));
  // √(2/512) on the norm axis, then 0.68 on the 0.5..1 accuracy axis.
  ASSERT_EQ(xs.size(), 2u);
  EXPECT_NEAR(xs[0], frames[0].x + frames[0].width / 16, 0.02);
  EXPECT_NEAR(xs[1], frames[1].x + frames[1].width * (0.68 - 0.5) / 0.5, 0.02);
  EXPECT_NE(svg.find(">random directions: mean over 256 = 0.68</text>"),
            std::string::npos);
  std::vector<std::string> items = findings(file("report.html"));
  ASSERT_GE(items.size(), 2u);
  EXPECT_NE(items[1].find("for a random direction, and 0.061 measured over "
                          "256 random directions "),
            std::string::npos)
      << items[1];
  EXPECT_NE(items[1].find("(0.5 is chance on balanced data; 0.680 over 256 "
                          "random directions)"),
            std::string::npos)
      << items[1];

  report["modality_subspace"]["random_direction"].erase("directions");
  Status s = writeAnalysisReport(report, out());
  EXPECT_EQ(s.getMessage(), "modality_subspace.random_direction.directions: "
                            "missing");
}

/// The Findings list items of `html`.
std::vector<std::string> findings(const std::string &html) {
  std::vector<std::string> items;
  size_t from = html.find("<ul class=\"findings\">");
  size_t to = html.find("</ul>", from);
  if (from == std::string::npos || to == std::string::npos)
    return items;
  std::string list = html.substr(from, to - from);
  std::regex item("<li>(.*)</li>");
  for (std::sregex_iterator it(list.begin(), list.end(), item), end; it != end;
       ++it)
    items.push_back((*it)[1]);
  return items;
}

TEST_F(ReportTest, FindingsStateTheReportsFigures) {
  json report = sampleReport();
  report["data"]["dim"] = 800; // √(2/800) = 0.05
  report["runs"][1]["concepts"]["modality_above_0_9"] = 0.5;
  report["runs"][1]["concepts"]["modality_below_0_1"] = 0.25;
  report["runs"][1]["concepts"]["mean_norm_in_subspace"] = 0.1234;
  report["runs"][1]["r2_per_dim"] = 0.99;
  report["runs"][1]["l0"] = 12.0;
  // Baseline points at L0 6 and 24 are within a factor 2 of 12, 5 and 25
  // are not; the best R² among the first two is 0.8.
  report["baselines"].push_back(
      {{"method", "ica"},
       {"points",
        {{{"size", 6}, {"l0", 6}, {"r2_per_dim", 0.8}, {"r2_global", 0.8}},
         {{"size", 24}, {"l0", 24}, {"r2_per_dim", 0.7}, {"r2_global", 0.7}},
         {{"size", 5}, {"l0", 5}, {"r2_per_dim", 0.95}, {"r2_global", 0.9}},
         {{"size", 25},
          {"l0", 25},
          {"r2_per_dim", 0.96},
          {"r2_global", 0.9}}}}});
  report["runs"][1]["bridge"]["top"][0]["score"] = 0.5;
  ASSERT_TRUE(writeAnalysisReport(report, out()).isOk());
  std::vector<std::string> items = findings(file("report.html"));
  ASSERT_EQ(items.size(), 5u);
  EXPECT_EQ(items[0].rfind("37.7% of concepts have a modality score above 0.9 "
                           "and 36.9% below 0.1 (run <em>topk-seed1</em>, of "
                           "59 defined); 50.0% and 25.0% (run "
                           "<em>topk-seed2</em>, of 59 defined) ",
                           0),
            0u)
      << items[0];
  // modality_score is not defined in the sample: named, not linked.
  EXPECT_NE(items[0].find("<span class=\"def\">modality_score</span>"),
            std::string::npos);
  EXPECT_NE(items[1].find("= 0.080 (run <em>topk-seed1</em>) and 0.123 (run "
                          "<em>topk-seed2</em>), against √(dims/d) = √(2/800) "
                          "= 0.050 for a random direction"),
            std::string::npos)
      << items[1];
  // The second run's mean accuracy is null: only the first is listed.
  EXPECT_NE(items[1].find("classifier = 0.610 (run <em>topk-seed1</em>) (0.5"),
            std::string::npos)
      << items[1];
  EXPECT_EQ(items[2].rfind("Mean stability over 1 pair of runs = 0.710 "
                           "(top-energy decile 0.930) ",
                           0),
            0u)
      << items[2];
  EXPECT_EQ(items[3].rfind("Best SAE R² per-dimension = 0.990 at L0 = 12.0 "
                           "(run <em>topk-seed2</em>); best baseline with L0 "
                           "within a factor 2: ica = 0.800 at L0 = 6.0 ",
                           0),
            0u)
      << items[3];
  EXPECT_NE(items[3].find("href=\"#def-r2_per_dim\""), std::string::npos);
  EXPECT_NE(items[3].find("href=\"#def-l0\""), std::string::npos);
  EXPECT_EQ(items[4].rfind("Largest off-diagonal Bridge Score B<sub>ij</sub> = "
                           "0.011 (run <em>topk-seed1</em>; at most 0.002 with "
                           "the captions shuffled, over 5 shuffles) and 0.5 "
                           "(run <em>topk-seed2</em>; at most 0.002 ",
                           0),
            0u)
      << items[4];

  // No baseline near the SAE's L0 = 10 in the sample itself (1 and 100).
  ASSERT_TRUE(writeAnalysisReport(sampleReport(), out()).isOk());
  items = findings(file("report.html"));
  ASSERT_EQ(items.size(), 5u);
  EXPECT_NE(items[3].find("(run <em>topk-seed1</em>); no baseline has an L0 "
                          "within a factor 2 of it "),
            std::string::npos)
      << items[3];
}

TEST_F(ReportTest, FindingsEscapeNamesAndSkipNullFigures) {
  json report = sampleReport();
  report["runs"].erase(1);
  report["stability"] = nullptr;
  report["runs"][0]["name"] = "<b>run</b>";
  ASSERT_TRUE(writeAnalysisReport(report, out()).isOk());
  std::vector<std::string> items = findings(file("report.html"));
  ASSERT_EQ(items.size(), 4u); // no stability with one run
  for (const std::string &item : items) {
    EXPECT_EQ(item.find("<b>"), std::string::npos) << item;
    EXPECT_NE(item.find("&lt;b&gt;run&lt;/b&gt;"), std::string::npos) << item;
  }

  // Every figure null: nothing to state.
  json &r = report["runs"][0];
  for (const char *key : {"r2_per_dim", "l0"})
    r[key] = nullptr;
  for (const char *key : {"modality_above_0_9", "modality_below_0_1",
                          "mean_norm_in_subspace", "mean_classifier_accuracy"})
    r["concepts"][key] = nullptr;
  r["bridge"]["top"] = json::array();
  ASSERT_TRUE(writeAnalysisReport(report, out()).isOk());
  std::string html = file("report.html");
  EXPECT_TRUE(findings(html).empty());
  EXPECT_NE(html.find("n/a: no figure of this report is defined"),
            std::string::npos);
}

/// With PRISM_REPORT_SAMPLE_DIR set, the sample report is written there for
/// a look in a browser (scripts/check-report.sh); skipped otherwise.
TEST_F(ReportTest, WritesSampleWhenAsked) {
  const char *target = std::getenv("PRISM_REPORT_SAMPLE_DIR");
  if (!target)
    GTEST_SKIP() << "PRISM_REPORT_SAMPLE_DIR is not set";
  Status s = writeAnalysisReport(sampleReport(), target);
  ASSERT_TRUE(s.isOk()) << s.str();
}

TEST_F(ReportTest, MalformedReportsNameTheKeyPath) {
  auto errorOf = [&](const json &report) {
    Status s = writeAnalysisReport(report, out());
    EXPECT_FALSE(s.isOk());
    return s.getMessage();
  };
  json report = sampleReport();
  report["runs"][0]["concepts"]["modality_histogram"] = json::array();
  EXPECT_EQ(errorOf(report), "runs[0].concepts.modality_histogram: expected "
                             "an object, found an array");

  report = sampleReport();
  report["runs"][1].erase("l0");
  EXPECT_EQ(errorOf(report), "runs[1].l0: missing");

  report = sampleReport();
  report["runs"][0]["r2_per_dim"] = std::nan("");
  EXPECT_EQ(
      errorOf(report).rfind(
          "runs[0].r2_per_dim: expected a finite number or null, found ", 0),
      0u);

  report = sampleReport();
  report["runs"][0]["concepts"]["modality_histogram"]["unweighted"] = {1, 2, 3};
  EXPECT_EQ(errorOf(report), "runs[0].concepts.modality_histogram.unweighted: "
                             "expected 2 values (one per bin), found 3");

  report = sampleReport();
  report["runs"][1]["bridge"]["heatmap"]["values"][1] = {1, 2};
  EXPECT_EQ(errorOf(report), "runs[1].bridge.heatmap.values[1]: expected 3 "
                             "values (one per text concept), found 2");

  report = sampleReport();
  report["runs"][0]["bridge"]["top"][0]["captions"][1] = 7;
  EXPECT_EQ(errorOf(report), "runs[0].bridge.top[0].captions[1]: expected a "
                             "string, found a number");

  report = sampleReport();
  report["stability"]["pairs"][0]["bins"][2].erase("mean_cosine");
  EXPECT_EQ(errorOf(report), "stability.pairs[0].bins[2].mean_cosine: missing");

  report = sampleReport();
  report["pareto"][2]["kind"] = "other";
  EXPECT_EQ(errorOf(report), "pareto[2].kind: expected \"sae\" or "
                             "\"baseline\", found \"other\"");

  report = newSampleReport();
  report["runs"][1]["bridge"]["top_cross_correlation"][0]
        ["chance_coactivation"] = "small";
  EXPECT_EQ(errorOf(report),
            "runs[1].bridge.top_cross_correlation[0].chance_coactivation: "
            "expected a finite number or null, found a string");

  report = newSampleReport();
  report["runs"][0]["bridge"]["top_cross_correlation"] = json::object();
  EXPECT_EQ(errorOf(report), "runs[0].bridge.top_cross_correlation: expected "
                             "an array, found an object");

  report = newSampleReport();
  report["runs"][0]["bridge"]["support"] = "many";
  EXPECT_EQ(errorOf(report), "runs[0].bridge.support: expected a finite "
                             "number or null, found a string");

  EXPECT_EQ(errorOf(json::array()), "report: expected an object, found an "
                                    "array");
  // Nothing was written for any of them.
  EXPECT_TRUE(listEntries(out()).empty());
}

} // namespace
