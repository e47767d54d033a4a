#include <doctest/doctest.h>

#include "core/neuron/constant_current_pool.hpp"
#include "core/neuron/li.hpp"
#include "core/nn/pool.hpp"
#include "core/nn/spiking_layers.hpp"
#include "core/ops/ops.hpp"
#include "core/random/rng.hpp"

using namespace soma;

namespace {

CurrentScanConfig pool_lif(Reset reset) {
  LIFParameters p;
  p.surrogate = {SurrogateMethod::super, 10.0f};
  p.v_th = 0.7f;
  p.reset = reset;
  return lif_scan_config(p, false, true);
}

void check_equal(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  int64_t differ = 0;
  for (int64_t k = 0; k < a.numel(); ++k) differ += a.data()[k] != b.data()[k];
  CHECK(differ == 0);
}

// The fused op against the ops it replaces: T copies of x, the scan, max_pool_sequence.
void check_against_unfused(const Shape& shape, int64_t steps, float lo, float hi, Reset reset) {
  CAPTURE(to_string(shape));
  CAPTURE(lo);
  Rng rng(uint64_t(shape[2] * 31 + shape[3]));
  const CurrentScanConfig c = pool_lif(reset);
  Tensor x = Tensor::rand(shape, rng, lo, hi).requires_grad_();
  Tensor v0 = Tensor::rand(shape, rng, -0.2f, 0.5f), i0 = Tensor::rand(shape, rng, 0, 0.3f);
  PooledScanResult r = constant_current_pool_scan(x, steps, v0, i0, c, true);
  Tensor w = Tensor::rand(r.pooled.shape(), rng, -1, 1);
  sum(r.pooled * w).backward();
  Tensor gx = x.grad().clone();

  x.zero_grad();
  CurrentScanResult ref = current_scan(stack(Tensors(size_t(steps), x)), v0, i0, c, false);
  Tensor pooled = nn::max_pool_sequence(ref.z, 2);
  sum(pooled * w).backward();
  check_equal(r.pooled, pooled);
  check_equal(r.z, ref.z);
  check_equal(r.v, ref.v);
  check_equal(r.i, ref.i);
  check_equal(gx, x.grad());
}

}  // namespace

TEST_CASE("constant_current_pool_scan equals the repeat, the scan and max_pool_sequence") {
  for (Reset reset : {Reset::subtract, Reset::value}) {
    check_against_unfused({2, 3, 6, 8}, 9, 0, 1.5f, reset);    // even sizes
    check_against_unfused({1, 2, 5, 7}, 4, -0.5f, 2, reset);   // odd: last row / column dropped
    check_against_unfused({3, 1, 24, 24}, 16, 0, 1, reset);    // conv1's plane, threads
    check_against_unfused({2, 2, 4, 4}, 6, -1, -0.5f, reset);  // density 0: no spikes
    check_against_unfused({2, 2, 4, 6}, 6, 50, 60, reset);     // density 1: a spike every step
    check_against_unfused({1, 1, 2, 3}, 3, 0, 2, reset);       // one window
    check_against_unfused({1, 2, 5, 70}, 5, 0, 1.5f, reset);   // rows of 70: two words of bits
    check_against_unfused({2, 1, 9, 33}, 7, 0, 1.5f, reset);   // 297 neurons: a partial group
  }
}

TEST_CASE("constant_current_pool_scan: spikes at densities 0 and 1 as expected") {
  const CurrentScanConfig c = pool_lif(Reset::subtract);
  Tensor v0 = Tensor::zeros({1, 1, 4, 4}), i0 = Tensor::zeros({1, 1, 4, 4});
  CHECK(sum(constant_current_pool_scan(Tensor::zeros({1, 1, 4, 4}), 5, v0, i0, c).pooled).item() ==
        0);
  CHECK(sum(constant_current_pool_scan(Tensor::full({1, 1, 4, 4}, 100), 5, v0, i0, c).pooled)
            .item() == 5 * 4);
}

TEST_CASE("constant_current_pool_scan checks its arguments") {
  const CurrentScanConfig c = pool_lif(Reset::subtract);
  Tensor x = Tensor::zeros({1, 1, 4, 4});
  CHECK_THROWS(constant_current_pool_scan(x, 0, x, x, c));
  CHECK_THROWS(constant_current_pool_scan(x, 2, Tensor::zeros({1, 1, 4, 3}), x, c));
  CHECK_THROWS(constant_current_pool_scan(Tensor::zeros({4, 4}), 2, x, x, c));
  Tensor thin = Tensor::zeros({1, 1, 1, 4});
  CHECK_THROWS(constant_current_pool_scan(thin, 2, thin, thin, c));  // no window
  CHECK_THROWS(constant_current_pool_scan(x, 2, x, x, li_scan_config(LIParameters{})));
}

TEST_CASE("SpikingConv2d::forward_pooled equals forward then max_pool_sequence") {
  for (int padding : {0, 1}) {
    CAPTURE(padding);
    Rng rng(7);
    LIFParameters p;
    p.v_th = 0.7f;
    nn::SpikingConv2d layer(2, 3, 3, lif_scan_config(p, false, true), rng, 1 + padding, padding);
    layer.gain = 3;
    Tensor x = stack(Tensors(6, Tensor::rand({2, 2, 9, 8}, rng, 0, 1)));  // constant: fused
    Tensors outs, grads;
    for (int fused = 0; fused < 2; ++fused) {
      layer.zero_grad();
      Tensor spikes, out;
      if (fused) {
        out = layer.forward_pooled(x, 2, &spikes);
      } else {
        spikes = layer(x);
        out = nn::max_pool_sequence(spikes, 2);
      }
      Rng wr(9);
      sum(out * Tensor::rand(out.shape(), wr, -1, 1)).backward();
      outs.push_back(out.detach()), outs.push_back(spikes.detach());
      grads.push_back(layer.synapse->weight.grad().clone());
      grads.push_back(layer.synapse->bias.grad().clone());
    }
    CHECK(sum(outs[0]).item() > 0);
    check_equal(outs[0], outs[2]);
    check_equal(outs[1], outs[3]);
    check_equal(grads[0], grads[2]);
    check_equal(grads[1], grads[3]);
  }
}
