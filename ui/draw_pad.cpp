#include "ui/draw_pad.hpp"

#include <algorithm>
#include <cmath>

#include "ui/pixels.hpp"

namespace soma::ui {
namespace {

void paint(Image& img, float cx, float cy) {
  const float radius = 1.6f;
  for (int64_t r = std::max<int64_t>(0, int64_t(cy - 3)); r < std::min(img.rows, int64_t(cy + 4));
       ++r)
    for (int64_t c = std::max<int64_t>(0, int64_t(cx - 3)); c < std::min(img.cols, int64_t(cx + 4));
         ++c) {
      float d = std::hypot(float(c) + 0.5f - cx, float(r) + 0.5f - cy);
      float& v = img.values[size_t(r * img.cols + c)];
      v = std::max(v, std::clamp(radius - d + 0.5f, 0.0f, 1.0f));
    }
}

}  // namespace

bool draw_pad(Image& img, float size) {
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("pad", ImVec2(size, size),
                         ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float cell = size / float(std::max(img.rows, img.cols));
  dl->AddRectFilled(p, ImVec2(p.x + size, p.y + size), IM_COL32(0, 0, 0, 255));
  Pixels px(int(img.cols), int(img.rows));  // unlit cells transparent over the black square
  for (size_t k = 0; k < px.rgba.size(); ++k)
    if (float v = img.values[k]; v > 0) {
      const int g = int(255 * std::min(v, 1.0f));
      px.rgba[k] = IM_COL32(g, g, g, 255);
    }
  draw_pixels("draw pad", px, p,
              ImVec2(p.x + cell * float(img.cols), p.y + cell * float(img.rows)));
  dl->AddRect(p, ImVec2(p.x + size, p.y + size), IM_COL32(90, 95, 110, 255));
  static ImVec2 last(-1, -1);
  bool changed = false;
  const ImVec2 m = ImGui::GetIO().MousePos;
  if (ImGui::IsItemActive() && ImGui::IsMouseDown(ImGuiMouseButton_Left)) {
    ImVec2 from = last.x < 0 ? m : last;
    const int n = 1 + int(std::hypot(m.x - from.x, m.y - from.y) / (cell * 0.3f));
    for (int k = 0; k <= n; ++k) {
      float t = float(k) / float(n);
      paint(img, (from.x + (m.x - from.x) * t - p.x) / cell,
            (from.y + (m.y - from.y) * t - p.y) / cell);
    }
    last = m;
    changed = true;
  } else {
    last = ImVec2(-1, -1);
  }
  if (ImGui::IsItemClicked(ImGuiMouseButton_Right)) {
    std::fill(img.values.begin(), img.values.end(), 0.0f);
    changed = true;
  }
  return changed;
}

}  // namespace soma::ui
