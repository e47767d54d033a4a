#include "ui/plot_panel.hpp"

#include <imgui_internal.h>  // ImDrawListSharedData: the white pixel a band is drawn with

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>

namespace soma::ui {

ImU32 palette(int i) {
  static const ImU32 colors[] = {IM_COL32(90, 170, 255, 255),  IM_COL32(255, 140, 60, 255),
                                 IM_COL32(110, 210, 110, 255), IM_COL32(240, 90, 90, 255),
                                 IM_COL32(190, 140, 240, 255), IM_COL32(230, 210, 90, 255),
                                 IM_COL32(90, 220, 220, 255),  IM_COL32(245, 150, 205, 255),
                                 IM_COL32(200, 200, 200, 255), IM_COL32(170, 120, 80, 255)};
  return colors[i % 10];
}

std::string fit_text(const std::string& text, float width) {
  if (ImGui::CalcTextSize(text.c_str()).x <= width) return text;
  std::string cut = text;
  while (!cut.empty() && ImGui::CalcTextSize((cut + "...").c_str()).x > width) cut.pop_back();
  return cut + "...";
}

PanelRect begin_panel(const char* title, ImVec2 size) {
  const std::string shown = fit_text(title, size.x);
  ImGui::TextUnformatted(shown.c_str());
  if (shown != title && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", title);
  ImVec2 p = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton(title, size);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(p, ImVec2(p.x + size.x, p.y + size.y), IM_COL32(20, 22, 28, 255));
  dl->AddRect(p, ImVec2(p.x + size.x, p.y + size.y), IM_COL32(70, 75, 90, 255));
  return {ImVec2(p.x + 4, p.y + 4), ImVec2(p.x + size.x - 4, p.y + size.y - 4)};
}

std::string tick_label(double v) {
  char buf[32];
  const double a = std::abs(v);
  if (a >= 1e4 && a < 1e7)
    std::snprintf(buf, sizeof buf, "%gk", std::round(v / 100) / 10);
  else
    std::snprintf(buf, sizeof buf, "%.3g", std::abs(v) < 1e-12 ? 0.0 : v);
  return buf;
}

std::vector<double> nice_ticks(double lo, double hi, int max_ticks) {
  std::vector<double> out;
  if (!(hi > lo) || max_ticks < 1) return out;
  const double raw = (hi - lo) / double(max_ticks);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push_back(t);
  return out;
}

float legend_width(const PanelRect& r, const std::vector<std::string>& names) {
  float w = 0;
  for (const std::string& n : names) w = std::max(w, ImGui::CalcTextSize(n.c_str()).x);
  return std::min(w + 22, r.width() * 0.6f);
}

void draw_legend(const PanelRect& r, const std::vector<std::string>& names,
                 const std::vector<ImU32>& colors) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float fh = ImGui::GetFontSize(), w = legend_width(r, names);
  const ImVec2 a(r.max.x - w - 2, r.min.y + 2);
  dl->AddRectFilled(a, ImVec2(a.x + w, a.y + fh * float(names.size()) + 4),
                    IM_COL32(20, 22, 28, 220));
  for (size_t i = 0; i < names.size(); ++i) {
    const float y = a.y + 2 + fh * float(i);
    dl->AddLine(ImVec2(a.x + 3, y + fh / 2), ImVec2(a.x + 15, y + fh / 2), colors[i], 2);
    dl->AddText(ImVec2(a.x + 19, y), IM_COL32(215, 215, 225, 255),
                fit_text(names[i], w - 21).c_str());
  }
}

namespace {

// The debiased moving average, one point at a time (NaN in, NaN out, the state untouched).
struct Ema {
  double weight, m = 0, power = 1;  // power: weight^k after k finite points
  double add(double y) {
    if (!std::isfinite(y)) return NAN;
    m = m * weight + (1 - weight) * y;
    power *= weight;
    return power < 1 ? m / (1 - power) : y;
  }
};

}  // namespace

std::vector<double> smooth_ema(const std::vector<double>& y, double weight) {
  Ema e{weight};
  std::vector<double> out(y.size());
  for (size_t i = 0; i < y.size(); ++i) out[i] = e.add(y[i]);
  return out;
}

const std::vector<double>& smoothed(const Series& s, double weight) {
  struct Cached {
    Ema e{-1};
    size_t n = 0;
    double first = NAN, last = NAN;  // y[0] and y[n - 1] then: the same series, grown?
    std::vector<double> out;
  };
  static std::map<std::string, Cached> cache;
  Cached& c = cache[s.name];
  const size_t n = s.y.size();
  const bool extends = c.e.weight == weight && c.n > 0 && c.n <= n &&
                       std::memcmp(&c.first, &s.y[0], sizeof(double)) == 0 &&
                       std::memcmp(&c.last, &s.y[c.n - 1], sizeof(double)) == 0;
  if (!extends) c = Cached{Ema{weight}, 0, NAN, NAN, {}};
  for (size_t i = c.n; i < n; ++i) c.out.push_back(c.e.add(s.y[i]));
  c.n = n;
  if (n > 0) c.first = s.y[0], c.last = s.y[n - 1];
  return c.out;
}

namespace {

struct Mapping {  // data to pixels
  PanelRect r;
  double x0, x1, y0, y1;
  float px(double x) const { return r.min.x + float((x - x0) / (x1 - x0)) * r.width(); }
  float py(double y) const {
    return r.max.y - float((std::clamp(y, y0, y1) - y0) / (y1 - y0)) * r.height();
  }
};

// A line through y(x). No more points than pixel columns: a polyline (anti-aliased through
// ImGui's line texture at whole-pixel widths, 2 vertices a point). More: one [min, max] per
// pixel column, drawn as a band of quads between neighbouring columns, 2 vertices a column, so
// 10^5 points cost what the width costs and the noise envelope still shows.
void draw_line(ImDrawList* dl, const std::vector<double>& x, const std::vector<double>& y,
               const Mapping& m, ImU32 color, float thickness) {
  const size_t n = std::min(x.size(), y.size());
  const int cols = std::max(1, int(m.r.width()));
  if (n <= size_t(cols)) {
    std::vector<ImVec2> pts;
    for (size_t i = 0; i < n; ++i)
      if (std::isfinite(y[i])) pts.emplace_back(m.px(x[i]), m.py(y[i]));
    if (pts.size() == 1)
      dl->AddCircleFilled(pts[0], thickness + 1, color, 8);
    else if (pts.size() > 1)
      dl->AddPolyline(pts.data(), int(pts.size()), color, 0, thickness);
    return;
  }
  struct Column {
    float x, top, bottom;
  };
  std::vector<Column> band;
  band.reserve(size_t(cols));
  size_t a = 0;
  for (int c = 0; c < cols; ++c) {  // columns by x, so series of different lengths line up
    const double xe = m.x0 + (m.x1 - m.x0) * double(c + 1) / double(cols);
    double lo = INFINITY, hi = -INFINITY;
    for (; a < n && x[a] <= xe; ++a)
      if (std::isfinite(y[a])) lo = std::min(lo, y[a]), hi = std::max(hi, y[a]);
    if (!(hi >= lo)) continue;
    const float top = m.py(hi) - thickness / 2, bottom = m.py(lo) + thickness / 2;
    band.push_back({m.r.min.x + float(c) + 0.5f, top, bottom});
  }
  if (band.size() < 2) return;
  const ImVec2 uv = ImGui::GetDrawListSharedData()->TexUvWhitePixel;
  dl->PrimReserve(int(band.size() - 1) * 6, int(band.size()) * 2);
  const ImDrawIdx base = ImDrawIdx(dl->_VtxCurrentIdx);
  for (size_t i = 0; i < band.size(); ++i) {
    dl->PrimWriteVtx(ImVec2(band[i].x, band[i].top), uv, color);
    dl->PrimWriteVtx(ImVec2(band[i].x, band[i].bottom), uv, color);
  }
  for (size_t i = 0; i + 1 < band.size(); ++i) {
    const ImDrawIdx k = ImDrawIdx(base + 2 * i);
    dl->PrimWriteIdx(k), dl->PrimWriteIdx(ImDrawIdx(k + 1)), dl->PrimWriteIdx(ImDrawIdx(k + 3));
    dl->PrimWriteIdx(k), dl->PrimWriteIdx(ImDrawIdx(k + 3)), dl->PrimWriteIdx(ImDrawIdx(k + 2));
  }
}

ImU32 faded(ImU32 c) {  // the raw series under its smoothed line
  return (c & ~IM_COL32_A_MASK) | (ImU32(70) << IM_COL32_A_SHIFT);
}

}  // namespace

void pad_range(double& lo, double& hi) {
  if (hi - lo < 1e-12) lo -= 0.5, hi += 0.5;
  const double pad = (hi - lo) * 0.06;
  lo -= pad, hi += pad;
}

PanelRect draw_axes(const PanelRect& frame, const AxisRange& range, const std::string& x_label) {
  // y ticks on the left margin, x ticks and the x label along the bottom. A label too wide to
  // leave room for the tick labels beside it (a narrow chart) gets a line of its own below them.
  const auto [x0, x1, y0, y1] = range;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float fh = ImGui::GetFontSize();
  const std::vector<double> yt = nice_ticks(y0, y1, std::max(2, int(frame.height() / (fh * 2))));
  float margin = 0;
  for (double t : yt) margin = std::max(margin, ImGui::CalcTextSize(tick_label(t).c_str()).x);
  const float xl_w = ImGui::CalcTextSize(x_label.c_str()).x;
  const bool label_below = xl_w > 0.4f * (frame.width() - margin);
  const PanelRect r{ImVec2(frame.min.x + margin + 6, frame.min.y + 2),
                    ImVec2(frame.max.x - 2, frame.max.y - (label_below ? 2 * fh : fh) - 2)};
  if (r.width() < 8 || r.height() < 8) return r;
  const ImU32 axis = IM_COL32(150, 150, 162, 255), grid = IM_COL32(45, 48, 58, 255);
  for (double t : yt) {
    const float y = r.max.y - float((t - y0) / (y1 - y0)) * r.height();
    dl->AddLine(ImVec2(r.min.x, y), ImVec2(r.max.x, y), grid);
    const std::string l = tick_label(t);
    dl->AddText(ImVec2(r.min.x - 4 - ImGui::CalcTextSize(l.c_str()).x, y - fh / 2), axis,
                l.c_str());
  }
  const float ticks_end = r.max.x - (label_below ? 0 : xl_w) - 8;
  const std::vector<double> xt = nice_ticks(x0, x1, std::max(2, int(r.width() / 70)));
  for (double t : xt) {
    const float x = r.min.x + float((t - x0) / (x1 - x0)) * r.width();
    const std::string l = tick_label(t);
    const float lw = ImGui::CalcTextSize(l.c_str()).x;
    dl->AddLine(ImVec2(x, r.max.y), ImVec2(x, r.max.y + 3), axis);
    if (x + lw / 2 < ticks_end)
      dl->AddText(ImVec2(std::max(r.min.x, x - lw / 2), r.max.y + 1), axis, l.c_str());
  }
  dl->AddText(ImVec2(std::max(frame.min.x, r.max.x - xl_w), r.max.y + 1 + (label_below ? fh : 0)),
              IM_COL32(190, 190, 200, 255), x_label.c_str());
  dl->AddLine(ImVec2(r.min.x, r.min.y), ImVec2(r.min.x, r.max.y), axis);
  dl->AddLine(ImVec2(r.min.x, r.max.y), ImVec2(r.max.x, r.max.y), axis);
  return r;
}

ChartNames chart_names(const std::vector<std::string>& names) {
  ChartNames out{"", names};
  if (names.size() < 2) return out;
  size_t common = names[0].size();
  for (const std::string& n : names) {
    size_t k = 0;
    while (k < common && k < n.size() && n[k] == names[0][k]) ++k;
    common = k;
  }
  const size_t space = names[0].rfind(' ', common == 0 ? 0 : common - 1);
  const size_t cut = common == 0 || space == std::string::npos ? 0 : space + 1;
  bool leaves_each = cut > 0;
  for (const std::string& n : names) leaves_each = leaves_each && n.size() > cut;
  if (leaves_each) {
    out.prefix = names[0].substr(0, cut - 1);
    // "cosine to exact gradient, layer 1, ET": the chart is "..., layer 1", without the comma.
    while (!out.prefix.empty() && (out.prefix.back() == ',' || out.prefix.back() == ':'))
      out.prefix.pop_back();
    for (std::string& n : out.legend) n = n.substr(cut);
    return out;
  }
  for (size_t k = 1; k < names.size(); ++k)  // on the main series' chart
    if (names[k].rfind(names[0] + " ", 0) == 0)
      out.legend[k] = names[k].substr(names[0].size() + 1);
  return out;
}

namespace {

// "episode reward: reward (steps balanced)  187": the series, then its unit where it adds one,
// then its last value; a chart of series sharing a name prefix: the prefix, then each line's
// last value ("test accuracy  ET 0.2  oracle 0.78").
std::string plot_title(const Series& s, const std::vector<const Series*>& all,
                       const ChartNames& names) {
  const std::string chart = names.prefix.empty() ? s.name : names.prefix;
  const bool unit = !s.style.y_label.empty() && s.style.y_label != chart;
  std::string title = chart + (unit ? ": " + s.style.y_label : "");
  char value[64];
  if (names.prefix.empty()) {
    std::snprintf(value, sizeof value, "  %.4g", s.last());
    return title + value;
  }
  for (size_t k = 0; k < all.size(); ++k) {
    std::snprintf(value, sizeof value, " %.3g", all[k]->last());
    title += "  " + names.legend[k] + value;
  }
  return title;
}

}  // namespace

void draw_plot(const Series& s, const std::vector<const Series*>& overlays, ImVec2 size,
               double smoothing) {
  std::vector<const Series*> all{&s};
  for (const Series* o : overlays)
    if (!o->y.empty()) all.push_back(o);
  std::vector<std::string> series_names;
  for (const Series* p : all) series_names.push_back(p->name);
  const ChartNames names = chart_names(series_names);
  const PanelRect frame = begin_panel(plot_title(s, all, names).c_str(), size);
  double y0 = INFINITY, y1 = -INFINITY, x0 = INFINITY, x1 = -INFINITY;
  for (const Series* p : all) {
    for (double y : p->y)
      if (std::isfinite(y)) y0 = std::min(y0, y), y1 = std::max(y1, y);
    if (!p->x.empty()) x0 = std::min(x0, p->x.front()), x1 = std::max(x1, p->x.back());
  }
  if (!(y1 >= y0) || !(x1 >= x0)) return;  // nothing finite yet
  pad_range(y0, y1);
  if (x1 - x0 < 1e-12) x1 = x0 + 1;
  const std::string xl = s.style.x_label.empty() ? "step" : s.style.x_label;
  const PanelRect r = draw_axes(frame, {x0, x1, y0, y1}, xl);
  if (r.width() < 8 || r.height() < 8) return;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  // The lines: overlays first (thinner), the main series on top; a noisy series faint under its
  // exponential moving average.
  const Mapping m{r, x0, x1, y0, y1};
  std::vector<ImU32> colors;
  for (size_t k = all.size(); k-- > 0;) {
    const Series& p = *all[k];
    const ImU32 c = palette(int(k));
    const float width = k == 0 ? 2.0f : 1.0f;
    if (p.style.smooth && smoothing > 0 && p.y.size() > 2) {
      draw_line(dl, p.x, p.y, m, faded(c), 1.0f);
      draw_line(dl, p.x, smoothed(p, smoothing), m, c, width);
    } else {
      draw_line(dl, p.x, p.y, m, c, width);
    }
  }
  if (all.size() > 1) {
    for (size_t k = 0; k < all.size(); ++k) colors.push_back(palette(int(k)));
    draw_legend(r, names.legend, colors);
  }
  if (ImGui::IsItemHovered()) {
    const double x = x0 + double(ImGui::GetIO().MousePos.x - r.min.x) / r.width() * (x1 - x0);
    std::string tip = xl + " = ";
    char buf[96];
    for (const Series* p : all) {
      if (p->x.empty()) continue;
      size_t i = size_t(std::lower_bound(p->x.begin(), p->x.end(), x) - p->x.begin());
      i = std::min(i, p->x.size() - 1);
      if (p == all.front()) {
        std::snprintf(buf, sizeof buf, "%g", p->x[i]);
        tip += buf;
      }
      std::snprintf(buf, sizeof buf, "\n%s = %.6g", p->name.c_str(), p->y[i]);
      tip += buf;
    }
    ImGui::SetTooltip("%s", tip.c_str());
  }
}

}  // namespace soma::ui
