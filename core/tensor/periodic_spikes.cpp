#include "core/tensor/periodic_spikes.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace soma {

void check_periodic_spikes(const PeriodicSpikes& s) {
  if (s.steps < 1 || s.steps > kMaxPeriodicSteps || s.width < 0 ||
      s.neuron.size() != s.period.size())
    throw std::invalid_argument("periodic spikes: " + std::to_string(s.steps) + " steps, " +
                                std::to_string(s.neuron.size()) + " neurons but " +
                                std::to_string(s.period.size()) + " periods");
  for (size_t a = 0; a < s.neuron.size(); ++a) {
    const int64_t n = s.neuron[a], p = s.period[a];
    if (n < 0 || n >= s.width || (a > 0 && n <= s.neuron[a - 1]) || p < 1 || p > s.steps)
      throw std::invalid_argument("periodic spikes: entry " + std::to_string(a) + " (neuron " +
                                  std::to_string(n) + ", period " + std::to_string(p) +
                                  ") out of order or range");
  }
}

int64_t periodic_spike_count(const PeriodicSpikes& s) {
  int64_t count = 0;
  for (uint16_t p : s.period) count += s.steps / p;
  return count;
}

std::vector<int64_t> periodic_flat_index(const PeriodicSpikes& s) {
  // A counting sort by step: each neuron's spikes go to their steps' slots in neuron order, so
  // each step's indices stay ascending. For consumers without a periodic path.
  std::vector<int64_t> at(size_t(s.steps + 1), 0);
  for (uint16_t p : s.period)
    for (int64_t t = p - 1; t < s.steps; t += p) ++at[size_t(t + 1)];
  for (int64_t t = 0; t < s.steps; ++t) at[size_t(t + 1)] += at[size_t(t)];
  std::vector<int64_t> flat(size_t(at.back()));
  for (size_t a = 0; a < s.neuron.size(); ++a)
    for (int64_t t = s.period[a] - 1; t < s.steps; t += s.period[a])
      flat[size_t(at[size_t(t)]++)] = t * s.width + s.neuron[a];
  return flat;
}

void write_periodic_spikes(const PeriodicSpikes& s, float* dense) {
  std::fill(dense, dense + s.steps * s.width, 0.0f);
  for (size_t a = 0; a < s.neuron.size(); ++a)
    for (int64_t t = s.period[a] - 1; t < s.steps; t += s.period[a])
      dense[t * s.width + s.neuron[a]] = 1.0f;
}

}  // namespace soma
