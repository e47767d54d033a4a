#include "ui/cart_drawing.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>

namespace soma::ui {

void draw_cart_pole(const PanelRect& r, float x, float theta) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float scale = r.width() / 5.6f, ground = r.max.y - 20;
  const float cx = (r.min.x + r.max.x) / 2 + x * scale;
  dl->AddLine(ImVec2(r.min.x, ground), ImVec2(r.max.x, ground), IM_COL32(120, 120, 130, 255), 2);
  for (float edge : {-2.4f, 2.4f}) {
    float ex = (r.min.x + r.max.x) / 2 + edge * scale;
    dl->AddLine(ImVec2(ex, ground - 10), ImVec2(ex, ground + 6), IM_COL32(200, 80, 80, 255), 2);
  }
  const float cw = 0.5f * scale, chh = 0.3f * scale;
  dl->AddRectFilled(ImVec2(cx - cw / 2, ground - chh), ImVec2(cx + cw / 2, ground),
                    IM_COL32(90, 170, 255, 255), 3);
  const float len = std::min(1.0f * scale, ground - chh - r.min.y - 4);
  ImVec2 pivot(cx, ground - chh);
  ImVec2 tip(cx + len * std::sin(theta), pivot.y - len * std::cos(theta));
  dl->AddLine(pivot, tip, IM_COL32(240, 200, 90, 255), 6);
  dl->AddCircleFilled(pivot, 4, IM_COL32(30, 30, 30, 255));
}

}  // namespace soma::ui
