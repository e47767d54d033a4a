#include "core/nn/summary.hpp"

#include <cxxabi.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <typeinfo>

namespace soma::nn {
namespace {

int64_t count(const NamedTensors& ts) {
  int64_t n = 0;
  for (const auto& [name, t] : ts) n += t.numel();
  return n;
}

std::string padded(const std::string& s, size_t width) {
  return s + std::string(width > s.size() ? width - s.size() : 0, ' ');
}

}  // namespace

std::string type_name(const Module& m) {
  const char* mangled = typeid(m).name();
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> demangled(
      abi::__cxa_demangle(mangled, nullptr, nullptr, &status), std::free);
  std::string name = status == 0 && demangled ? demangled.get() : mangled;
  name = name.substr(0, name.find('<'));  // a template's arguments say little here
  const size_t colon = name.rfind("::");
  return colon == std::string::npos ? name : name.substr(colon + 2);
}

std::string short_count(int64_t n) {
  const char* units[] = {"K", "M", "B", "T"};
  if (n < 1000) return std::to_string(n);
  double v = double(n);
  int u = -1;
  while (v >= 999.95 && u < 3) v /= 1000, ++u;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
  return buf;
}

std::string model_summary(const Module& m) {
  struct Row {
    std::string index, name, type, params;
  };
  std::vector<Row> rows{{"", "Name", "Type", "Params"}};
  const int64_t params = count(m.named_parameters()), buffers = count(m.named_buffers());
  int64_t in_children = 0;
  for (const auto& [name, child] : m.named_children()) {
    const int64_t n = count(child->named_parameters());
    in_children += n;
    rows.push_back({std::to_string(rows.size() - 1), name, type_name(*child), short_count(n)});
  }
  // The model's own parameters (a read-out weight, or a model that is one layer).
  if (params > in_children || rows.size() == 1)
    rows.push_back({std::to_string(rows.size() - 1), "(own)", type_name(m),
                    short_count(params - in_children)});
  size_t wi = 0, wn = 0, wt = 0, wp = 0;
  for (const Row& r : rows)
    wi = std::max(wi, r.index.size()), wn = std::max(wn, r.name.size()),
    wt = std::max(wt, r.type.size()), wp = std::max(wp, r.params.size());
  const std::string rule(wi + wn + wt + wp + 9, '-');
  std::string out;
  for (const Row& r : rows) {
    out += padded(r.index, wi) + " | " + padded(r.name, wn) + " | " + padded(r.type, wt) + " | " +
           r.params + "\n";
    if (&r == &rows.front()) out += rule + "\n";
  }
  char size[32];
  std::snprintf(size, sizeof size, "%.3f", double(params + buffers) * 4 / 1e6);
  out += rule + "\n";
  out += padded(short_count(params), 10) + "Trainable params\n";
  out += padded(short_count(buffers), 10) + "Non-trainable params (buffers)\n";
  out += padded(size, 10) + "Total estimated model params size (MB)\n";
  return out;
}

}  // namespace soma::nn
