#include "ui/pixels.hpp"

#include <algorithm>
#include <cstring>

namespace soma::ui {

namespace {
TextureHost* g_host = nullptr;

bool same_row(const Pixels& px, int y0, int y1) {
  return std::memcmp(&px.rgba[size_t(y0) * size_t(px.w)], &px.rgba[size_t(y1) * size_t(px.w)],
                     size_t(px.w) * sizeof(ImU32)) == 0;
}
}  // namespace

void set_texture_host(TextureHost* host) {
  g_host = host;
}
TextureHost* texture_host() {
  return g_host;
}

void draw_pixels(const std::string& key, const Pixels& px, ImVec2 a, ImVec2 b) {
  if (px.w <= 0 || px.h <= 0) return;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  if (g_host) {
    dl->AddImage(g_host->texture(key, px), a, b);
    return;
  }
  // Rectangles: a band of identical rows, then a run of equal pixels in it, is one rectangle.
  const float pw = (b.x - a.x) / float(px.w), ph = (b.y - a.y) / float(px.h);
  for (int y0 = 0; y0 < px.h;) {
    int y1 = y0 + 1;
    while (y1 < px.h && same_row(px, y0, y1)) ++y1;
    const ImU32* row = &px.rgba[size_t(y0) * size_t(px.w)];
    for (int x0 = 0; x0 < px.w;) {
      int x1 = x0 + 1;
      while (x1 < px.w && row[x1] == row[x0]) ++x1;
      if ((row[x0] & IM_COL32_A_MASK) != 0)
        dl->AddRectFilled(ImVec2(a.x + float(x0) * pw, a.y + float(y0) * ph),
                          ImVec2(a.x + float(x1) * pw, a.y + float(y1) * ph), row[x0]);
      x0 = x1;
    }
    y0 = y1;
  }
}

}  // namespace soma::ui
