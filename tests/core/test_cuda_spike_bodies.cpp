// The GPU's spike-input product (core/backend/cuda/spike_body.hpp) on the host: the pack and
// product kernels as loops standing in for the grid, against the CPU's x W^T + b.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "core/backend/cuda/spike_body.hpp"
#include "core/ops/linalg.hpp"
#include "core/random/rng.hpp"
#include "scale_close.hpp"

using namespace soma;

namespace {

using test::check_close_to_scale;
using test::random_tensor;
using Floats = std::vector<float>;

struct Packed {
  std::vector<uint32_t> bits;
  Floats ones, others;
};

Packed pack(const cuda::SpikeRows& s, const Floats& x) {
  const int64_t n = s.rows * s.words();
  Packed p{std::vector<uint32_t>(size_t(n)), Floats(size_t(n)), Floats(size_t(n))};
  for (int64_t e = 0; e < n; ++e)
    cuda::spike_pack_word(s, x.data(), p.bits.data(), p.ones.data(), p.others.data(), e);
  return p;
}

float total(const Floats& v) {
  float t = 0;
  for (float f : v) t += f;
  return t;
}

// Spikes at density p in (rows, k).
Floats spikes(int64_t rows, int64_t k, float p, uint64_t seed) {
  Rng rng(seed);
  Floats x(size_t(rows * k));
  for (float& v : x) v = rng.uniform() < p ? 1.0f : 0.0f;
  return x;
}

}  // namespace

TEST_CASE("cuda bodies: the spike product equals x W^T + b (chunks, ragged columns and words)") {
  // n 1030: two column chunks (1024 + 6 columns, the last group of 4 holding 2); k 75: the
  // last word of a row holds 11 inputs.
  for (int64_t n : {1030, 7, 64})
    for (bool with_bias : {true, false}) {
      CAPTURE(n);
      CAPTURE(with_bias);
      const int64_t rows = 9, k = 75;
      const cuda::SpikeRows s{rows, k};
      const Floats x = spikes(rows, k, 0.2f, uint64_t(n));
      const Tensor w = random_tensor({n, k}, 2), b = with_bias ? random_tensor({n}, 3) : Tensor();
      const Packed p = pack(s, x);
      CHECK(total(p.others) == 0);
      CHECK(total(p.ones) == total(x));

      const Floats wv = w.to_vector();
      Floats wt(size_t(k * n)), out(size_t(rows * n), NAN);
      for (int64_t e = 0; e < n * k; ++e) cuda::transpose_at(n, k, wv.data(), wt.data(), e);
      const Floats bv = with_bias ? b.to_vector() : Floats();
      for (int64_t e = 0; e < cuda::spike_product_threads(s, n); ++e)
        cuda::spike_product_at(s, p.bits.data(), wt.data(), with_bias ? bv.data() : nullptr, n,
                               out.data(), e);
      check_close_to_scale(linear(Tensor::from({rows, k}, x), w, b).to_vector(), out, 1e-6f);
    }
}

TEST_CASE("cuda bodies: the spike pack counts ones and every other value, NaN included") {
  const cuda::SpikeRows s{2, 40};
  Floats x(80, 0.0f);
  x[0] = 1, x[31] = 1, x[32] = 1, x[79] = 1;                  // ones at both ends of both words
  x[5] = 0.5f, x[50] = -1, x[60] = std::nanf(""), x[70] = 2;  // others
  x[10] = -0.0f;                                              // a zero
  const Packed p = pack(s, x);
  CHECK(total(p.ones) == 4);
  CHECK(total(p.others) == 4);
  CHECK(p.bits[0] == (1u | 1u << 31));
  CHECK(p.bits[1] == 1u);               // input 32: bit 0 of word 1
  CHECK(p.bits[3] == 1u << (79 - 72));  // row 1's second word starts at input 72
}
