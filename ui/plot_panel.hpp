#pragma once
// A live line plot of one telemetry Series, drawn with ImGui's draw lists (no plotting library):
// the y range fits the data, long series are reduced to a min/max pair per pixel column, and
// hovering shows the value under the cursor.
#include <imgui.h>

#include "tasks/framework/telemetry.hpp"

namespace soma::ui {

void draw_plot(const Series& s, ImVec2 size);

// Shared by the panels: a frame with a title, returning the inner drawing rectangle.
struct PanelRect {
  ImVec2 min, max;
  float width() const { return max.x - min.x; }
  float height() const { return max.y - min.y; }
};
PanelRect begin_panel(const char* title, ImVec2 size);
ImU32 palette(int i);

}  // namespace soma::ui
