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

}  // namespace

void Telemetry::add(const std::string& series, double x, double y) {
  auto it = std::find_if(series_.begin(), series_.end(),
                         [&](const Series& s) { return s.name == series; });
  if (it == series_.end()) {
    series_.push_back({series, {}, {}});
    it = series_.end() - 1;
  }
  it->x.push_back(x);
  it->y.push_back(y);
}

const Series* Telemetry::find_series(const std::string& name) const {
  for (const Series& s : series_)
    if (s.name == name) return &s;
  return nullptr;
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

void Telemetry::clear() {
  *this = Telemetry();
}

}  // namespace soma
