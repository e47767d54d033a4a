// The fused spike product + current scan (core/backend/spike_scan.hpp) against the two kernels
// it replaces, spike_matmul_groups then scan_forward_range, at every kernel level this CPU
// runs: the same bits for z, v_dec, trace and the final state.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "core/backend/cpu/isa_kernels.hpp"
#include "core/backend/spike_matmul.hpp"
#include "core/random/rng.hpp"

using namespace soma;

namespace {

struct Outputs {
  std::vector<float> z, v_dec, trace, v, i;
};

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

struct Problem {
  int64_t steps, batch, cols, n;
  double density;
  bool bias;
};

// Batch rows [b0, b1) over all steps, both ways; outputs are (steps, batch, n), state (batch, n).
void check_level(const IsaKernels& k, const Problem& p, const CurrentScanConfig& c, bool v_dec,
                 int64_t b0, int64_t b1) {
  Rng rng(7);
  const int64_t rows = p.steps * p.batch;
  std::vector<float> x(rows * p.cols), w(p.n * p.cols), bias(p.n), v0(p.batch * p.n),
      i0(p.batch * p.n);
  for (auto& e : x) e = rng.uniform() < p.density ? 1.0f : 0.0f;
  for (auto& e : w) e = rng.uniform(-0.4f, 0.6f);
  for (auto& e : bias) e = rng.uniform(-0.2f, 0.2f);
  for (auto& e : v0) e = rng.uniform(0.0f, 1.0f);
  for (auto& e : i0) e = rng.uniform(-0.5f, 0.5f);
  SpikeRows s;
  REQUIRE(spike_rows(x.data(), rows, p.cols, 1.0, s));
  const std::vector<float> packed = pack_spike_weights(w.data(), p.n, p.cols);
  const CsrView csr{s.row_start.data(), s.cols.data()};
  auto fresh = [&] {
    Outputs o{std::vector<float>(rows * p.n, -7.0f), std::vector<float>(rows * p.n, -7.0f),
              std::vector<float>(rows * p.n, -7.0f), v0, i0};
    if (!c.spiking) o.z.clear(), o.v_dec.clear();
    if (!v_dec) o.v_dec.clear();
    return o;
  };
  auto ptr = [](std::vector<float>& e) { return e.empty() ? nullptr : e.data(); };
  // The reference: all currents, then the scan over the slice's neurons.
  Outputs ref = fresh();
  std::vector<float> cur(rows * p.n);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < p.n; ++j) cur[r * p.n + j] = p.bias ? bias[j] : 0.0f;
  k.spike_matmul_groups(csr, 0, rows, 1, 0, p.cols, packed.data(), p.n, p.bias ? 1.0f : 0.0f,
                        cur.data());
  k.scan_forward_range(c, {p.steps, p.batch * p.n}, b0 * p.n, b1 * p.n, cur.data(), ref.v.data(),
                       ref.i.data(), ptr(ref.z), ptr(ref.v_dec), ptr(ref.trace));
  Outputs got = fresh();
  auto at = [&](std::vector<float>& e) { return e.empty() ? nullptr : e.data() + b0 * p.n; };
  k.spike_product_scan(c, csr, {b0, b1 - b0, p.steps, p.batch}, p.cols, packed.data(),
                       p.bias ? bias.data() : nullptr, p.n, got.v.data() + b0 * p.n,
                       got.i.data() + b0 * p.n, at(got.z), at(got.v_dec), at(got.trace));
  CHECK(same_bits(got.z, ref.z));
  CHECK(same_bits(got.v_dec, ref.v_dec));
  CHECK(same_bits(got.trace, ref.trace));
  CHECK(same_bits(got.v, ref.v));
  CHECK(same_bits(got.i, ref.i));
  if (c.spiking) {
    double spikes = 0;
    for (float e : ref.z) spikes += e == 1.0f;
    CHECK(spikes > 10);  // spikes and resets are exercised
  }
}

}  // namespace

TEST_CASE("spike_product_scan equals spike_matmul_groups + scan_forward_range at every level") {
  const Problem problems[] = {
      {40, 5, 45, 70, 0.1, true},       // partial tiles at every level (64 + 6, 32 + 32 + 6)
      {300, 5, 37, 130, 0.05, false},   // several blocks of steps
      {300, 4, 200, 1024, 0.03, true},  // outputs large enough to be streamed
      {40, 5, 45, 10, 0.1, true},       // one vector at AVX-512 (a read-out's 10 classes)
      {300, 3, 37, 16, 0.05, false},    // one whole vector at AVX-512, two below
      {40, 5, 45, 6, 0.2, true}         // one vector at every level
  };
  for (Isa isa : available_isas()) {
    const std::string level = isa_name(isa);
    CAPTURE(level);
    const IsaKernels& k = isa_kernels(isa);
    for (const Problem& p : problems) {
      CAPTURE(p.n);
      for (Reset reset : {Reset::value, Reset::subtract})
        for (bool v_dec : {false, true}) {
          CurrentScanConfig c{0.1f, 0.8f, 0.05f, 0.3f, -0.1f, reset, Surrogate{}, true};
          check_level(k, p, c, v_dec, 0, p.batch);
          check_level(k, p, c, v_dec, 1, p.batch - 1);  // a slice of the batch
        }
      CurrentScanConfig li{0.1f, 0.8f, 0.05f, 0.3f, 0.0f, Reset::value, Surrogate{}, false};
      check_level(k, p, li, false, 0, p.batch);
    }
  }
}

TEST_CASE("spike_rows finds every spike at every level, dense or tight on the budget") {
  Rng rng(9);
  const int64_t rows = 300, cols = 70;
  for (double density : {0.03, 0.5}) {  // 0.5: past the first buffer's room (1/8)
    std::vector<float> x(rows * cols);
    for (auto& e : x) e = rng.uniform() < density ? 1.0f : 0.0f;
    std::vector<int64_t> want_end;
    std::vector<int32_t> want;
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t c = 0; c < cols; ++c)
        if (x[r * cols + c] != 0) want.push_back(int32_t(c));
      want_end.push_back(int64_t(want.size()));
    }
    SpikeRows s;
    REQUIRE(spike_rows(x.data(), rows, cols, 1.0, s));
    CHECK(s.cols == want);
    CHECK(std::vector<int64_t>(s.row_start.begin() + 1, s.row_start.end()) == want_end);
    const int64_t count = int64_t(want.size());
    for (Isa isa : available_isas()) {
      const std::string level = isa_name(isa);
      CAPTURE(level);
      // A buffer of exactly `budget` entries: the last blocks take the careful path.
      for (int64_t budget : {count, count - 1}) {
        std::vector<int64_t> end(rows);
        std::vector<int32_t> active(static_cast<size_t>(budget));
        const int failed = 0;
        const int64_t got = isa_kernels(isa).spike_scan_rows(x.data(), 0, rows, cols, budget,
                                                             &failed, end.data(), active.data());
        if (budget < count) {
          CHECK(got == -1);
        } else {
          CHECK(got == count);
          CHECK(active == want);
          CHECK(end == want_end);
        }
      }
    }
  }
}
