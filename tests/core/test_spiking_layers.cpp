#include <doctest/doctest.h>

#include <atomic>
#include <vector>

#include "core/autograd/grad_mode.hpp"
#include "core/backend/parallel.hpp"
#include "core/neuron/li.hpp"
#include "core/nn/spiking_layers.hpp"
#include "core/ops/ops.hpp"
#include "core/random/rng.hpp"

using namespace soma;

namespace {

void check_close(const Tensor& a, const Tensor& b, float tol = 1e-5f) {
  REQUIRE(a.shape() == b.shape());
  for (int64_t i = 0; i < a.numel(); ++i)
    CHECK(a.data()[i] == doctest::Approx(b.data()[i]).epsilon(tol).scale(1.0));
}

CurrentScanConfig lif_config() {
  LIFParameters p;
  p.surrogate = {SurrogateMethod::super, 10.0f};
  return lif_scan_config(p, false, true);
}

}  // namespace

TEST_CASE("SpikingLinear equals Linear then the LIF scan, values and gradients") {
  Rng rng(3);
  nn::SpikingLinear layer(6, 5, lif_config(), true, rng);
  layer.gain = 2;
  Tensor x = (Tensor::rand({7, 3, 6}, rng, 0, 1.5f)).requires_grad_();
  Tensor z = layer(x);
  Tensor w = Tensor::rand(z.shape(), rng, -1, 1);
  sum(z * w).backward();
  Tensor gx = x.grad(), gw = layer.synapse->weight.grad(), gb = layer.synapse->bias.grad();

  x.zero_grad();
  layer.zero_grad();
  Tensor cur = linear(x, layer.synapse->weight * 2.0f, layer.synapse->bias * 2.0f);
  LIFState s0{Tensor::zeros({3, 5}), Tensor::zeros({3, 5})};
  Tensor z2 = current_scan(cur, s0.v, s0.i, lif_config(), false).z;
  check_close(z, z2);
  sum(z2 * w).backward();
  check_close(gx, x.grad());
  check_close(gw, layer.synapse->weight.grad());
  check_close(gb, layer.synapse->bias.grad());
}

TEST_CASE("SpikingLinear with an LI neuron is Norse's LILinearCell: it returns the voltage") {
  Rng rng(4);
  nn::SpikingLinear layer(4, 2, li_scan_config(LIParameters{}), false, rng);
  layer.record_states = true;
  Tensor x = Tensor::rand({5, 2, 4}, rng);
  Tensor v = layer(x);
  Tensor ref = li_sequence(linear(x, layer.synapse->weight),
                           {Tensor::zeros({2, 2}), Tensor::zeros({2, 2})}, LIParameters{})
                   .v;
  check_close(v, ref);
  REQUIRE(layer.recorded().size() == 1);
  CHECK(layer.recorded()[0].first == "v");
}

TEST_CASE("SpikingConv2d equals conv2d over T * B images then the LIF scan") {
  Rng rng(5);
  nn::SpikingConv2d layer(2, 3, 3, lif_config(), rng, 1, 1);
  Tensor x = Tensor::rand({4, 2, 2, 5, 5}, rng, 0, 2).requires_grad_();
  Tensor z = layer(x);
  CHECK(z.shape() == Shape{4, 2, 3, 5, 5});
  Tensor cur = conv2d(reshape(x, {8, 2, 5, 5}), layer.synapse->weight, layer.synapse->bias, {1, 1});
  Tensor z2 = current_scan(reshape(cur, {4, 2, 3, 5, 5}), Tensor::zeros({2, 3, 5, 5}),
                           Tensor::zeros({2, 3, 5, 5}), lif_config(), false)
                  .z;
  check_close(z, z2);
}

TEST_CASE("SpikingConv2d trusts a writer's promise of repeating steps without comparing them") {
  // The GPU cannot compare the steps without waiting, so the promise alone must select the
  // one-convolution path: a (false) promise on varied steps shows it is taken.
  Rng rng(7);
  nn::SpikingConv2d layer(1, 2, 3, lif_config(), rng);
  layer.gain = 2;
  Tensor varied = Tensor::rand({4, 2, 1, 6, 6}, rng, 0, 2);
  Tensor promised = varied.clone();
  promised.set_repeating(varied.numel() / 4);
  NoGrad no_grad;
  check_close(layer(promised), layer(stack(Tensors(4, select(varied, 0)))));
  CHECK(sum(abs(layer(varied) - layer(promised))).item() > 0);
}

TEST_CASE("SpikingConv2d on a constant input convolves once, with the same values and gradients") {
  Rng rng(6);
  nn::SpikingConv2d layer(1, 3, 3, lif_config(), rng);
  layer.gain = 2;
  Tensor image = Tensor::rand({2, 1, 6, 6}, rng, 0, 2);
  Tensor x = stack(Tensors(5, image));  // (T, B, C, H, W), every step the same: the fast path
  Tensor x_varied = x.clone();
  x_varied.data()[x.numel() - 1] += 1e-3f;  // one value differs: the general path
  Tensor w = Tensor::rand({5, 2, 3, 4, 4}, rng, -1, 1);
  Tensors grads;
  Tensor outs[2];
  for (int k = 0; k < 2; ++k) {
    layer.zero_grad();
    outs[k] = layer(k == 0 ? x : x_varied);
    sum(outs[k] * w).backward();
    grads.push_back(layer.synapse->weight.grad().clone());
    grads.push_back(layer.synapse->bias.grad().clone());
  }
  CHECK(sum(outs[0]).item() > 5);
  // The last value of x_varied only touches the last step of image 1.
  check_close(slice(outs[0], 0, 0, 4), slice(outs[1], 0, 0, 4));
  check_close(grads[0], grads[2], 1e-3f);
  check_close(grads[1], grads[3], 1e-3f);
}

TEST_CASE("parallel_slices covers every index exactly once, at aligned boundaries") {
  for (int64_t n : {0, 1, 15, 16, 17, 1000}) {
    std::vector<std::atomic<int>> seen(static_cast<size_t>(n));
    std::atomic<int> slices{0};
    parallel_slices(
        n, true,
        [&](int64_t b, int64_t e) {
          ++slices;
          CHECK(b % 16 == 0);
          for (int64_t i = b; i < e; ++i) ++seen[size_t(i)];
        },
        16);
    for (auto& s : seen) CHECK(s == 1);
    CHECK(slices <= thread_count());
  }
}
