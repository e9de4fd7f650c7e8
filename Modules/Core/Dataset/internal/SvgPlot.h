#pragma once
// The report's plots as inline SVG: text the page carries itself (no script library, no image
// files), crisp at any zoom, and testable by reading the markup (one polyline per series, one
// point per frame).
#include <string>
#include <vector>

namespace mc::report {

struct PlotSeries {
  std::string name;    // the legend's label
  std::string colour;  // CSS colour
  std::vector<double> values;  // one per frame
};

struct LinePlot {
  std::string title, unit;
  std::vector<PlotSeries> series;
  bool hasThreshold = false;  // a dashed horizontal line at `threshold`, labelled
  double threshold = 0;
};

// An SVG of width x height pixels: the series over frame index, axes with their range, a legend.
std::string svgLinePlot(const LinePlot& plot, int width = 440, int height = 170);

struct BarPlot {
  std::string title, unit;
  std::vector<std::string> labels;
  std::vector<double> values;
  bool hasThreshold = false;
  double threshold = 0;
};

// Vertical bars, one per label, each with its value printed above it.
std::string svgBarPlot(const BarPlot& plot, int height = 220);

// Text for inside an HTML/SVG element or attribute.
std::string escapeXml(const std::string& text);

}  // namespace mc::report
