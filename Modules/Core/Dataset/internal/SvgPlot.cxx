#include "SvgPlot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace mc::report {
namespace {

std::string fixed(double v, const char* format = "%.1f") {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, v);
  return buffer;
}

// A value label short enough for an axis: 2 significant digits for small ranges.
std::string tick(double v) { return fixed(v, std::fabs(v) < 10 ? "%.2g" : "%.0f"); }

struct Range {
  double low, high;
};

// The y range of the plot: every value and 0 (so a flat run still shows where zero is) and the
// threshold; a little padding so lines do not run along the frame.
Range rangeOf(const std::vector<std::vector<double>>& values, bool hasThreshold, double threshold) {
  double low = 0, high = 0;
  for (const auto& v : values)
    for (double x : v)
      if (std::isfinite(x)) low = std::min(low, x), high = std::max(high, x);
  if (hasThreshold) high = std::max(high, threshold);
  if (high - low < 1e-9) high = low + 1;
  const double pad = 0.05 * (high - low);
  return {low < 0 ? low - pad : low, high + pad};
}

}  // namespace

std::string escapeXml(const std::string& text) {
  std::string out;
  for (char c : text) switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  return out;
}

std::string svgLinePlot(const LinePlot& plot, int width, int height) {
  const double left = 46, right = 10, top = 24, bottom = 22;
  const double w = width - left - right, h = height - top - bottom;
  std::vector<std::vector<double>> all;
  std::size_t frames = 0;
  for (const auto& s : plot.series) all.push_back(s.values), frames = std::max(frames, s.values.size());
  const Range r = rangeOf(all, plot.hasThreshold, plot.threshold);
  auto xAt = [&](std::size_t j) { return left + (frames > 1 ? w * double(j) / double(frames - 1) : 0.0); };
  auto yAt = [&](double v) { return top + h * (r.high - v) / (r.high - r.low); };

  std::string s = "<svg class=\"plot\" width=\"" + std::to_string(width) +
                  "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " + std::to_string(width) + " " +
                  std::to_string(height) + "\" role=\"img\" aria-label=\"" + escapeXml(plot.title) + "\">";
  s += "<rect x=\"" + fixed(left) + "\" y=\"" + fixed(top) + "\" width=\"" + fixed(w) + "\" height=\"" + fixed(h) +
       "\" fill=\"#fbfbfd\" stroke=\"#c8ccd4\"/>";
  s += "<text x=\"" + fixed(left) + "\" y=\"15\" class=\"ptitle\">" + escapeXml(plot.title) + " (" +
       escapeXml(plot.unit) + ")</text>";
  // Axis labels: the range's ends and zero, where a reader looks first.
  std::vector<double> ticks{r.low, r.high};
  if (r.low < 0 && r.high > 0) ticks.push_back(0);
  for (double t : ticks) {
    s += "<text x=\"" + fixed(left - 4) + "\" y=\"" + fixed(yAt(t) + 4) + "\" class=\"tick\" text-anchor=\"end\">" +
         tick(t) + "</text>";
    if (t == 0.0)
      s += "<line x1=\"" + fixed(left) + "\" x2=\"" + fixed(left + w) + "\" y1=\"" + fixed(yAt(0)) + "\" y2=\"" +
           fixed(yAt(0)) + "\" stroke=\"#c8ccd4\"/>";
  }
  s += "<text x=\"" + fixed(left + w) + "\" y=\"" + fixed(height - 6.0) + "\" class=\"tick\" text-anchor=\"end\">frame " +
       std::to_string(frames ? frames - 1 : 0) + "</text>";
  s += "<text x=\"" + fixed(left) + "\" y=\"" + fixed(height - 6.0) + "\" class=\"tick\">0</text>";
  if (plot.hasThreshold)
    s += "<line class=\"threshold\" x1=\"" + fixed(left) + "\" x2=\"" + fixed(left + w) + "\" y1=\"" +
         fixed(yAt(plot.threshold)) + "\" y2=\"" + fixed(yAt(plot.threshold)) +
         "\" stroke=\"#d62728\" stroke-dasharray=\"5,3\"/><text x=\"" + fixed(left + w - 2) + "\" y=\"" +
         fixed(yAt(plot.threshold) - 3) + "\" class=\"tick\" fill=\"#d62728\" text-anchor=\"end\">threshold " +
         tick(plot.threshold) + "</text>";
  double legendX = left + w;
  for (auto it = plot.series.rbegin(); it != plot.series.rend(); ++it) {
    legendX -= 8.0 * double(it->name.size()) + 22;
    s += "<rect x=\"" + fixed(legendX) + "\" y=\"8\" width=\"10\" height=\"3\" fill=\"" + it->colour +
         "\"/><text x=\"" + fixed(legendX + 13) + "\" y=\"13\" class=\"tick\">" + escapeXml(it->name) + "</text>";
  }
  for (const auto& series : plot.series) {
    s += "<polyline fill=\"none\" stroke=\"" + series.colour + "\" stroke-width=\"1.4\" data-series=\"" +
         escapeXml(series.name) + "\" points=\"";
    for (std::size_t j = 0; j < series.values.size(); ++j)
      s += (j ? " " : "") + fixed(xAt(j)) + "," + fixed(yAt(std::isfinite(series.values[j]) ? series.values[j] : 0));
    s += "\"/>";
  }
  return s + "</svg>";
}

std::string svgBarPlot(const BarPlot& plot, int height) {
  const double left = 46, top = 28, bottom = 30, slot = 64;
  const double w = slot * double(std::max<std::size_t>(plot.labels.size(), 1));
  const int width = int(left + w + 90);  // the threshold's label right of the bars, clear of them
  const double h = height - top - bottom;
  const Range r = rangeOf({plot.values}, plot.hasThreshold, plot.threshold);
  auto yAt = [&](double v) { return top + h * (r.high - v) / (r.high - r.low); };
  std::string s = "<svg class=\"plot group\" width=\"" + std::to_string(width) +
                  "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " + std::to_string(width) + " " +
                  std::to_string(height) + "\" role=\"img\" aria-label=\"" + escapeXml(plot.title) + "\">";
  s += "<text x=\"" + fixed(left) + "\" y=\"16\" class=\"ptitle\">" + escapeXml(plot.title) + " (" +
       escapeXml(plot.unit) + ")</text>";
  s += "<line x1=\"" + fixed(left) + "\" x2=\"" + fixed(left + w) + "\" y1=\"" + fixed(yAt(0)) + "\" y2=\"" +
       fixed(yAt(0)) + "\" stroke=\"#8a909c\"/>";
  s += "<text x=\"" + fixed(left - 4) + "\" y=\"" + fixed(yAt(r.high) + 4) + "\" class=\"tick\" text-anchor=\"end\">" +
       tick(r.high) + "</text><text x=\"" + fixed(left - 4) + "\" y=\"" + fixed(yAt(0) + 4) +
       "\" class=\"tick\" text-anchor=\"end\">0</text>";
  for (std::size_t i = 0; i < plot.labels.size(); ++i) {
    const double x = left + slot * double(i) + 10, v = i < plot.values.size() ? plot.values[i] : 0.0;
    const bool over = plot.hasThreshold && v > plot.threshold;
    s += "<rect class=\"bar\" x=\"" + fixed(x) + "\" y=\"" + fixed(yAt(v)) + "\" width=\"" + fixed(slot - 20) +
         "\" height=\"" + fixed(std::max(0.0, yAt(0) - yAt(v))) + "\" fill=\"" + (over ? "#d62728" : "#4c78a8") +
         "\"><title>" + escapeXml(plot.labels[i]) + ": " + fixed(v, "%.3f") + "</title></rect>";
    s += "<text x=\"" + fixed(x + (slot - 20) / 2) + "\" y=\"" + fixed(yAt(v) - 4) +
         "\" class=\"tick\" text-anchor=\"middle\">" + fixed(v, "%.2f") + "</text>";
    s += "<text x=\"" + fixed(x + (slot - 20) / 2) + "\" y=\"" + fixed(height - 12.0) +
         "\" class=\"tick\" text-anchor=\"middle\">" + escapeXml(plot.labels[i]) + "</text>";
  }
  if (plot.hasThreshold)
    s += "<line class=\"threshold\" x1=\"" + fixed(left) + "\" x2=\"" + fixed(left + w) + "\" y1=\"" +
         fixed(yAt(plot.threshold)) + "\" y2=\"" + fixed(yAt(plot.threshold)) +
         "\" stroke=\"#d62728\" stroke-dasharray=\"5,3\"/><text x=\"" + fixed(left + w + 4) + "\" y=\"" +
         fixed(yAt(plot.threshold) + 4) + "\" class=\"tick\" fill=\"#d62728\">threshold " +
         tick(plot.threshold) + "</text>";
  return s + "</svg>";
}

}  // namespace mc::report
