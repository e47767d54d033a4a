#include "core/audio/spec_augment.hpp"

#include <algorithm>
#include <utility>

#include "core/random/rng.hpp"

namespace soma {
namespace {

// [start, end) of a band within `size`.
std::pair<int64_t, int64_t> band(int64_t size, int max_width, Rng& rng) {
  const int64_t w = std::min<int64_t>(size, int64_t(rng.uniform(0.0f, float(max_width))));
  const int64_t start = int64_t(rng.uniform(0.0f, float(size - w)));
  return {start, std::min(size, start + w)};
}

}  // namespace

void mask_frequency(float* spec, int64_t frames, int64_t mels, int max_width, Rng& rng,
                    const float* fill) {
  auto [lo, hi] = band(mels, max_width, rng);
  for (int64_t t = 0; t < frames; ++t)
    for (int64_t m = lo; m < hi; ++m) spec[t * mels + m] = fill ? fill[m] : 0.0f;
}

void mask_time(float* spec, int64_t frames, int64_t mels, int max_width, Rng& rng,
               const float* fill) {
  auto [lo, hi] = band(frames, max_width, rng);
  for (int64_t t = lo; t < hi; ++t)
    for (int64_t m = 0; m < mels; ++m) spec[t * mels + m] = fill ? fill[m] : 0.0f;
}

}  // namespace soma
