//===- Svg.h - A tiny SVG plotting layer ------------------------*- C++ -*-===//
//
// Just enough plotting for the analysis report: scales (linear, log10), nice
// tick positions, a canvas that writes escaped SVG elements, plot frames with
// labelled axes, line and point series, histogram bars, a legend, and a heat
// map with its colour bar. Colours come from the Okabe-Ito palette, which
// stays distinct under the common colour-vision deficiencies.
//
//===----------------------------------------------------------------------===//

#ifndef PRISM_TOOLS_REPORT_SVG_H
#define PRISM_TOOLS_REPORT_SVG_H

#include <optional>
#include <string>
#include <vector>

namespace prism::report {

/// `text` with &, <, >, " and ' escaped for XML and HTML text and attributes;
/// control characters XML forbids and malformed UTF-8 become U+FFFD.
std::string escapeXml(const std::string &text);

/// `text` cut to at most `maxChars` characters (code points, not bytes), the
/// last of them "…" when it was cut, so a long run name cannot run out of a
/// plot; `maxChars` >= 1.
std::string ellipsize(const std::string &text, size_t maxChars);

/// `value` with `decimals` digits after the point ("-0" shown as "0").
std::string formatFixed(double value, int decimals);
/// `value` with about `significant` digits, plain or in e-notation.
std::string formatShort(double value, int significant = 3);

/// Colour `index` of the Okabe-Ito palette, cycling after eight.
std::string paletteColour(size_t index);

/// Maps data values to pixels, linearly or by log10.
struct Scale {
  bool log10 = false;
  double lo = 0, hi = 1;           // data domain
  double pixelLo = 0, pixelHi = 1; // where lo and hi land
  double map(double value) const;
};

struct Tick {
  double value;
  std::string label;
};

/// Ticks at 1, 2 or 5 times a power of ten inside [lo, hi], about `target`
/// of them, labelled with as many decimals as the step needs.
std::vector<Tick> linearTicks(double lo, double hi, int target = 5);
/// Ticks at the powers of ten inside [lo, hi] (lo > 0).
std::vector<Tick> log10Ticks(double lo, double hi);
/// [lo, hi] widened to multiples of the linear tick step; a single value is
/// widened around itself.
std::pair<double, double> niceRange(double lo, double hi, int target = 5);
/// [lo, hi] (lo > 0) widened to powers of ten, at least one decade wide.
std::pair<double, double> decadeRange(double lo, double hi);

/// An SVG document being built; every text passed in is escaped here.
class SvgCanvas {
public:
  /// `title` becomes the document's <title> (read by screen readers).
  SvgCanvas(double width, double height, const std::string &title);

  void rect(double x, double y, double w, double h, const std::string &fill,
            const std::string &cls = "", const std::string &tooltip = "");
  void line(double x1, double y1, double x2, double y2,
            const std::string &stroke, double width = 1,
            const std::string &cls = "", bool dashed = false);
  void polyline(const std::vector<std::pair<double, double>> &points,
                const std::string &stroke, double width,
                const std::string &cls = "");
  /// A marker of `shape` (0 circle, 1 square, 2 triangle, 3 diamond) centred
  /// on (x, y), as <g class="marker" transform="translate(x,y)">.
  void marker(double x, double y, int shape, const std::string &fill,
              const std::string &tooltip = "");
  /// `anchor` is start, middle or end; `rotate` turns the text about (x, y).
  void text(double x, double y, const std::string &text,
            const std::string &anchor = "start", double size = 13,
            const std::string &cls = "", double rotate = 0, bool bold = false);

  double getWidth() const { return width; }
  double getHeight() const { return height; }
  /// The <svg> element with its contents, without an XML declaration so it
  /// can be inlined into HTML as is.
  std::string str() const;

private:
  double width, height;
  std::string title;
  std::string body;
};

/// A rectangle of the canvas with a data scale on each axis.
class PlotFrame {
public:
  PlotFrame(SvgCanvas &canvas, double left, double top, double width,
            double height, Scale x, Scale y);

  /// The frame, grid lines, tick labels, axis labels and the title above.
  void drawAxes(const std::string &title, const std::string &xLabel,
                const std::string &yLabel, const std::vector<Tick> &xTicks,
                const std::vector<Tick> &yTicks);
  /// A line through the points in order, broken where a y is missing;
  /// markers on each point when `shape` >= 0.
  void series(const std::vector<double> &xs,
              const std::vector<std::optional<double>> &ys,
              const std::string &colour, bool joined, int shape,
              const std::string &label);
  /// One bar per bin from edges[i] to edges[i + 1], from y = 0 up.
  void bars(const std::vector<double> &edges, const std::vector<double> &values,
            const std::string &colour);

  const Scale &getX() const { return x; }
  const Scale &getY() const { return y; }

private:
  SvgCanvas &canvas;
  double left, top, width, height;
  Scale x, y;
};

struct LegendEntry {
  std::string label;
  std::string colour;
  bool line;
  int shape;           // marker shape, -1 for none
  bool dashed = false; // the line dashed, as a reference line
};

/// Entries stacked downwards from (left, top).
void drawLegend(SvgCanvas &canvas, double left, double top,
                const std::vector<LegendEntry> &entries);

/// A matrix of values (missing ones grey) as coloured cells, labelled rows
/// and columns and a colour bar: sequential from 0 when every value is >= 0,
/// diverging around 0 otherwise.
struct HeatMap {
  std::vector<std::string> rowLabels, columnLabels;
  std::vector<std::vector<std::optional<double>>> values; // [row][column]
  std::string title, rowAxis, columnAxis, valueName;
};
/// The SVG of `map`, sized to its cells.
std::string renderHeatMap(const HeatMap &map);

} // namespace prism::report

#endif // PRISM_TOOLS_REPORT_SVG_H
