//===- Svg.cpp - A tiny SVG plotting layer --------------------------------===//
//
// Coordinates are written with two decimals; every text goes through
// escapeXml so data (run names, captions) can never open an element. Ticks
// follow the usual 1-2-5 rule so labels are short round numbers.
//
//===----------------------------------------------------------------------===//

#include "Svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

using namespace prism::report;

namespace {

const char *const kReplacement = "\xEF\xBF\xBD"; // U+FFFD

/// Length of the well-formed UTF-8 sequence starting at text[i] that XML
/// allows, or 0.
size_t validSequence(const std::string &text, size_t i) {
  auto byte = [&](size_t k) -> unsigned {
    return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0;
  };
  auto continuation = [&](size_t k) { return (byte(k) & 0xC0) == 0x80; };
  unsigned lead = byte(0);
  if (lead >= 0xC2 && lead <= 0xDF)
    return continuation(1) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    if (!continuation(1) || !continuation(2))
      return 0;
    if ((lead == 0xE0 && byte(1) < 0xA0) || (lead == 0xED && byte(1) > 0x9F))
      return 0; // overlong, or a surrogate
    if (lead == 0xEF && byte(1) == 0xBF && byte(2) >= 0xBE)
      return 0; // U+FFFE and U+FFFF are not XML characters
    return 3;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    if (!continuation(1) || !continuation(2) || !continuation(3))
      return 0;
    if ((lead == 0xF0 && byte(1) < 0x90) || (lead == 0xF4 && byte(1) > 0x8F))
      return 0;
    return 4;
  }
  return 0;
}

std::string coordinate(double value) { return formatFixed(value, 2); }

/// Linear interpolation between two #rrggbb colours.
std::string mixColour(const std::string &a, const std::string &b, double t) {
  auto channel = [](const std::string &c, int k) {
    return std::stoi(c.substr(1 + 2 * k, 2), nullptr, 16);
  };
  char out[8];
  int rgb[3];
  for (int k = 0; k < 3; ++k)
    rgb[k] = static_cast<int>(
        std::lround(channel(a, k) + t * (channel(b, k) - channel(a, k))));
  std::snprintf(out, sizeof(out), "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
  return out;
}

/// Viridis (perceptually uniform, colour-blind safe) at t in [0, 1].
std::string sequentialColour(double t) {
  static const char *const stops[] = {"#440154", "#3b528b", "#21918c",
                                      "#5ec962", "#fde725"};
  t = std::clamp(t, 0.0, 1.0) * 4;
  size_t i = std::min<size_t>(static_cast<size_t>(t), 3);
  return mixColour(stops[i], stops[i + 1], t - static_cast<double>(i));
}

/// Okabe-Ito blue through white to vermillion at t in [-1, 1].
std::string divergingColour(double t) {
  t = std::clamp(t, -1.0, 1.0);
  return t < 0 ? mixColour("#ffffff", "#0072b2", -t)
               : mixColour("#ffffff", "#d55e00", t);
}

double tickStep(double lo, double hi, int target) {
  double raw = (hi - lo) / std::max(target, 1);
  double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double fraction = raw / magnitude;
  double nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
  return nice * magnitude;
}

} // namespace

std::string prism::report::escapeXml(const std::string &text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
          out += kReplacement;
        else
          out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    size_t length = validSequence(text, i);
    if (length == 0) {
      out += kReplacement;
      ++i;
    } else {
      out.append(text, i, length);
      i += length;
    }
  }
  return out;
}

std::string prism::report::ellipsize(const std::string &text, size_t maxChars) {
  // Byte offsets where each code point starts (continuation bytes skipped).
  std::vector<size_t> starts;
  for (size_t i = 0; i < text.size(); ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80)
      starts.push_back(i);
  if (starts.size() <= maxChars)
    return text;
  size_t keep = maxChars > 0 ? maxChars - 1 : 0;
  return text.substr(0, starts[keep]) + "\u2026";
}

std::string prism::report::formatFixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.*f", std::max(decimals, 0), value);
  std::string out = buffer;
  if (out[0] == '-' && out.find_first_not_of("-0.") == std::string::npos)
    out.erase(0, 1);
  return out;
}

std::string prism::report::formatShort(double value, int significant) {
  if (value == 0)
    return "0";
  double magnitude = std::fabs(value);
  char buffer[64];
  if (magnitude >= 1e-3 && magnitude < 1e6) {
    int decimals =
        std::max(0, significant - 1 -
                        static_cast<int>(std::floor(std::log10(magnitude))));
    std::string out = formatFixed(value, decimals);
    if (out.find('.') != std::string::npos) {
      out.erase(out.find_last_not_of('0') + 1);
      if (out.back() == '.')
        out.pop_back();
    }
    return out;
  }
  std::snprintf(buffer, sizeof(buffer), "%.*e", std::max(significant - 1, 0),
                value);
  return buffer;
}

std::string prism::report::paletteColour(size_t index) {
  // Okabe-Ito, yellow last: it is faint on white.
  static const char *const colours[] = {"#0072b2", "#e69f00", "#009e73",
                                        "#d55e00", "#cc79a7", "#56b4e9",
                                        "#000000", "#f0e442"};
  return colours[index % 8];
}

double Scale::map(double value) const {
  double t = log10 ? (std::log10(value) - std::log10(lo)) /
                         (std::log10(hi) - std::log10(lo))
                   : (value - lo) / (hi - lo);
  return pixelLo + t * (pixelHi - pixelLo);
}

std::vector<Tick> prism::report::linearTicks(double lo, double hi, int target) {
  std::vector<Tick> ticks;
  if (!(hi > lo))
    return ticks;
  double step = tickStep(lo, hi, target);
  int decimals =
      std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)));
  double first = std::ceil(lo / step - 1e-9);
  for (double k = first; k * step <= hi + step * 1e-9; k += 1)
    ticks.push_back({k * step, formatFixed(k * step, decimals)});
  return ticks;
}

std::vector<Tick> prism::report::log10Ticks(double lo, double hi) {
  std::vector<Tick> ticks;
  if (!(lo > 0) || !(hi > lo))
    return ticks;
  int first = static_cast<int>(std::ceil(std::log10(lo) - 1e-9));
  int last = static_cast<int>(std::floor(std::log10(hi) + 1e-9));
  for (int k = first; k <= last; ++k) {
    double value = std::pow(10.0, k);
    ticks.push_back({value, formatShort(value, 1)});
  }
  return ticks;
}

std::pair<double, double> prism::report::niceRange(double lo, double hi,
                                                   int target) {
  if (!(hi > lo)) {
    double pad = lo == 0 ? 1 : std::fabs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  double step = tickStep(lo, hi, target);
  return {std::floor(lo / step + 1e-9) * step,
          std::ceil(hi / step - 1e-9) * step};
}

std::pair<double, double> prism::report::decadeRange(double lo, double hi) {
  double low = std::pow(10.0, std::floor(std::log10(lo) + 1e-9));
  double high = std::pow(10.0, std::ceil(std::log10(hi) - 1e-9));
  if (!(high > low))
    high = low * 10;
  return {low, high};
}

SvgCanvas::SvgCanvas(double width, double height, const std::string &title)
    : width(width), height(height), title(title) {}

void SvgCanvas::rect(double x, double y, double w, double h,
                     const std::string &fill, const std::string &cls,
                     const std::string &tooltip) {
  body += "<rect";
  if (!cls.empty())
    body += " class=\"" + cls + "\"";
  body += " x=\"" + coordinate(x) + "\" y=\"" + coordinate(y) + "\" width=\"" +
          coordinate(w) + "\" height=\"" + coordinate(h) + "\" fill=\"" + fill +
          "\"";
  if (tooltip.empty())
    body += "/>\n";
  else
    body += "><title>" + escapeXml(tooltip) + "</title></rect>\n";
}

void SvgCanvas::line(double x1, double y1, double x2, double y2,
                     const std::string &stroke, double width,
                     const std::string &cls, bool dashed) {
  body += "<line";
  if (!cls.empty())
    body += " class=\"" + cls + "\"";
  body += " x1=\"" + coordinate(x1) + "\" y1=\"" + coordinate(y1) + "\" x2=\"" +
          coordinate(x2) + "\" y2=\"" + coordinate(y2) + "\" stroke=\"" +
          stroke + "\" stroke-width=\"" + coordinate(width) + "\"";
  if (dashed)
    body += " stroke-dasharray=\"4 3\"";
  body += "/>\n";
}

void SvgCanvas::polyline(const std::vector<std::pair<double, double>> &points,
                         const std::string &stroke, double width,
                         const std::string &cls) {
  body += "<polyline";
  if (!cls.empty())
    body += " class=\"" + cls + "\"";
  body += " fill=\"none\" stroke=\"" + stroke + "\" stroke-width=\"" +
          coordinate(width) + "\" stroke-linejoin=\"round\" points=\"";
  for (size_t i = 0; i < points.size(); ++i)
    body += (i ? " " : "") + coordinate(points[i].first) + "," +
            coordinate(points[i].second);
  body += "\"/>\n";
}

void SvgCanvas::marker(double x, double y, int shape, const std::string &fill,
                       const std::string &tooltip) {
  body += "<g class=\"marker\" transform=\"translate(" + coordinate(x) + "," +
          coordinate(y) + ")\">";
  std::string style =
      " fill=\"" + fill + "\" stroke=\"#ffffff\" stroke-width=\"1\"";
  switch (shape % 4) {
  case 0:
    body += "<circle r=\"5\"" + style + "/>";
    break;
  case 1:
    body +=
        "<rect x=\"-4.5\" y=\"-4.5\" width=\"9\" height=\"9\"" + style + "/>";
    break;
  case 2:
    body += "<path d=\"M0,-6 L5.5,4 L-5.5,4 Z\"" + style + "/>";
    break;
  default:
    body += "<path d=\"M0,-6 L6,0 L0,6 L-6,0 Z\"" + style + "/>";
  }
  if (!tooltip.empty())
    body += "<title>" + escapeXml(tooltip) + "</title>";
  body += "</g>\n";
}

void SvgCanvas::text(double x, double y, const std::string &content,
                     const std::string &anchor, double size,
                     const std::string &cls, double rotate, bool bold) {
  body += "<text";
  if (!cls.empty())
    body += " class=\"" + cls + "\"";
  body += " x=\"" + coordinate(x) + "\" y=\"" + coordinate(y) +
          "\" text-anchor=\"" + anchor + "\" font-size=\"" + coordinate(size) +
          "\"";
  if (bold)
    body += " font-weight=\"bold\"";
  if (rotate != 0)
    body += " transform=\"rotate(" + coordinate(rotate) + " " + coordinate(x) +
            " " + coordinate(y) + ")\"";
  body += ">" + escapeXml(content) + "</text>\n";
}

std::string SvgCanvas::str() const {
  std::string w = coordinate(width), h = coordinate(height);
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + w +
         "\" height=\"" + h + "\" viewBox=\"0 0 " + w + " " + h +
         "\" role=\"img\" font-family=\"DejaVu Sans, Helvetica, Arial, "
         "sans-serif\" fill=\"#222222\">\n<title>" +
         escapeXml(title) + "</title>\n<rect width=\"" + w + "\" height=\"" +
         h + "\" fill=\"#ffffff\"/>\n" + body + "</svg>\n";
}

PlotFrame::PlotFrame(SvgCanvas &canvas, double left, double top, double width,
                     double height, Scale xScale, Scale yScale)
    : canvas(canvas), left(left), top(top), width(width), height(height),
      x(xScale), y(yScale) {
  x.pixelLo = left;
  x.pixelHi = left + width;
  // SVG's y grows downwards: the domain's low end is at the bottom.
  y.pixelLo = top + height;
  y.pixelHi = top;
}

void PlotFrame::drawAxes(const std::string &title, const std::string &xLabel,
                         const std::string &yLabel,
                         const std::vector<Tick> &xTicks,
                         const std::vector<Tick> &yTicks) {
  canvas.rect(left, top, width, height, "#ffffff", "plot-area");
  double bottom = top + height;
  for (const Tick &tick : xTicks) {
    double px = x.map(tick.value);
    canvas.line(px, top, px, bottom, "#e0e0e0", 1, "grid");
    canvas.line(px, bottom, px, bottom + 5, "#444444", 1);
    canvas.text(px, bottom + 19, tick.label, "middle", 12, "tick x-tick");
  }
  for (const Tick &tick : yTicks) {
    double py = y.map(tick.value);
    canvas.line(left, py, left + width, py, "#e0e0e0", 1, "grid");
    canvas.line(left - 5, py, left, py, "#444444", 1);
    canvas.text(left - 8, py + 4, tick.label, "end", 12, "tick y-tick");
  }
  canvas.line(left, bottom, left + width, bottom, "#444444", 1.2);
  canvas.line(left, top, left, bottom, "#444444", 1.2);
  canvas.text(left + width / 2, top - 12, title, "middle", 15, "title", 0,
              true);
  canvas.text(left + width / 2, bottom + 42, xLabel, "middle", 13, "x-label");
  canvas.text(left - 50, top + height / 2, yLabel, "middle", 13, "y-label",
              -90);
}

void PlotFrame::series(const std::vector<double> &xs,
                       const std::vector<std::optional<double>> &ys,
                       const std::string &colour, bool joined, int shape,
                       const std::string &label) {
  std::vector<std::pair<double, double>> run;
  auto flush = [&] {
    if (joined && run.size() > 1)
      canvas.polyline(run, colour, 2, "series-line");
    run.clear();
  };
  for (size_t i = 0; i < xs.size() && i < ys.size(); ++i) {
    if (!ys[i]) {
      flush();
      continue;
    }
    run.push_back({x.map(xs[i]), y.map(*ys[i])});
  }
  flush();
  if (shape < 0)
    return;
  for (size_t i = 0; i < xs.size() && i < ys.size(); ++i)
    if (ys[i])
      canvas.marker(x.map(xs[i]), y.map(*ys[i]), shape, colour,
                    label + ": (" + formatShort(xs[i], 4) + ", " +
                        formatShort(*ys[i], 4) + ")");
}

void PlotFrame::bars(const std::vector<double> &edges,
                     const std::vector<double> &values,
                     const std::string &colour) {
  double base =
      y.map(std::clamp(0.0, std::min(y.lo, y.hi), std::max(y.lo, y.hi)));
  for (size_t i = 0; i < values.size() && i + 1 < edges.size(); ++i) {
    double x0 = x.map(edges[i]), x1 = x.map(edges[i + 1]);
    double py = y.map(values[i]);
    canvas.rect(x0 + 0.5, std::min(py, base), std::max(x1 - x0 - 1, 0.0),
                std::fabs(base - py), colour, "bar",
                "[" + formatShort(edges[i], 3) + ", " +
                    formatShort(edges[i + 1], 3) +
                    "): " + formatShort(values[i], 4));
  }
}

void prism::report::drawLegend(SvgCanvas &canvas, double left, double top,
                               const std::vector<LegendEntry> &entries) {
  double rowY = top;
  for (const LegendEntry &entry : entries) {
    if (entry.line)
      canvas.line(left, rowY, left + 26, rowY, entry.colour, 2, "",
                  entry.dashed);
    if (entry.shape >= 0)
      canvas.marker(left + 13, rowY, entry.shape, entry.colour);
    canvas.text(left + 34, rowY + 4, entry.label, "start", 12, "legend");
    rowY += 20;
  }
}

std::string prism::report::renderHeatMap(const HeatMap &map) {
  size_t rows = map.values.size();
  size_t cols = rows ? map.values[0].size() : 0;
  double largest = 0;
  bool negative = false, missing = false;
  for (const auto &row : map.values)
    for (const std::optional<double> &v : row) {
      if (!v) {
        missing = true;
        continue;
      }
      largest = std::max(largest, std::fabs(*v));
      negative |= *v < 0;
    }
  if (largest == 0)
    largest = 1;

  double cell =
      std::clamp(360.0 / static_cast<double>(std::max<size_t>({rows, cols, 1})),
                 14.0, 30.0);
  // Margins fit the longest labels (about 7 px a character at 12 px).
  size_t rowChars = 0, columnChars = 0;
  for (const std::string &label : map.rowLabels)
    rowChars = std::max(rowChars, label.size());
  for (const std::string &label : map.columnLabels)
    columnChars = std::max(columnChars, label.size());
  double left = 50 + 7.0 * static_cast<double>(rowChars), top = 56;
  double columnSpace = 14 + 7.0 * static_cast<double>(columnChars);
  double gridW = cell * static_cast<double>(cols);
  double gridH = cell * static_cast<double>(rows);
  double barH = std::max(gridH, 180.0);
  double width = std::max(left + gridW + 150,
                          8.5 * static_cast<double>(map.title.size()) + 40);
  double height = top + std::max(gridH + columnSpace + 30, barH + 40) + 16;
  SvgCanvas canvas(width, height, map.title);
  canvas.text(width / 2, 24, map.title, "middle", 15, "title", 0, true);

  auto colourOf = [&](double v) {
    return negative ? divergingColour(v / largest)
                    : sequentialColour(v / largest);
  };
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < cols && c < map.values[r].size(); ++c) {
      const std::optional<double> &v = map.values[r][c];
      std::string tip = map.rowAxis + " " + map.rowLabels[r] + " \u00d7 " +
                        map.columnAxis + " " + map.columnLabels[c] + ": " +
                        map.valueName + " = " +
                        (v ? formatShort(*v, 4) : std::string("n/a"));
      canvas.rect(left + cell * static_cast<double>(c),
                  top + cell * static_cast<double>(r), cell, cell,
                  v ? colourOf(*v) : "#bbbbbb", "cell", tip);
    }
  double fontSize = std::min(12.0, cell * 0.8);
  for (size_t r = 0; r < rows; ++r)
    canvas.text(left - 6, top + cell * (static_cast<double>(r) + 0.5) + 4,
                map.rowLabels[r], "end", fontSize, "tick");
  for (size_t c = 0; c < cols; ++c) {
    double px = left + cell * (static_cast<double>(c) + 0.5) + 4;
    canvas.text(px, top + gridH + 8, map.columnLabels[c], "end", fontSize,
                "tick", -90);
  }
  canvas.text(left + gridW / 2, top + gridH + columnSpace + 16, map.columnAxis,
              "middle", 13, "x-label");
  // Centred on the rows, but never so high that it reaches the title.
  canvas.text(30, top + std::max(gridH, 150.0) / 2, map.rowAxis, "middle", 13,
              "y-label", -90);

  // The colour bar: 40 bands, ticks on the value scale.
  double barX = left + gridW + 30, barW = 16;
  Scale scale{false, negative ? -largest : 0, largest, top + barH, top};
  const int bands = 40;
  for (int b = 0; b < bands; ++b) {
    double v0 = scale.lo + (scale.hi - scale.lo) * b / bands;
    double v1 = scale.lo + (scale.hi - scale.lo) * (b + 1) / bands;
    canvas.rect(barX, scale.map(v1), barW, scale.map(v0) - scale.map(v1) + 0.3,
                colourOf((v0 + v1) / 2), "colour-band");
  }
  for (const Tick &tick : linearTicks(scale.lo, scale.hi, 5)) {
    double py = scale.map(tick.value);
    canvas.line(barX + barW, py, barX + barW + 4, py, "#444444");
    canvas.text(barX + barW + 7, py + 4, tick.label, "start", 11, "tick");
  }
  canvas.text(barX + barW + 62, top + barH / 2, map.valueName, "middle", 13,
              "y-label", -90);
  if (missing) {
    canvas.rect(barX, top + barH + 12, barW, 12, "#bbbbbb");
    canvas.text(barX + barW + 6, top + barH + 22, "n/a", "start", 11);
  }
  return canvas.str();
}
