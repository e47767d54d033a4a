// The speech front end (core/audio/) is native only: Debian's Emscripten has no kissfft.
#ifndef __EMSCRIPTEN__
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/audio/fft.hpp"
#include "core/audio/mel.hpp"
#include "core/audio/spec_augment.hpp"
#include "core/random/rng.hpp"

using namespace soma;

namespace {
const double kPi = 3.14159265358979323846;

std::vector<float> tone(double hz, double amplitude, int64_t n, double phase = 0.3) {
  std::vector<float> x(static_cast<size_t>(n));
  for (int64_t k = 0; k < n; ++k)
    x[size_t(k)] = float(amplitude * std::cos(2 * kPi * hz * double(k) / 16000 + phase));
  return x;
}
}  // namespace

TEST_CASE("fft: a cosine at bin 25 of 400 has power (N/2)^2 there and ~0 elsewhere") {
  RealFft fft(400);
  CHECK(fft.bins() == 201);
  std::vector<float> x = tone(1000, 1, 400), p(201);  // 1000 Hz = bin 25 at 40 Hz per bin
  fft.power(x.data(), p.data());
  CHECK(p[25] == doctest::Approx(200.0 * 200.0).epsilon(1e-4));
  float rest = 0;
  for (int k = 0; k < 201; ++k)
    if (k != 25) rest = std::max(rest, p[size_t(k)]);
  CHECK(rest < 1e-3f);
  CHECK_THROWS_AS(RealFft(401), std::invalid_argument);
}

TEST_CASE("mel: the HTK scale and Norse's frame count") {
  CHECK(hz_to_mel(700) == doctest::Approx(2595 * std::log10(2.0)).epsilon(1e-6));
  CHECK(mel_to_hz(hz_to_mel(1234)) == doctest::Approx(1234).epsilon(1e-5));
  LogMel mel;
  CHECK(mel.frames(16000) == 81);
  // Filter 27 (centre 972.7 Hz) weights bin 24 (960 Hz) by (960 - 921.456) / (972.694 - 921.456),
  // hand-computed from the edges mel_to_hz(2840.023 * m / 81).
  std::vector<float> fb = mel_filterbank({});
  CHECK(fb.size() == 80u * 201u);
  CHECK(fb[27 * 201 + 24] ==
        doctest::Approx((960 - 921.4558) / (972.6939 - 921.4558)).epsilon(1e-4));
  CHECK(fb[0 * 201 + 1] == doctest::Approx(0.2164).epsilon(1e-3));  // the narrow first filter
}

TEST_CASE("mel: a 1 kHz tone lands in mel bin 28 with the hand-computed power") {
  // Periodic Hann and a tone on bin 25: |X_25| = A N / 4 and |X_24| = |X_26| = A N / 8, so with
  // A = 0.5 the powers are 2500 and 625. Filter 28 weights bins 24-26 by 0.0, 0.6961, 0.8190
  // (hand-computed from the HTK edges): 2500 * 0.6961... + 625 * 0.8190... = 1750.886.
  LogMel mel;
  std::vector<float> x = tone(1000, 0.5, 16000), out(size_t(81 * 80));
  mel.power(x.data(), 16000, out.data());
  const float* mid = out.data() + 40 * 80;
  CHECK(std::max_element(mid, mid + 80) - mid == 28);
  CHECK(mid[28] == doctest::Approx(1750.886).epsilon(1e-3));
  CHECK(mid[27] == doctest::Approx(1678.661).epsilon(1e-3));
  CHECK(mid[30] == doctest::Approx(0.0).epsilon(1e-3));
  mel.compute(x.data(), 16000, out.data());
  CHECK(out[40 * 80 + 28] == doctest::Approx(std::log(1750.886)).epsilon(1e-4));
  // A 4 kHz tone: mel 2146.1, 61.2 filter spacings of 2840.02 / 81 up: filter 60.
  std::vector<float> y = tone(4000, 0.5, 16000);
  mel.power(y.data(), 16000, out.data());
  CHECK(std::max_element(mid, mid + 80) - mid == 60);
}

TEST_CASE("spec augment: one band below the width limit takes the fill values") {
  Rng rng(3);
  const int64_t T = 81, M = 80;
  std::vector<float> fill(static_cast<size_t>(M));
  for (int64_t m = 0; m < M; ++m) fill[size_t(m)] = -float(m);
  for (int rep = 0; rep < 20; ++rep) {
    std::vector<float> s(size_t(T * M), 7.0f);
    mask_time(s.data(), T, M, 35, rng, fill.data());
    int64_t masked = 0, first = -1;
    for (int64_t t = 0; t < T; ++t)
      if (s[size_t(t * M + 5)] == -5.0f) {
        if (first < 0) first = t;
        ++masked;
        CHECK(s[size_t(t * M + 9)] == -9.0f);
      }
    CHECK(masked < 35);
    for (int64_t t = first; t < first + masked; ++t) CHECK(s[size_t(t * M)] == 0.0f);  // contiguous
    std::vector<float> f(size_t(T * M), 7.0f);
    mask_frequency(f.data(), T, M, 15, rng);
    int64_t bins = 0;
    for (int64_t m = 0; m < M; ++m) bins += f[size_t(m)] == 0.0f;
    CHECK(bins < 15);
    for (int64_t t = 0; t < T; ++t)
      for (int64_t m = 0; m < M; ++m)
        CHECK((f[size_t(t * M + m)] == 0.0f) == (f[size_t(m)] == 0.0f));
  }
}
#endif
