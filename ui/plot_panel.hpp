#pragma once
// Live plots of telemetry Series, drawn with ImGui's draw lists (no plotting library): axes with
// "nice" tick labels (1, 2, 5 x 10^k), the x and y labels of the series' style (units included),
// the series that name it as their overlay drawn on the same chart (train/validation pairs, one
// line per seed) with a legend, values kept inside the frame; a series with more points than the
// plot has pixel columns drawn as a band through each column's [min, max] (two vertices a
// column); hovering shows the value under the cursor.
#include <imgui.h>

#include <string>
#include <vector>

#include "tasks/framework/telemetry.hpp"

namespace soma::ui {

// `overlays`: further series drawn on the same axes (may be empty). A series styled `smooth`
// (per-batch loss and accuracy) is drawn faint with its exponential moving average over it
// (TensorBoard's smoothing: `smoothing` is the weight of the past, 0 draws the raw line only).
void draw_plot(const Series& s, const std::vector<const Series*>& overlays, ImVec2 size,
               double smoothing = 0);
// TensorBoard's smoothing: m_i = w m_{i-1} + (1 - w) y_i from m = 0, divided by (1 - w^k) after
// k finite points so the start is not pulled towards 0; NaN stays NaN and is skipped.
std::vector<double> smooth_ema(const std::vector<double>& y, double weight);
// smooth_ema of `s`, kept per series name and extended as points arrive instead of recomputed
// every frame (a long run keeps a point per step: 10^5 points); valid until the next call.
const std::vector<double>& smoothed(const Series& s, double weight);

// Shared by the panels: a frame with a title, returning the inner drawing rectangle. A title
// wider than the frame is cut with "..." (the whole title shows on hover), so a long name never
// widens the layout.
struct PanelRect {
  ImVec2 min, max;
  float width() const { return max.x - min.x; }
  float height() const { return max.y - min.y; }
};
PanelRect begin_panel(const char* title, ImVec2 size);
// `text` cut to at most `width` pixels, ending in "..." when cut.
std::string fit_text(const std::string& text, float width);
// Ten colours told apart on the dark background (lines, legends).
ImU32 palette(int i);
// "1.5k", "0.02", "300": a tick label in at most ~5 characters.
std::string tick_label(double v);
// Up to `max_ticks` round values covering [lo, hi].
std::vector<double> nice_ticks(double lo, double hi, int max_ticks);
// A chart's y range [lo, hi] made drawable: a flat one widened to 1, then 6% more on each side,
// so that the lines stay inside the frame.
void pad_range(double& lo, double& hi);
// A chart's axes in `frame` over x in [x0, x1] and y in [y0, y1]: y tick labels on a left
// margin with grid lines, x ticks and `x_label` along the bottom; returns the rectangle the data
// goes in (too small to draw in when under 8 x 8 pixels).
struct AxisRange {
  double x0, x1, y0, y1;
};
PanelRect draw_axes(const PanelRect& frame, const AxisRange& range, const std::string& x_label);
// The names on a chart of several series (names[0] the main one): when all share a prefix of
// whole words that leaves each a name, that prefix names the chart and the rest the lines
// ("test accuracy ET", "test accuracy oracle" -> "test accuracy"; "ET", "oracle"); otherwise the
// chart is the main series' and a line named "<main> <rest>" is "<rest>" ("angle_layer1 seed 2"
// -> "seed 2").
struct ChartNames {
  std::string prefix;  // empty: none shared
  std::vector<std::string> legend;
};
ChartNames chart_names(const std::vector<std::string>& names);
// A legend box at the top right of `r`: a short line in each colour and its name; legend_width
// is its width there (the names' widest, at most 60% of r).
float legend_width(const PanelRect& r, const std::vector<std::string>& names);
void draw_legend(const PanelRect& r, const std::vector<std::string>& names,
                 const std::vector<ImU32>& colors);

}  // namespace soma::ui
