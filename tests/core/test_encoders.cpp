#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "core/backend/cpu/isa_kernels.hpp"
#include "core/encode/encoders.hpp"
#include "core/neuron/current_scan.hpp"
#include "core/ops/linalg.hpp"
#include "core/ops/shape_ops.hpp"
#include "gradcheck.hpp"

using namespace soma;

TEST_CASE("constant-current LIF encoder: v_n = 1 - 0.9^n, one spike per threshold crossing") {
  // With input 1 the voltage approaches 1 from below and never crosses; 1.5 crosses at
  // 1.5 (1 - 0.9^n) > 1, i.e. n = 11 (0.9^11 = 0.3138).
  Tensor z = constant_current_lif_encode(Tensor::from({2}, {1.0f, 1.5f}), 12);
  CHECK(sum(select(transpose(z, 0, 1), 0)).item() == 0);
  CHECK(z.at({10, 1}) == 1);
  CHECK(sum(z).item() == 1);
  LIFBoxParameters p;
  Tensor trace = lif_box_sequence(Tensor::ones({5, 1}), Tensor::zeros({1}), p, true).trace;
  for (int n = 1; n <= 5; ++n) CHECK(trace.at({n - 1, 0}) == doctest::Approx(1 - std::pow(0.9, n)));
}

TEST_CASE("constant_input_spikes: the same bits as the time-major scan on the repeated input") {
  // Widths that are not a multiple of the kernel's 64-neuron blocks; both resets; a current
  // that survives steps (keep_i > 0) and one that does not (the box encoder); real states.
  Rng rng(3);
  // 65536 x 40 steps: past the kernel's 2M-float threshold for non-temporal stores.
  for (int64_t n : {1, 63, 64, 200, 5000, 65536}) {
    for (bool box : {true, false}) {
      for (Reset reset : {Reset::value, Reset::subtract}) {
        CAPTURE(n);
        CAPTURE(box);
        LIFParameters p;
        p.reset = reset;
        CurrentScanConfig c = lif_scan_config(p, box, true);
        Tensor x = Tensor::rand({n}, rng, -0.5f, 3.0f), v0 = Tensor::rand({n}, rng, -0.2f, 0.9f);
        Tensor i0 = box ? Tensor::zeros({n}) : Tensor::rand({n}, rng, 0, 1);
        Tensor want = current_scan(constant_current_encode(x, 40), v0, i0, c, false).z;
        Tensor got = constant_input_spikes(x, 40, v0, i0, c);
        REQUIRE(got.shape() == want.shape());
        CHECK(sum(want).item() > float(n) / 10);  // spikes and resets are exercised
        int64_t differ = 0;
        for (int64_t k = 0; k < got.numel(); ++k) differ += got.data()[k] != want.data()[k];
        CHECK(differ == 0);
      }
    }
  }
  CHECK_THROWS_AS(constant_input_spikes(Tensor::zeros({3}), 0, Tensor::zeros({3}),
                                        Tensor::zeros({3}), lif_scan_config({}, true, true)),
                  std::invalid_argument);
  CHECK_THROWS_AS(constant_input_spikes(Tensor::zeros({3}), 4, Tensor::zeros({2}),
                                        Tensor::zeros({3}), lif_scan_config({}, true, true)),
                  std::invalid_argument);
}

TEST_CASE("constant-current LIF encoder: its spike index lists exactly the ones, and goes stale") {
  // Several threads' slices and blocks (width 3 x 3000), so the index is merged in order.
  Rng rng(4);
  Tensor x = Tensor::rand({3, 3000}, rng, 0, 3);
  const Tensor z = constant_current_lif_encode(x, 20);
  const Storage::SpikeIndex* index = z.spike_index();
  REQUIRE(index != nullptr);
  // The values are written on the first read only: linear works from the index alone.
  CHECK(z.values_deferred());
  Rng rw(5);
  Tensor w0 = Tensor::rand({7, 3000}, rw, -1, 1).requires_grad_(true);
  sum(linear(z, w0)).backward();
  CHECK(z.values_deferred());
  CHECK(reshape(z, {20, 9000}).values_deferred());
  std::vector<int64_t> want;
  for (int64_t k = 0; k < z.numel(); ++k)
    if (z.data()[k] != 0) want.push_back(k);
  CHECK(want.size() > 1000);
  CHECK(!z.values_deferred());
  CHECK(*index == want);
  CHECK(reshape(z, {20, 9000}).spike_index() == index);  // a view of all of it
  CHECK(select(z, 3).spike_index() == nullptr);          // a part of it
  CHECK_THROWS_AS(select(z, 3).set_spike_index(nullptr), std::invalid_argument);
  // linear reads the periodic trains (test_periodic_spikes.cpp) instead of the values: equal
  // products and gradients either way, to rounding (the sums run in another order).
  Tensor w = Tensor::rand({7, 3000}, rng, -1, 1).requires_grad_(true);
  Tensor y1 = linear(z, w);
  sum(y1 * y1).backward();
  Tensor g1 = w.grad().clone();
  w.zero_grad();
  Tensor y2 = linear(z.clone(), w);  // a copy has no index: the values are scanned
  sum(y2 * y2).backward();
  CHECK(max(abs(y1 - y2)).item() <= 1e-5f * max(abs(y2)).item());
  CHECK(max(abs(g1 - w.grad())).item() <= 1e-5f * max(abs(w.grad())).item());
  // Any write access drops the index.
  Tensor zw = z;
  zw.data()[0] = 0.5f;
  CHECK(z.spike_index() == nullptr);
}

TEST_CASE("constant-current encoder repeats the input at every step") {
  Tensor x = Tensor::from({2}, {0.25f, -1.5f});
  Tensor c = constant_current_encode(x, 3);
  CHECK(c.shape() == Shape{3, 2});
  for (int64_t t = 0; t < 3; ++t) {
    CHECK(c.at({t, 0}) == 0.25f);
    CHECK(c.at({t, 1}) == -1.5f);
  }
}

TEST_CASE("constant-current encoder promises repeating steps; a write or a view drops it") {
  const Tensor c = constant_current_encode(Tensor::from({2}, {0.25f, -1.5f}), 3);
  CHECK(c.repeats(2));
  CHECK_FALSE(c.repeats(3));
  CHECK_FALSE(select(c, 1).repeats(2));  // a view of part of the storage
  CHECK(reshape(c, {6}).repeats(2));     // the whole storage, seen otherwise
  Tensor w = c;
  w.data()[0] = 1.0f;
  CHECK_FALSE(c.repeats(2));
  CHECK_THROWS_AS(w.set_repeating(4), std::invalid_argument);  // 6 values are not blocks of 4
}

TEST_CASE("poisson encoder rate and sign") {
  Rng rng(18);
  Tensor z = poisson_encode(Tensor::from({2}, {1.0f, 0.0f}), 20000, rng);
  CHECK(mean(select(transpose(z, 0, 1), 0)).item() == doctest::Approx(0.1).epsilon(0.05));
  CHECK(sum(select(transpose(z, 0, 1), 1)).item() == 0);
  Tensor s = signed_poisson_encode(Tensor::from({1}, {-1.0f}), 1000, rng);
  CHECK(max(s).item() == 0);
  CHECK(sum(s).item() < -50);
}

TEST_CASE("spike latency keeps the first spike") {
  Tensor z = Tensor::from({4, 2}, {0, 1, 1, 1, 0, 0, 1, 1});
  test::check_close(spike_latency_mask(z), {0, 1, 1, 0, 0, 0, 0, 0});
  CHECK(sum(spike_latency_lif_encode(Tensor::from({1}, {3.0f}), 50)).item() == 1);
}

TEST_CASE("population code golden values from Norse") {
  test::check_close(population_encode(Tensor::scalar(0), 3, 1.0f), {1, 0.8825f, 0.6065f}, 1e-4f);
  CHECK(population_encode(Tensor::zeros({2, 4}), 5, 1.0f).shape() == Shape{2, 4, 5});
}

TEST_CASE("decoders over time") {
  Tensor x = Tensor::from({3, 2}, {1, 5, 3, 2, 2, 4});
  test::check_close(sum_decode(x), {6, 11});
  test::check_close(max_decode(x), {3, 5});
  test::check_close(last_decode(x), {2, 4});
}

TEST_CASE("constant-input scan kernel: every level skips resting neurons and keeps the spikes") {
  // Pixels that are 0 with the state at rest (v = v_leak, i = 0) stay there and are not
  // scanned, nor (v_leak = 0) those that sink (x, i, v <= 0); zeros next to a moving state,
  // sinking pixels with v_leak != 0, and the case where rest itself spikes (v_leak > v_th)
  // must still be scanned. Compared with the scalar step on each neuron.
  Rng rng(11);
  for (Isa isa : available_isas()) {
    for (int64_t w : {1, 9, 16, 17, 100, 1024}) {
      for (float leak : {0.0f, 0.3f, 1.5f}) {
        CAPTURE(isa_name(isa));
        CAPTURE(w);
        CAPTURE(leak);
        LIFParameters p;
        p.v_leak = leak;
        const CurrentScanConfig c = lif_scan_config(p, false, true);
        std::vector<float> x(static_cast<size_t>(w)), v(x), i(x);
        for (int64_t k = 0; k < w; ++k) {
          // 0: rest; 1: sinking; 2: moving v; 3: input; 4: input and a sinking state
          const int kind = int(rng.uniform(0, 5));
          x[k] = kind == 3 || kind == 4 ? rng.uniform(0.5f, 3)
                 : kind == 1            ? rng.uniform(-1, 0)
                                        : 0.0f;
          v[k] = kind == 2                ? rng.uniform(-0.5f, 1.5f)
                 : kind == 1 || kind == 4 ? rng.uniform(-0.5f, 0)
                                          : leak;
          i[k] = kind == 2 ? rng.uniform(0, 1) : kind == 1 || kind == 4 ? rng.uniform(-1, 0) : 0.0f;
        }
        const int64_t steps = 30;
        std::vector<int32_t> lanes(size_t(steps * (w + 16)));
        std::vector<int64_t> counts(static_cast<size_t>(steps));
        isa_kernels(isa).scan_constant_range(c, {steps, w}, 0, w, x.data(), v.data(), i.data(),
                                             lanes.data(), counts.data());
        std::vector<float> vs = v, is = i;
        int64_t differ = 0, spikes = 0;
        for (int64_t t = 0; t < steps; ++t) {
          std::vector<int32_t> want;
          for (int64_t k = 0; k < w; ++k) {  // lif.hpp's step, reset to v_reset
            const float j = is[k] + x[k], vd = vs[k] + c.am * (c.v_leak - vs[k] + j);
            is[k] = j * c.keep_i;
            const bool z = vd > c.v_th;
            vs[k] = z ? vd + (c.v_reset - vd) : vd;
            if (z) want.push_back(int32_t(k));
          }
          spikes += int64_t(want.size());
          const int32_t* got = lanes.data() + t * (w + 16);
          differ += counts[size_t(t)] != int64_t(want.size()) ||
                    !std::equal(want.begin(), want.end(), got);
        }
        CHECK(differ == 0);
        if (w >= 100) CHECK(spikes > 0);
      }
    }
  }
}
