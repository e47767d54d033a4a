#include "ui/raster_panel.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "ui/pixels.hpp"
#include "ui/plot_panel.hpp"

namespace soma::ui {

void draw_raster(const Raster& r, ImVec2 size) {
  char title[160];
  std::snprintf(title, sizeof title, "%s  (%lld steps x %lld neurons)", r.name.c_str(),
                (long long)r.steps, (long long)r.neurons);
  PanelRect p = begin_panel(title, size);
  if (r.steps == 0 || r.neurons == 0) return;
  const int cols = std::max(1, std::min(int(r.steps), int(p.width())));
  const int rows = std::max(1, std::min(int(r.neurons), int(p.height())));
  // Rows of 3 px or more get a gap under each neuron (4 of 5 texture rows lit), so neighbours
  // stay apart; cells of the same row touch, a burst reads as a bar.
  const int sub = p.height() / float(rows) >= 3 ? 5 : 1;
  Pixels px(cols, rows * sub);
  const ImU32 lit = IM_COL32(240, 240, 255, 255);
  for (int64_t t = 0; t < r.steps; ++t)
    for (int64_t n = 0; n < r.neurons; ++n)
      if (r.spikes[size_t(t * r.neurons + n)]) {
        const int y = int(n * rows / r.neurons) * sub, x = int(t * cols / r.steps);
        for (int k = 0; k < std::max(1, sub - 1); ++k) px.at(x, y + k) = lit;
      }
  draw_pixels(r.name, px, p.min, p.max);
}

void draw_traces(const Traces& t, ImVec2 size) {
  // "membrane potential: v (mV)": the unit in the title, as the plots of series have it.
  const std::string& unit = t.y_label;
  const bool named = unit.empty() || t.name == unit ||
                     (t.name.size() > unit.size() &&
                      t.name.compare(t.name.size() - unit.size() - 1, std::string::npos,
                                     " " + unit) == 0);  // "state i" says its "i"
  const std::string title = named ? t.name : t.name + ": " + unit;
  const PanelRect panel = begin_panel(title.c_str(), size);
  if (t.steps == 0 || t.channels == 0) return;
  // A legend names every line when they fit (at most ten, each in its own colour). It gets a
  // strip of its own at the right, so that it hides no line and no label (ten channels' legend
  // is most of the panel's height).
  auto channel = [&](int64_t c) {  // a line's name: its label, the unit of a lone one, or #c
    if (size_t(c) < t.labels.size()) return t.labels[size_t(c)];
    return t.channels == 1 && !unit.empty() ? unit : "#" + std::to_string(c);
  };
  std::vector<std::string> names;
  std::vector<ImU32> colors;
  if (t.channels <= 10 && t.channels > 1)
    for (int64_t c = 0; c < t.channels; ++c) {
      names.push_back(channel(c));
      colors.push_back(palette(int(c)));
    }
  PanelRect frame = panel;
  if (!names.empty()) frame.max.x -= legend_width(panel, names) + 4;
  double lo = t.values[0], hi = t.values[0];
  for (float v : t.values)
    if (std::isfinite(v)) lo = std::min(lo, double(v)), hi = std::max(hi, double(v));
  pad_range(lo, hi);
  const std::string x_label = t.x_label.empty() ? "time step" : t.x_label;
  const PanelRect p =
      draw_axes(frame, {0, double(std::max<int64_t>(1, t.steps - 1)), lo, hi}, x_label);
  if (p.width() < 8 || p.height() < 8) return;
  const int64_t stride = std::max<int64_t>(1, t.steps / std::max(1, int(p.width())));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  std::vector<ImVec2> pts;
  for (int64_t c = 0; c < std::min<int64_t>(t.channels, 10); ++c) {
    pts.clear();
    for (int64_t s = 0; s < t.steps; s += stride) {
      float v = t.values[size_t(s * t.channels + c)];
      pts.emplace_back(p.min.x + p.width() * float(s) / float(std::max<int64_t>(1, t.steps - 1)),
                       p.max.y - p.height() * float((v - lo) / (hi - lo)));
    }
    dl->AddPolyline(pts.data(), int(pts.size()), palette(int(c)), 0, 1.0f);
  }
  if (!names.empty()) draw_legend(panel, names, colors);
  if (ImGui::IsItemHovered()) {  // the values under the cursor, as on the plots of series
    const float f = (ImGui::GetIO().MousePos.x - p.min.x) / p.width();
    const int64_t s = std::clamp<int64_t>(std::lround(f * float(t.steps - 1)), 0,
                                          std::max<int64_t>(0, t.steps - 1));
    std::string tip = x_label + " = " + std::to_string(s);
    char buf[96];
    for (int64_t c = 0; c < std::min<int64_t>(t.channels, 10); ++c) {
      std::snprintf(buf, sizeof buf, "\n%s = %.6g", channel(c).c_str(),
                    double(t.values[size_t(s * t.channels + c)]));
      tip += buf;
    }
    ImGui::SetTooltip("%s", tip.c_str());
  }
}

namespace {

ImU32 heat_color(float v, float lo, float hi, bool diverging) {
  if (diverging) {
    float m = std::max(std::abs(lo), std::abs(hi));
    float a = m > 0 ? std::clamp(v / m, -1.0f, 1.0f) : 0;
    return a >= 0 ? IM_COL32(int(255 * a), int(60 * a), int(40 * a), 255)
                  : IM_COL32(int(-40 * a), int(-120 * a), int(-255 * a), 255);
  }
  float a = hi > lo ? std::clamp((v - lo) / (hi - lo), 0.0f, 1.0f) : 0;
  return IM_COL32(int(255 * std::min(1.0f, 2 * a)), int(230 * a), int(60 * a * a), 255);
}

}  // namespace

void draw_heatmap(const Image& img, ImVec2 size) {
  char title[160];
  std::snprintf(title, sizeof title, "%s  (%lld x %lld)", img.name.c_str(), (long long)img.rows,
                (long long)img.cols);
  PanelRect p = begin_panel(title, size);
  if (img.rows == 0 || img.cols == 0) return;
  // Bin to at most one cell per pixel (mean of the values in a cell), and keep cells square when
  // the picture is small.
  const int cols = std::max(1, std::min(int(img.cols), int(p.width())));
  const int rows = std::max(1, std::min(int(img.rows), int(p.height())));
  std::vector<float> sum(size_t(rows) * size_t(cols), 0), cnt(sum.size(), 0);
  float lo = img.values[0], hi = img.values[0];
  for (int64_t r = 0; r < img.rows; ++r)
    for (int64_t c = 0; c < img.cols; ++c) {
      float v = img.values[size_t(r * img.cols + c)];
      if (!std::isfinite(v)) continue;
      size_t k = size_t(r * rows / img.rows) * size_t(cols) + size_t(c * cols / img.cols);
      sum[k] += v, cnt[k] += 1;
      lo = std::min(lo, v), hi = std::max(hi, v);
    }
  const bool diverging = lo < 0;
  const float cell = std::min(p.width() / float(cols), p.height() / float(rows));
  Pixels px(cols, rows);
  for (size_t k = 0; k < px.rgba.size(); ++k)
    px.rgba[k] = heat_color(cnt[k] > 0 ? sum[k] / cnt[k] : 0, lo, hi, diverging);
  draw_pixels(img.name, px, p.min,
              ImVec2(p.min.x + cell * float(cols), p.min.y + cell * float(rows)));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  char buf[48];
  std::snprintf(buf, sizeof buf, "[%.3g, %.3g]", lo, hi);
  dl->AddText(ImVec2(p.max.x - ImGui::CalcTextSize(buf).x, p.min.y), IM_COL32(150, 150, 160, 255),
              buf);
}

}  // namespace soma::ui
