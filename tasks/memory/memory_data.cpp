#include "tasks/memory/memory_data.hpp"

#include <array>

#include "core/random/rng.hpp"

namespace soma {
namespace {

// Channel levels (bit0, bit1, store, recall) of every period of one sample, and its targets.
struct Protocol {
  std::vector<std::array<float, 4>> level;  // per period
  std::vector<int> target;                  // per period: the bit to recall, or -1
};

Protocol draw_protocol(const MemoryDataOptions& o, Rng& rng) {
  Protocol p;
  const int64_t half = o.periods / 2;
  for (int64_t r = 0; r < o.repetitions; ++r) {
    int64_t store = int64_t(rng.below(uint32_t(half)));
    int64_t recall = half + int64_t(rng.below(uint32_t(o.periods - half)));
    std::vector<int> bits(size_t(o.periods));
    for (int& b : bits) b = int(rng.below(2));
    for (int64_t k = 0; k < o.periods; ++k) {
      std::array<float, 4> l{};
      if (k != recall) l[size_t(bits[size_t(k)])] = 1;
      l[2] = k == store, l[3] = k == recall;
      p.level.push_back(l);
      p.target.push_back(k == recall ? bits[size_t(store)] : -1);
    }
  }
  return p;
}

}  // namespace

MemoryBatch make_memory_batch(const MemoryDataOptions& o, const std::vector<uint64_t>& seeds) {
  const int64_t B = int64_t(seeds.size()), C = o.inputs(), P = o.total_periods();
  MemoryBatch m{Tensor::zeros({o.steps(), B, C}), Tensor::zeros({P, B, 2}),
                Tensor::zeros({P, B, 1})};
  for (int64_t b = 0; b < B; ++b) {
    Rng rng(seeds[size_t(b)]);
    Protocol p = draw_protocol(o, rng);
    for (int64_t k = 0; k < P; ++k) {
      if (p.target[size_t(k)] >= 0) {
        m.labels.at({k, b, p.target[size_t(k)]}) = 1;
        m.recall.at({k, b, 0}) = 1;
      }
      for (int64_t t = k * o.period_length; t < (k + 1) * o.period_length; ++t)
        for (int64_t c = 0; c < C; ++c) {
          int64_t channel = c / o.population;
          float rate =
              o.rate_hz * (channel < 2 ? 1.0f : 0.5f) * p.level[size_t(k)][size_t(channel)];
          m.inputs.data()[(t * B + b) * C + c] = rng.uniform() < rate * o.dt ? 1.0f : 0.0f;
        }
    }
  }
  return m;
}

}  // namespace soma
