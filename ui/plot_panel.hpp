#pragma once
// Live plots of telemetry Series, drawn with ImGui's draw lists (no plotting library): axes with
// "nice" tick labels (1, 2, 5 x 10^k), the x and y labels of the series' style (units included),
// the series that name it as their overlay drawn on the same chart (train/validation pairs, one
// line per seed) with a legend, values kept inside the frame; long series reduced to a min/max
// pair per pixel column; hovering shows the value under the cursor.
#include <imgui.h>

#include <string>
#include <vector>

#include "tasks/framework/telemetry.hpp"

namespace soma::ui {

// `overlays`: further series drawn on the same axes (may be empty).
void draw_plot(const Series& s, const std::vector<const Series*>& overlays, ImVec2 size);

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
// A legend box at the top left of `r`: a short line in each colour and its name.
void draw_legend(const PanelRect& r, const std::vector<std::string>& names,
                 const std::vector<ImU32>& colors);

}  // namespace soma::ui
