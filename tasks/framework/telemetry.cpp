#include "tasks/framework/telemetry.hpp"

#include <algorithm>

namespace soma {
namespace {

template <class T>
void replace_or_add(std::vector<T>& items, T item) {
  auto it = std::find_if(items.begin(), items.end(),
                         [&](const T& existing) { return existing.name == item.name; });
  if (it == items.end())
    items.push_back(std::move(item));
  else
    *it = std::move(item);
}

template <class T>
const T* find_named(const std::vector<T>& items, const std::string& name) {
  for (const T& item : items)
    if (item.name == name) return &item;
  return nullptr;
}

}  // namespace

Series& Telemetry::series_named(const std::string& name) {
  for (Series& s : series_)
    if (s.name == name) return s;
  series_.push_back({name, {}, {}, {}});
  return series_.back();
}

void Telemetry::add(const std::string& series, double x, double y) {
  Series& s = series_named(series);
  s.x.push_back(x);
  s.y.push_back(y);
}

void Telemetry::set_points(const std::string& series, std::vector<double> x,
                           std::vector<double> y) {
  Series& s = series_named(series);
  s.x = std::move(x);
  s.y = std::move(y);
}

void Telemetry::describe(const std::string& series, SeriesStyle style) {
  series_named(series).style = std::move(style);
}

const Series* Telemetry::find_series(const std::string& name) const {
  return find_named(series_, name);
}
const Image* Telemetry::find_image(const std::string& name) const {
  return find_named(images_, name);
}
const Traces* Telemetry::find_traces(const std::string& name) const {
  return find_named(traces_, name);
}

void Telemetry::set(Raster r) {
  replace_or_add(rasters_, std::move(r));
}
void Telemetry::set(Traces t) {
  replace_or_add(traces_, std::move(t));
}
void Telemetry::set(Image i) {
  replace_or_add(images_, std::move(i));
}

void Telemetry::set(Histogram h) {
  replace_or_add(histograms_, std::move(h));
}

void Telemetry::clear() {
  *this = Telemetry();
}

}  // namespace soma
