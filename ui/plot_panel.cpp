#include "ui/plot_panel.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

namespace soma::ui {

ImU32 palette(int i) {
  static const ImU32 colors[] = {IM_COL32(90, 170, 255, 255),  IM_COL32(255, 140, 60, 255),
                                 IM_COL32(110, 210, 110, 255), IM_COL32(230, 90, 90, 255),
                                 IM_COL32(180, 130, 230, 255), IM_COL32(230, 210, 90, 255),
                                 IM_COL32(90, 220, 220, 255),  IM_COL32(240, 150, 200, 255)};
  return colors[i % 8];
}

PanelRect begin_panel(const char* title, ImVec2 size) {
  ImGui::TextUnformatted(title);
  ImVec2 p = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton(title, size);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(p, ImVec2(p.x + size.x, p.y + size.y), IM_COL32(20, 22, 28, 255));
  dl->AddRect(p, ImVec2(p.x + size.x, p.y + size.y), IM_COL32(70, 75, 90, 255));
  return {ImVec2(p.x + 4, p.y + 4), ImVec2(p.x + size.x - 4, p.y + size.y - 4)};
}

void draw_plot(const Series& s, ImVec2 size) {
  char title[160];
  std::snprintf(title, sizeof title, "%s  %.4g", s.name.c_str(), s.last());
  PanelRect r = begin_panel(title, size);
  const size_t n = s.y.size();
  if (n == 0) return;
  double y0 = s.y[0], y1 = s.y[0];
  for (double y : s.y)
    if (std::isfinite(y)) y0 = std::min(y0, y), y1 = std::max(y1, y);
  if (y1 - y0 < 1e-12) y0 -= 0.5, y1 += 0.5;
  const double x0 = s.x.front(), x1 = std::max(s.x.back(), x0 + 1e-12);
  auto px = [&](double x) { return r.min.x + float((x - x0) / (x1 - x0)) * r.width(); };
  auto py = [&](double y) { return r.max.y - float((y - y0) / (y1 - y0)) * r.height(); };
  ImDrawList* dl = ImGui::GetWindowDrawList();
  // One min/max pair per pixel column keeps the vertex count bounded by the width.
  std::vector<ImVec2> pts;
  const int cols = std::max(1, int(r.width()));
  if (n <= size_t(cols) * 2) {
    for (size_t i = 0; i < n; ++i) pts.emplace_back(px(s.x[i]), py(s.y[i]));
  } else {
    for (int c = 0; c < cols; ++c) {
      size_t a = n * size_t(c) / size_t(cols),
             b = std::max(a + 1, n * size_t(c + 1) / size_t(cols));
      auto [lo, hi] = std::minmax_element(s.y.begin() + long(a), s.y.begin() + long(b));
      pts.emplace_back(r.min.x + float(c), py(*lo));
      pts.emplace_back(r.min.x + float(c), py(*hi));
    }
  }
  if (n == 1)
    dl->AddCircleFilled(pts[0], 2.5f, palette(0));
  else
    dl->AddPolyline(pts.data(), int(pts.size()), palette(0), 0, 1.5f);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", y1);
  dl->AddText(r.min, IM_COL32(150, 150, 160, 255), buf);
  std::snprintf(buf, sizeof buf, "%.3g", y0);
  dl->AddText(ImVec2(r.min.x, r.max.y - ImGui::GetFontSize()), IM_COL32(150, 150, 160, 255), buf);
  if (ImGui::IsItemHovered()) {
    double x = x0 + double(ImGui::GetIO().MousePos.x - r.min.x) / r.width() * (x1 - x0);
    size_t i = size_t(std::lower_bound(s.x.begin(), s.x.end(), x) - s.x.begin());
    i = std::min(i, n - 1);
    dl->AddCircle(ImVec2(px(s.x[i]), py(s.y[i])), 4, IM_COL32(255, 255, 255, 200));
    ImGui::SetTooltip("%s\nx = %g\ny = %.6g", s.name.c_str(), s.x[i], s.y[i]);
  }
}

}  // namespace soma::ui
