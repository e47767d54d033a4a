#include "tasks/framework/svg_plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "core/io/atomic_write.hpp"

namespace soma {
namespace {

constexpr double kWidth = 640, kHeight = 400;
constexpr double kLeft = 70, kRight = 20, kTop = 36, kBottom = 50;
const char* const kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                               "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"};
constexpr size_t kNumColors = sizeof kColors / sizeof kColors[0];

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else
      out += c;
  }
  return out;
}

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

struct Range {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  void add(double v) {
    if (!std::isfinite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  void settle() {  // a usable, non-empty interval
    if (lo > hi) lo = 0, hi = 1;
    if (lo == hi) lo -= 0.5, hi += 0.5;
  }
};

// About five round tick values (1, 2, 5 times a power of ten) covering [lo, hi].
std::vector<double> ticks(double lo, double hi) {
  double raw = (hi - lo) / 5, mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = raw / mag < 2 ? mag : raw / mag < 5 ? 2 * mag : 5 * mag;
  std::vector<double> t;
  for (double v = std::ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step)
    t.push_back(std::abs(v) < 1e-12 * step ? 0.0 : v);
  return t;
}

struct Frame {
  Range x, y;
  double top = kTop;  // lower when a legend sits above the frame
  double px(double v) const {
    return kLeft + (v - x.lo) / (x.hi - x.lo) * (kWidth - kLeft - kRight);
  }
  double py(double v) const {
    return kHeight - kBottom - (v - y.lo) / (y.hi - y.lo) * (kHeight - top - kBottom);
  }
};

// The legend in rows between the title and the frame, so that it never covers a curve: a short
// stroke in the line's colour and style, then its label. Returns the height it takes.
double legend(std::ostream& o, const std::vector<PlotLine>& lines,
              const std::vector<std::string>& colors) {
  constexpr double kRow = 16, kChar = 6.5, kSwatch = 22;
  double x = kLeft, y = kTop + 4, used = 0;
  for (size_t k = 0; k < lines.size(); ++k) {
    const PlotLine& l = lines[k];
    if (l.label.empty()) continue;
    const double w = kSwatch + 6 + kChar * double(l.label.size()) + 14;
    if (x > kLeft && x + w > kWidth - kRight) x = kLeft, y += kRow;
    used = y + kRow - kTop;
    o << "<line x1=\"" << x << "\" x2=\"" << x + kSwatch << "\" y1=\"" << y + 6 << "\" y2=\""
      << y + 6 << "\" stroke=\"" << colors[k] << "\" stroke-width=\"2\""
      << (l.dashed ? " stroke-dasharray=\"6,4\"" : "") << "/>\n";
    o << "<text x=\"" << x + kSwatch + 6 << "\" y=\"" << y + 10 << "\" fill=\"#222\">"
      << escape(l.label) << "</text>\n";
    x += w;
  }
  return used;
}

void header(std::ostream& o, const std::string& title) {
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kWidth << "\" height=\"" << kHeight
    << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
    << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    << "<text x=\"" << kWidth / 2 << "\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">"
    << escape(title) << "</text>\n";
}

// Axes with ticks; `log_y` labels the y ticks as powers of ten of the (log10) values.
void axes(std::ostream& o, const Frame& f, const std::string& xl, const std::string& yl,
          bool log_y) {
  double x0 = kLeft, x1 = kWidth - kRight, y0 = kHeight - kBottom, y1 = f.top;
  o << "<rect x=\"" << x0 << "\" y=\"" << y1 << "\" width=\"" << x1 - x0 << "\" height=\""
    << y0 - y1 << "\" fill=\"none\" stroke=\"#444\"/>\n";
  for (double t : ticks(f.x.lo, f.x.hi))
    o << "<text x=\"" << f.px(t) << "\" y=\"" << y0 + 16 << "\" text-anchor=\"middle\">" << fmt(t)
      << "</text>\n";
  for (double t : ticks(f.y.lo, f.y.hi)) {
    o << "<line x1=\"" << x0 << "\" x2=\"" << x1 << "\" y1=\"" << f.py(t) << "\" y2=\"" << f.py(t)
      << "\" stroke=\"#ddd\"/>\n";
    o << "<text x=\"" << x0 - 6 << "\" y=\"" << f.py(t) + 4 << "\" text-anchor=\"end\">"
      << (log_y ? fmt(std::pow(10.0, t)) : fmt(t)) << "</text>\n";
  }
  o << "<text x=\"" << (x0 + x1) / 2 << "\" y=\"" << kHeight - 12 << "\" text-anchor=\"middle\">"
    << escape(xl) << "</text>\n";
  o << "<text transform=\"translate(16," << (y0 + y1) / 2
    << ") rotate(-90)\" text-anchor=\"middle\">" << escape(yl) << "</text>\n";
}

}  // namespace

void write_svg(const std::string& path, const LinePlot& plot) {
  auto yval = [&](double v) { return plot.log_y ? (v > 0 ? std::log10(v) : NAN) : v; };
  Frame f;
  for (const PlotLine& l : plot.lines)
    for (size_t i = 0; i < l.x.size() && i < l.y.size(); ++i)
      if (std::isfinite(yval(l.y[i]))) f.x.add(l.x[i]), f.y.add(yval(l.y[i]));
  f.x.settle();
  f.y.settle();
  std::vector<std::string> colors;
  for (size_t k = 0; k < plot.lines.size(); ++k) {
    const PlotLine& l = plot.lines[k];
    colors.push_back(!l.color.empty() ? l.color : l.dashed ? "#000" : kColors[k % kNumColors]);
  }
  std::ostringstream o;
  header(o, plot.title);
  f.top = kTop + legend(o, plot.lines, colors);
  axes(o, f, plot.x_label, plot.y_label, plot.log_y);
  for (size_t k = 0; k < plot.lines.size(); ++k) {
    const PlotLine& l = plot.lines[k];
    o << "<polyline fill=\"none\" stroke=\"" << colors[k] << "\" stroke-width=\""
      << (l.faint ? 1 : 1.5) << "\"" << (l.faint ? " stroke-opacity=\"0.35\"" : "")
      << (l.dashed ? " stroke-dasharray=\"6,4\"" : "") << " points=\"";
    for (size_t i = 0; i < l.x.size() && i < l.y.size(); ++i)
      if (std::isfinite(yval(l.y[i]))) o << f.px(l.x[i]) << ',' << f.py(yval(l.y[i])) << ' ';
    o << "\"/>\n";
    if (l.markers)
      for (size_t i = 0; i < l.x.size() && i < l.y.size(); ++i)
        if (std::isfinite(yval(l.y[i])))
          o << "<circle cx=\"" << f.px(l.x[i]) << "\" cy=\"" << f.py(yval(l.y[i]))
            << "\" r=\"3\" fill=\"" << colors[k] << "\"/>\n";
  }
  o << "</svg>\n";
  write_file_atomic(path, o.str());
}

void write_svg(const std::string& path, const Raster& r) {
  Frame f;
  f.x = {0, double(std::max<int64_t>(r.steps, 1))};
  f.y = {0, double(std::max<int64_t>(r.neurons, 1))};
  std::ostringstream o;
  header(o, r.name);
  axes(o, f, "time step", "neuron", false);
  double h = std::max(1.0, (kHeight - kTop - kBottom) / f.y.hi);
  double w = std::max(1.0, (kWidth - kLeft - kRight) / f.x.hi);
  for (int64_t t = 0; t < r.steps; ++t)
    for (int64_t n = 0; n < r.neurons; ++n)
      if (r.spikes[size_t(t * r.neurons + n)])
        o << "<rect x=\"" << f.px(double(t)) << "\" y=\"" << f.py(double(n + 1)) << "\" width=\""
          << w << "\" height=\"" << h << "\"/>\n";
  o << "</svg>\n";
  write_file_atomic(path, o.str());
}

void write_svg(const std::string& path, const Image& img) {
  Range v;
  for (float x : img.values) v.add(x);
  v.settle();
  double span = std::max(std::abs(v.lo), std::abs(v.hi));
  double cw = (kWidth - kLeft - kRight) / double(std::max<int64_t>(img.cols, 1));
  double ch = (kHeight - kTop - kBottom) / double(std::max<int64_t>(img.rows, 1));
  std::ostringstream o;
  header(o, img.name + "  (blue < 0 < red, |max| " + fmt(span) + ")");
  for (int64_t r = 0; r < img.rows; ++r)
    for (int64_t c = 0; c < img.cols; ++c) {
      double a = img.values[size_t(r * img.cols + c)] / span;  // diverging map around 0
      int red = a > 0 ? 255 : int(255 * (1 + a)), blue = a < 0 ? 255 : int(255 * (1 - a));
      int green = int(255 * (1 - std::abs(a)));
      o << "<rect x=\"" << kLeft + double(c) * cw << "\" y=\"" << kTop + double(r) * ch
        << "\" width=\"" << cw + 0.5 << "\" height=\"" << ch + 0.5 << "\" fill=\"rgb(" << red << ','
        << green << ',' << blue << ")\"/>\n";
    }
  o << "</svg>\n";
  write_file_atomic(path, o.str());
}

std::vector<double> moving_average(const std::vector<double>& y, size_t window) {
  std::vector<double> out(y.size());
  double sum = 0;
  size_t n = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    if (std::isfinite(y[i])) sum += y[i], ++n;
    if (i >= window && std::isfinite(y[i - window])) sum -= y[i - window], --n;
    out[i] = n ? sum / double(n) : NAN;
  }
  return out;
}

LinePlot plot_of(const Series& s) {
  const SeriesStyle& st = s.style;
  LinePlot p{s.name,
             st.x_label.empty() ? "step" : st.x_label,
             st.y_label.empty() ? s.name : st.y_label,
             false,
             {}};
  if (!st.smooth) {
    p.lines.push_back({"", s.x, s.y, false, {}, false, false});
    return p;
  }
  // About 50 points per window: smooth enough to read a trend, short enough to follow it.
  const size_t window = std::max<size_t>(1, s.y.size() / 50);
  p.lines.push_back({s.name + " (each)", s.x, s.y, false, "#1f77b4", true});
  p.lines.push_back({s.name + " (moving average of " + std::to_string(window) + ")", s.x,
                     moving_average(s.y, window), false, "#1f77b4", false, false});
  return p;
}

}  // namespace soma
