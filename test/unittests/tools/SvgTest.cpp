//===- SvgTest.cpp - The report's SVG plotting layer ----------------------===//
//
// Ticks, scales, number formats and escaping against values derived by hand;
// plot elements found in the SVG text by regular expressions.
//
//===----------------------------------------------------------------------===//

#include "report/Svg.h"

#include <gtest/gtest.h>

#include <regex>

using namespace prism::report;

namespace {

std::vector<std::string> labels(const std::vector<Tick> &ticks) {
  std::vector<std::string> out;
  for (const Tick &tick : ticks)
    out.push_back(tick.label);
  return out;
}

TEST(SvgTest, LinearTicksFollowOneTwoFive) {
  // Span 1 / 5 = 0.2: step 0.2, one decimal.
  EXPECT_EQ(
      labels(linearTicks(0, 1)),
      (std::vector<std::string>{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}));
  // Span 0.07 / 5 = 0.014 rounds to a step of 0.01: two decimals.
  EXPECT_EQ(labels(linearTicks(0, 0.07)),
            (std::vector<std::string>{"0.00", "0.01", "0.02", "0.03", "0.04",
                                      "0.05", "0.06", "0.07"}));
  // Span 300 / 5 = 60 rounds to 50; ticks only inside [-20, 280].
  EXPECT_EQ(labels(linearTicks(-20, 280)),
            (std::vector<std::string>{"0", "50", "100", "150", "200", "250"}));
  EXPECT_TRUE(linearTicks(1, 1).empty());
}

TEST(SvgTest, LogTicksArePowersOfTen) {
  EXPECT_EQ(labels(log10Ticks(1, 100)),
            (std::vector<std::string>{"1", "10", "100"}));
  EXPECT_EQ(labels(log10Ticks(0.05, 2000)),
            (std::vector<std::string>{"0.1", "1", "10", "100", "1000"}));
  EXPECT_TRUE(log10Ticks(0, 10).empty());
}

TEST(SvgTest, RangesWidenToTicksAndDecades) {
  EXPECT_EQ(niceRange(0.23, 0.87), std::make_pair(0.2, 0.9));
  EXPECT_EQ(decadeRange(3, 40), std::make_pair(1.0, 100.0));
  EXPECT_EQ(decadeRange(10, 10), std::make_pair(10.0, 100.0));
  std::pair<double, double> single = niceRange(5, 5);
  EXPECT_LT(single.first, 5);
  EXPECT_GT(single.second, 5);
}

TEST(SvgTest, ScalesMapEndsAndMiddles) {
  Scale log{true, 1, 100, 100, 300};
  EXPECT_DOUBLE_EQ(log.map(1), 100);
  EXPECT_DOUBLE_EQ(log.map(10), 200);
  EXPECT_DOUBLE_EQ(log.map(100), 300);
  Scale linear{false, 0, 4, 400, 0}; // inverted, as y axes are
  EXPECT_DOUBLE_EQ(linear.map(1), 300);
}

TEST(SvgTest, NumberFormats) {
  EXPECT_EQ(formatFixed(-0.0001, 2), "0.00");
  EXPECT_EQ(formatFixed(0.97951, 4), "0.9795");
  EXPECT_EQ(formatShort(0.011), "0.011");
  EXPECT_EQ(formatShort(12345), "12345");
  EXPECT_EQ(formatShort(2.5e-5), "2.50e-05");
  EXPECT_EQ(formatShort(0), "0");
}

TEST(SvgTest, EllipsizeCountsCharactersNotBytes) {
  EXPECT_EQ(ellipsize("topk-seed1", 10), "topk-seed1");
  EXPECT_EQ(ellipsize("topk-seed10", 10), "topk-seed\u2026");
  // Five Greek letters (two bytes each): three kept whole, then "…".
  EXPECT_EQ(ellipsize("\u03b1\u03b2\u03b3\u03b4\u03b5", 4),
            "\u03b1\u03b2\u03b3\u2026");
  EXPECT_EQ(ellipsize("\u03b1\u03b2\u03b3\u03b4", 4),
            "\u03b1\u03b2\u03b3\u03b4");
  EXPECT_EQ(ellipsize("abc", 1), "\u2026");
}

TEST(SvgTest, EscapingCoversMarkupControlsAndBadUtf8) {
  EXPECT_EQ(escapeXml("<script>alert(\"x\")&</script>'"),
            "&lt;script&gt;alert(&quot;x&quot;)&amp;&lt;/script&gt;&#39;");
  // R², é and CJK pass through; a NUL, a lone continuation byte and a
  // truncated sequence become U+FFFD.
  EXPECT_EQ(escapeXml("R\xC2\xB2 \xC3\xA9 \xE6\x97\xA5"),
            "R\xC2\xB2 \xC3\xA9 \xE6\x97\xA5");
  EXPECT_EQ(escapeXml(std::string("a\0b", 3)), "a\xEF\xBF\xBD"
                                               "b");
  EXPECT_EQ(escapeXml("\x80x\xE6\x97"),
            "\xEF\xBF\xBDx\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(escapeXml("tab\tnew\nline"), "tab\tnew\nline");
}

TEST(SvgTest, CanvasEscapesText) {
  SvgCanvas canvas(100, 50, "a<b");
  canvas.text(1, 2, "x & <y>");
  std::string svg = canvas.str();
  EXPECT_NE(svg.find("<title>a&lt;b</title>"), std::string::npos);
  EXPECT_NE(svg.find(">x &amp; &lt;y&gt;</text>"), std::string::npos);
  EXPECT_EQ(svg.find("<y>"), std::string::npos);
}

TEST(SvgTest, HeatMapColoursAndMissingCells) {
  HeatMap map;
  map.rowLabels = {"r0", "r1"};
  map.columnLabels = {"c0", "c1", "c2"};
  map.values = {{0.0, 0.5, 1.0}, {std::nullopt, 0.25, 0.75}};
  map.title = "t";
  map.rowAxis = "row";
  map.columnAxis = "col";
  map.valueName = "v";
  std::string svg = renderHeatMap(map);
  std::regex cell("<rect class=\"cell\"[^>]* fill=\"(#[0-9a-f]{6})\"><title>"
                  "([^<]*)</title>");
  std::vector<std::pair<std::string, std::string>> cells;
  for (std::sregex_iterator it(svg.begin(), svg.end(), cell), end; it != end;
       ++it)
    cells.push_back({(*it)[1], (*it)[2]});
  ASSERT_EQ(cells.size(), 6u);
  // All values >= 0: viridis from 0 (its first colour) to the largest value
  // (its last); the middle value 0.5 is viridis' middle stop.
  EXPECT_EQ(cells[0].first, "#440154");
  EXPECT_EQ(cells[1].first, "#21918c");
  EXPECT_EQ(cells[2].first, "#fde725");
  EXPECT_EQ(cells[3].first, "#bbbbbb");
  EXPECT_EQ(cells[3].second, "row r1 \u00d7 col c0: v = n/a");
  EXPECT_EQ(cells[5].second, "row r1 \u00d7 col c2: v = 0.75");

  // A negative value switches to the diverging scale: -1 is the full blue.
  map.values = {{-1.0, 0.0, 1.0}, {0.5, 0.5, 0.5}};
  svg = renderHeatMap(map);
  std::smatch first;
  ASSERT_TRUE(std::regex_search(svg, first, cell));
  EXPECT_EQ(first[1], "#0072b2");
  EXPECT_NE(svg.find("fill=\"#ffffff\"><title>row r0 \u00d7 col c1"),
            std::string::npos);
  EXPECT_NE(svg.find("fill=\"#d55e00\"><title>row r0 \u00d7 col c2"),
            std::string::npos);
}

} // namespace
