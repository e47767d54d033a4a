#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <stdexcept>
#include <vector>

#include "core/autograd/grad_mode.hpp"
#include "core/backend/periodic_matmul.hpp"
#include "core/encode/encoders.hpp"
#include "core/neuron/current_scan.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/linalg.hpp"
#include "core/ops/reduce.hpp"
#include "core/ops/shape_ops.hpp"
#include "core/random/rng.hpp"

using namespace soma;

namespace {

// Pixels as a normalised Fashion-MNIST batch has them: background that sinks, dim pixels that
// never reach the threshold, and bright ones with periods from 3 to past the window; quantised:
// 64 levels, so that pixels repeat (the encoder scans each distinct pixel once).
Tensor mnist_like(int64_t n, Rng& rng, bool quantised = false) {
  Tensor x = Tensor::rand({n}, rng, 0, 1);
  for (int64_t k = 0; k < n; ++k) {
    const float u = quantised ? std::floor(x.data()[k] * 64.0f) / 64.0f : x.data()[k];
    x.data()[k] = u < 0.5f ? -0.81f : u < 0.65f ? (u - 0.5f) * 6.0f : 1.0f + (u - 0.65f) * 8.0f;
  }
  return x;
}

// Random trains: each neuron listed with probability 0.4, periods in [1, steps].
PeriodicSpikes random_trains(int64_t steps, int64_t width, Rng& rng) {
  PeriodicSpikes s;
  s.steps = steps, s.width = width;
  for (int64_t n = 0; n < width; ++n)
    if (rng.uniform() < 0.4f) {
      s.neuron.push_back(int32_t(n));
      s.period.push_back(uint16_t(1 + int64_t(rng.uniform() * float(steps)) % steps));
    }
  return s;
}

}  // namespace

TEST_CASE("periodic spikes: the encoder's trains give the scan's spikes, index and count") {
  Rng rng(21);
  for (int64_t n : {1, 17, 1000, 5000, 20000}) {
    CAPTURE(n);
    const Tensor x = mnist_like(n, rng, n >= 5000);
    const Tensor z = constant_current_lif_encode(x, 32);
    const PeriodicSpikes* trains = z.periodic_spikes();
    // WebAssembly builds no period kernels (the page's size budget): a spike index there.
    CHECK((trains != nullptr) == periodic_matmul_available());
    CHECK(z.values_deferred());
    LIFBoxParameters p;
    const Tensor want = current_scan(constant_current_encode(x, 32), Tensor::full({n}, p.v_leak),
                                     Tensor::zeros({n}), lif_box_scan_config(p), false)
                            .z;
    std::vector<int64_t> ones;
    int64_t differ = 0;
    for (int64_t k = 0; k < want.numel(); ++k) {
      differ += z.data()[k] != want.data()[k];
      if (want.data()[k] != 0) ones.push_back(k);
    }
    CHECK(differ == 0);
    if (trains) CHECK(periodic_spike_count(*trains) == int64_t(ones.size()));
    const Storage::SpikeIndex* index = z.spike_index();  // built from the trains on demand
    REQUIRE(index != nullptr);
    CHECK(*index == ones);
    if (n >= 1000) CHECK(ones.size() > size_t(n));
  }
}

TEST_CASE("periodic spikes: a reset that does not return to the start gives no trains") {
  // v_reset != v_leak = v0, or a subtracting reset: the state after the first spike differs,
  // so the spikes need not repeat; the encoder lists them step by step instead (same bits).
  Rng rng(22);
  const Tensor x = mnist_like(3000, rng);
  for (int variant = 0; variant < 2; ++variant) {
    CAPTURE(variant);
    LIFBoxParameters p;
    if (variant == 0) p.v_reset = 0.25f;
    if (variant == 1) p.reset = Reset::subtract;
    const Tensor z = constant_current_lif_encode(x, 32, p);
    CHECK(z.periodic_spikes() == nullptr);
    CHECK(z.spike_index() != nullptr);
    const Tensor want = current_scan(constant_current_encode(x, 32), Tensor::full({3000}, p.v_leak),
                                     Tensor::zeros({3000}), lif_box_scan_config(p), false)
                            .z;
    CHECK(max(abs(z - want)).item() == 0);
    CHECK(sum(want).item() > 1000);
  }
}

TEST_CASE("periodic spikes: malformed trains are refused") {
  auto make = [](int64_t steps, int64_t width, std::vector<int32_t> n, std::vector<uint16_t> p) {
    auto s = std::make_shared<PeriodicSpikes>();
    s->steps = steps, s->width = width, s->neuron = std::move(n), s->period = std::move(p);
    return s;
  };
  CHECK_NOTHROW(Tensor::from_periodic_spikes({4, 3}, make(4, 3, {0, 2}, {1, 4})));
  CHECK_THROWS_AS(Tensor::from_periodic_spikes({4, 3}, make(4, 3, {2, 0}, {1, 1})),
                  std::invalid_argument);  // not ascending
  CHECK_THROWS_AS(Tensor::from_periodic_spikes({4, 3}, make(4, 3, {0}, {0})),
                  std::invalid_argument);  // period 0
  CHECK_THROWS_AS(Tensor::from_periodic_spikes({4, 3}, make(4, 3, {0}, {5})),
                  std::invalid_argument);  // period past the steps
  CHECK_THROWS_AS(Tensor::from_periodic_spikes({4, 3}, make(4, 3, {3}, {1})),
                  std::invalid_argument);  // neuron past the width
  CHECK_THROWS_AS(Tensor::from_periodic_spikes({4, 3}, make(4, 3, {0, 1}, {1})),
                  std::invalid_argument);  // sizes differ
  CHECK_THROWS_AS(Tensor::from_periodic_spikes({5, 3}, make(4, 3, {0}, {1})),
                  std::invalid_argument);  // shape
}

TEST_CASE("periodic_matmul: x W^T and x^T g of the dense spikes, any width, beta and threads") {
  if (!periodic_matmul_available()) return;  // WebAssembly: no trains are made there
  Rng rng(23);
  for (int64_t steps : {1, 7, 32}) {
    for (int64_t in : {1, 5, 37}) {
      for (int64_t n : {1, 16, 100, 130, 300}) {
        CAPTURE(steps);
        CAPTURE(in);
        CAPTURE(n);
        const int64_t images = 40, rows = steps * images;
        const PeriodicSpikes s = random_trains(steps, images * in, rng);
        std::vector<float> dense(size_t(rows * in), 0.0f);
        write_periodic_spikes(s, dense.data());
        const Tensor wt = Tensor::rand({in, n}, rng, -1, 1),
                     g = Tensor::rand({rows, n}, rng, -1, 1);
        for (float beta : {0.0f, 1.0f, 0.5f}) {
          const Tensor out0 = Tensor::rand({rows, n}, rng, -1, 1);
          Tensor out = out0.clone();
          periodic_matmul(s, in, wt.data(), n, beta, out.data());
          double err = 0;
          for (int64_t r = 0; r < rows; ++r)
            for (int64_t j = 0; j < n; ++j) {
              double want = beta * double(out0.data()[r * n + j]);
              for (int64_t k = 0; k < in; ++k)
                want += double(dense[size_t(r * in + k)]) * double(wt.data()[k * n + j]);
              err = std::max(err, std::abs(want - double(out.data()[r * n + j])));
            }
          CHECK(err < 1e-4);
        }
        const int64_t ldw = (n + 15) / 16 * 16;
        std::vector<float> gwt(size_t(in * ldw), 7.0f);  // overwritten, padding included
        periodic_matmul_t(s, in, g.data(), n, gwt.data(), ldw);
        double err = 0, pad = 0;
        for (int64_t k = 0; k < in; ++k) {
          for (int64_t j = 0; j < n; ++j) {
            double want = 0;
            for (int64_t r = 0; r < rows; ++r)
              want += double(dense[size_t(r * in + k)]) * double(g.data()[r * n + j]);
            err = std::max(err, std::abs(want - double(gwt[size_t(k * ldw + j)])));
          }
          for (int64_t j = n; j < ldw; ++j)
            pad = std::max(pad, double(std::abs(gwt[size_t(k * ldw + j)])));
        }
        CHECK(err < 1e-3);
        CHECK(pad == 0);
      }
    }
  }
}

TEST_CASE("linear on the encoder's trains: the dense product and its gradients, with a bias") {
  if (!periodic_matmul_available()) return;  // WebAssembly: no trains are made there
  Rng rng(24);
  const Tensor x = reshape(mnist_like(6 * 784, rng), {6, 784});
  const Tensor z = constant_current_lif_encode(x, 32);  // (32, 6, 784)
  REQUIRE(z.periodic_spikes() != nullptr);
  Tensor w = Tensor::rand({100, 784}, rng, -0.1f, 0.1f).requires_grad_(true);
  Tensor b = Tensor::rand({100}, rng, -1, 1).requires_grad_(true);
  Tensor y1 = linear(z, w, b);
  sum(y1 * y1).backward();
  const Tensor gw1 = w.grad().clone(), gb1 = b.grad().clone();
  CHECK(z.values_deferred());  // the trains alone served the forward and the gradient
  w.zero_grad(), b.zero_grad();
  Tensor y2 = linear(z.clone(), w, b);  // dense values: the spike-row path
  sum(y2 * y2).backward();
  CHECK(max(abs(y1 - y2)).item() <= 1e-5f * max(abs(y2)).item());
  CHECK(max(abs(gw1 - w.grad())).item() <= 1e-5f * max(abs(w.grad())).item());
  CHECK(max(abs(gb1 - b.grad())).item() <= 1e-5f * max(abs(b.grad())).item());
}
