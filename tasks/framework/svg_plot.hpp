#pragma once
// Plots as standalone SVG files (no plotting library needed, viewable in any browser): line
// charts for loss / accuracy / reward curves, spike rasters, and heat maps of matrices.
#include <string>
#include <vector>

#include "tasks/framework/telemetry.hpp"

namespace soma {

struct PlotLine {
  std::string label;  // in the legend above the frame; empty: not listed
  std::vector<double> x, y;
  bool dashed = false;   // e.g. a reference value such as a teacher's weight
  std::string color;     // empty: the palette's (black when dashed)
  bool faint = false;    // thin and translucent: raw points under their moving average
  bool markers = false;  // a dot at every point (sparse series such as per-epoch values)
};

struct LinePlot {
  std::string title, x_label, y_label;
  bool log_y = false;  // non-positive values are left out on a log axis
  std::vector<PlotLine> lines;
};

// Each writes atomically (temp file, then rename); I/O errors throw std::runtime_error.
void write_svg(const std::string& path, const LinePlot& plot);
void write_svg(const std::string& path, const Raster& raster);
void write_svg(const std::string& path, const Image& image);

// The mean of the last `window` finite values at each point (fewer at the start).
std::vector<double> moving_average(const std::vector<double>& y, size_t window);
// A line plot of one telemetry series, labelled and smoothed as its style says.
LinePlot plot_of(const Series& s);

}  // namespace soma
