#include "core/audio/mel.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace soma {

float hz_to_mel(float hz) {
  return 2595.0f * std::log10(1.0f + hz / 700.0f);
}
float mel_to_hz(float mel) {
  return 700.0f * (std::pow(10.0f, mel / 2595.0f) - 1.0f);
}

std::vector<float> mel_filterbank(const MelOptions& o) {
  const int bins = o.n_fft / 2 + 1;
  const float lo = hz_to_mel(o.f_min), hi = hz_to_mel(o.f_max);
  std::vector<float> edges(size_t(o.n_mels + 2));  // n_mels centres plus the two outer edges
  for (int m = 0; m < o.n_mels + 2; ++m)
    edges[size_t(m)] = mel_to_hz(lo + (hi - lo) * float(m) / float(o.n_mels + 1));
  std::vector<float> fb(size_t(o.n_mels * bins), 0.0f);
  for (int m = 0; m < o.n_mels; ++m) {
    const float left = edges[size_t(m)], centre = edges[size_t(m + 1)],
                right = edges[size_t(m + 2)];
    for (int k = 0; k < bins; ++k) {
      const float f = float(k) * float(o.sample_rate) / float(o.n_fft);
      const float up = (f - left) / (centre - left), down = (right - f) / (right - centre);
      fb[size_t(m * bins + k)] = std::max(0.0f, std::min(up, down));
    }
  }
  return fb;
}

LogMel::LogMel(const MelOptions& o)
    : o_(o),
      fft_(o.n_fft),
      window_(size_t(o.n_fft)),
      frame_(size_t(o.n_fft)),
      spectrum_(size_t(o.n_fft / 2 + 1)) {
  if (o.hop < 1 || o.n_mels < 1 || !(o.f_max > o.f_min))
    throw std::invalid_argument("LogMel: hop and n_mels must be >= 1 and f_max > f_min");
  const double pi = 3.14159265358979323846;
  for (int n = 0; n < o.n_fft; ++n)
    window_[size_t(n)] = float(0.5 - 0.5 * std::cos(2.0 * pi * n / o.n_fft));
  // Each filter covers a few dozen of the 201 bins at most: keep only its non-zero run.
  const int bins = fft_.bins();
  const std::vector<float> fb = mel_filterbank(o);
  for (int m = 0; m < o.n_mels; ++m) {
    Band b;
    int first = bins, last = -1;
    for (int k = 0; k < bins; ++k)
      if (fb[size_t(m * bins + k)] > 0) first = std::min(first, k), last = k;
    if (last >= 0) {
      b.first = first;
      b.weights.assign(fb.begin() + m * bins + first, fb.begin() + m * bins + last + 1);
    }
    bands_.push_back(std::move(b));
  }
}

void LogMel::power(const float* wave, int64_t samples, float* out) {
  const int64_t half = o_.n_fft / 2;
  if (samples <= half)
    throw std::invalid_argument("LogMel: " + std::to_string(samples) +
                                " samples, need more than n_fft / 2 = " + std::to_string(half) +
                                " for reflect padding");
  // Reflect padding (no edge repeat): index -j maps to j, index S - 1 + j to S - 1 - j.
  auto sample = [&](int64_t i) {
    if (i < 0) i = -i;
    if (i >= samples) i = 2 * (samples - 1) - i;
    return wave[i];
  };
  const int64_t T = frames(samples);
  for (int64_t t = 0; t < T; ++t) {
    const int64_t start = t * o_.hop - half;
    for (int n = 0; n < o_.n_fft; ++n) frame_[size_t(n)] = sample(start + n) * window_[size_t(n)];
    fft_.power(frame_.data(), spectrum_.data());
    float* row = out + t * o_.n_mels;
    for (int m = 0; m < o_.n_mels; ++m) {
      const Band& b = bands_[size_t(m)];
      float s = 0;
      for (size_t j = 0; j < b.weights.size(); ++j)
        s += b.weights[j] * spectrum_[size_t(b.first) + j];
      row[m] = s;
    }
  }
}

void LogMel::compute(const float* wave, int64_t samples, float* out) {
  power(wave, samples, out);
  const int64_t n = frames(samples) * o_.n_mels;
  for (int64_t i = 0; i < n; ++i) out[i] = std::log(out[i] + o_.log_floor);
}

}  // namespace soma
