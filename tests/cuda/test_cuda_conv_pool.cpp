// conv2d, max_pool2d, avg_pool2d, the spiking conv layer and the MNIST conv model's training
// step on cuda tensors against the CPU: values and all gradients. Runs only on a machine with a
// GPU.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/autograd/node.hpp"
#include "core/encode/encoders.hpp"
#include "core/neuron/constant_current_pool.hpp"
#include "core/neuron/ff_layer.hpp"
#include "core/nn/spiking_layers.hpp"
#include "core/ops/conv.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/loss.hpp"
#include "core/ops/reduce.hpp"
#include "core/optim/optim.hpp"
#include "core/random/rng.hpp"
#include "cuda_test_util.hpp"
#include "error_of.hpp"
#include "scale_close.hpp"
#include "tasks/mnist/models.hpp"

using namespace soma;

namespace {

using test::check_close_to_scale;
using test::random_tensor;

using test::cuda_leaf;

struct ConvCase {
  Shape x, w;
  int stride, pad;
  bool bias;
  float grad_tol;  // the weight and bias gradients sum over N oH oW terms
};

void check_conv(const ConvCase& c) {
  Tensor x = random_tensor(c.x, 1).requires_grad_(), w = random_tensor(c.w, 2).requires_grad_();
  Tensor b = c.bias ? random_tensor({c.w[0]}, 3).requires_grad_() : Tensor();
  Tensor dx = cuda_leaf(x), dw = cuda_leaf(w), db = c.bias ? cuda_leaf(b) : Tensor();
  Tensor y = conv2d(x, w, b, {c.stride, c.pad}), dy = conv2d(dx, dw, db, {c.stride, c.pad});
  check_close_to_scale(y, dy);
  Tensor g = random_tensor(y.shape(), 4);
  y.backward(g);
  dy.backward(g.cuda());
  check_close_to_scale(x.grad(), dx.grad());
  check_close_to_scale(w.grad(), dw.grad(), c.grad_tol);
  if (c.bias) check_close_to_scale(b.grad(), db.grad(), c.grad_tol);
}

}  // namespace

TEST_CASE("cuda: conv2d equals the CPU's, values and all gradients") {
  const ConvCase cases[] = {
      {{6, 1, 28, 28}, {32, 1, 5, 5}, 1, 0, true, 1e-5f},    // ConvNet4's conv1
      {{6, 32, 12, 12}, {64, 32, 5, 5}, 1, 0, true, 1e-5f},  // conv2
      {{4, 3, 32, 32}, {16, 3, 3, 3}, 1, 1, true, 1e-5f},    // cifar10's padding
      {{3, 4, 11, 10}, {5, 4, 3, 2}, 2, 2, false, 1e-5f},    // stride 2, wide padding
      {{3, 8, 7, 7}, {6, 8, 1, 1}, 1, 0, true, 1e-5f},       // pointwise
      // 1400 images of conv2: two chunks of 2^26 floats. The weight and bias gradients sum
      // 89,600 products each, in blocks that differ between cuBLAS and the CPU's Eigen.
      {{1400, 32, 12, 12}, {64, 32, 5, 5}, 1, 0, true, 1e-4f},
  };
  for (const ConvCase& c : cases) {
    CAPTURE(to_string(c.x));
    CAPTURE(to_string(c.w));
    check_conv(c);
  }
}

TEST_CASE("cuda: max_pool2d equals the CPU's bit for bit: maxima, ties, overlap, gradients") {
  struct PoolCase {
    int k, stride, pad;
  };
  for (const PoolCase& c : {PoolCase{2, 0, 0}, PoolCase{3, 2, 1}, PoolCase{3, 1, 0}}) {
    CAPTURE(c.k);
    CAPTURE(c.stride);
    CAPTURE(c.pad);
    Tensor x = random_tensor({4, 5, 13, 12}, 5);
    std::vector<float> spikes = random_tensor({4, 5, 13, 12}, 6, 0.0f, 1.0f).to_vector();
    for (float& v : spikes) v = v > 0.8f ? 1.0f : 0.0f;
    for (Tensor input : {x, Tensor::from(x.shape(), spikes)}) {
      input.requires_grad_();
      Tensor d = cuda_leaf(input);
      Tensor y = max_pool2d(input, c.k, c.stride, c.pad), dy = max_pool2d(d, c.k, c.stride, c.pad);
      CHECK(y.to_vector() == dy.to_vector());
      Tensor g = random_tensor(y.shape(), 7);
      y.backward(g);
      dy.backward(g.cuda());
      CHECK(input.grad().to_vector() == d.grad().to_vector());
    }
  }
}

// Each window sums in pool.cpp's order and each pixel gathers in its scatter order, with no FMA
// contraction (--fmad=false): equal in fact, compared at 1e-5 as the other float ops.
TEST_CASE("cuda: avg_pool2d equals the CPU's: padding counted, overlap, gradients") {
  struct PoolCase {
    int k, stride, pad;
  };
  for (const PoolCase& c :
       {PoolCase{2, 0, 0}, PoolCase{3, 2, 1}, PoolCase{3, 1, 0}, PoolCase{2, 1, 1}}) {
    CAPTURE(c.k);
    CAPTURE(c.stride);
    CAPTURE(c.pad);
    for (const Shape& shape : {Shape{4, 5, 13, 12}, Shape{32, 16, 32, 32}}) {
      Tensor x = random_tensor(shape, 14).requires_grad_();
      Tensor d = cuda_leaf(x);
      Tensor y = avg_pool2d(x, c.k, c.stride, c.pad), dy = avg_pool2d(d, c.k, c.stride, c.pad);
      check_close_to_scale(y, dy);
      Tensor g = random_tensor(y.shape(), 15);
      y.backward(g);
      dy.backward(g.cuda());
      check_close_to_scale(x.grad(), d.grad());
    }
  }
}

TEST_CASE("cuda: conv_neuron_sequence equals the CPU's: spikes, state, all gradients") {
  const int64_t T = 12, B = 3;
  const CurrentScanConfig c = lif_scan_config(LIFParameters{}, false, true);
  Tensor x = random_tensor({T, B, 2, 10, 10}, 8, 0.0f, 1.0f).requires_grad_();
  Tensor w = random_tensor({6, 2, 3, 3}, 9, -0.5f, 1.0f).requires_grad_();
  Tensor b = random_tensor({6}, 10, 0.0f, 1.0f).requires_grad_();
  const LIFState s0{Tensor::zeros({B, 6, 8, 8}), Tensor::zeros({B, 6, 8, 8})};
  Tensor dx = cuda_leaf(x), dw = cuda_leaf(w), db = cuda_leaf(b);
  CurrentScanResult r = conv_neuron_sequence(x, w, b, s0, c);
  CurrentScanResult dr = conv_neuron_sequence(dx, dw, db, {s0.v.cuda(), s0.i.cuda()}, c);
  const std::vector<float> spikes = r.z.to_vector();
  CHECK(spikes == dr.z.to_vector());
  CHECK(std::count(spikes.begin(), spikes.end(), 1.0f) > 0);
  check_close_to_scale(r.v, dr.v);
  Tensor g = random_tensor(r.z.shape(), 11);
  r.z.backward(g);
  dr.z.backward(g.cuda());
  // 1e-4: the scan's gradients (SuperSpike at alpha 100; docs/cuda.md).
  check_close_to_scale(x.grad(), dx.grad(), 1e-4f);
  check_close_to_scale(w.grad(), dw.grad(), 1e-4f);
  check_close_to_scale(b.grad(), db.grad(), 1e-4f);
}

TEST_CASE("cuda: the spiking conv layer convolves an encoded constant input once, as the CPU") {
  // constant_current_encode promises its repeating steps (Tensor::repeats); the GPU layer takes
  // the one-convolution path on that promise alone, and forward_pooled the fused pooled scan.
  Rng rng(12), drng(12);
  nn::SpikingConv2d layer(1, 4, 3, lif_scan_config(LIFParameters{}, false, true), rng);
  nn::SpikingConv2d dlayer(1, 4, 3, lif_scan_config(LIFParameters{}, false, true), drng);
  layer.gain = dlayer.gain = 3;
  dlayer.to_device(Device::cuda);
  const Tensor image = random_tensor({2, 1, 8, 8}, 13, 0.0f, 2.0f);
  const Tensor x = constant_current_encode(image, 10),
               dx = constant_current_encode(image.cuda(), 10);
  CHECK(dx.repeats(image.numel()));
  for (bool pooled : {false, true}) {
    CAPTURE(pooled);
    layer.zero_grad();
    dlayer.zero_grad();
    Tensor z = pooled ? layer.forward_pooled(x, 2) : layer(x);
    Tensor dz = pooled ? dlayer.forward_pooled(dx, 2) : dlayer(dx);
    CHECK(z.to_vector() == dz.to_vector());
    if (pooled) CHECK(std::string(dz.grad_fn()->name) == "constant_current_pool_scan");
    Tensor g = random_tensor(z.shape(), 14);
    sum(z * g).backward();
    sum(dz * g.cuda()).backward();
    check_close_to_scale(layer.synapse->weight.grad(), dlayer.synapse->weight.grad(), 1e-4f);
    check_close_to_scale(layer.synapse->bias.grad(), dlayer.synapse->bias.grad(), 1e-4f);
  }
}

TEST_CASE("cuda: constant_current_pool_scan equals the CPU's: pooled and kept spikes, state, dx") {
  LIFParameters lp;
  lp.v_th = 0.7f;
  for (Reset reset : {Reset::subtract, Reset::value})
    for (const Shape& shape : {Shape{2, 3, 6, 8}, Shape{1, 2, 5, 7}, Shape{4, 8, 24, 24}}) {
      CAPTURE(int(reset));
      CAPTURE(to_string(shape));
      lp.reset = reset;
      const CurrentScanConfig c = lif_scan_config(lp, false, true);
      Tensor x = random_tensor(shape, 15, -0.5f, 1.5f).requires_grad_(), dx = cuda_leaf(x);
      const Tensor v0 = random_tensor(shape, 16, -0.2f, 0.5f),
                   i0 = random_tensor(shape, 17, 0, 0.3f);
      PooledScanResult r = constant_current_pool_scan(x, 12, v0, i0, c, true);
      PooledScanResult dr = constant_current_pool_scan(dx, 12, v0.cuda(), i0.cuda(), c, true);
      const std::vector<float> pooled = r.pooled.to_vector();
      CHECK(pooled == dr.pooled.to_vector());
      CHECK(std::count(pooled.begin(), pooled.end(), 1.0f) > 0);
      CHECK(r.z.to_vector() == dr.z.to_vector());
      check_close_to_scale(r.v, dr.v);
      check_close_to_scale(r.i, dr.i);
      Tensor g = random_tensor(r.pooled.shape(), 18);
      r.pooled.backward(g);
      dr.pooled.backward(g.cuda());
      check_close_to_scale(x.grad(), dx.grad(), 1e-4f);
    }
}

TEST_CASE("cuda: conv2d_weight_grad and unfold2d equal the CPU's (stride, padding, channels)") {
  for (Conv2dOptions opt : {Conv2dOptions{1, 0}, Conv2dOptions{2, 1}}) {
    CAPTURE(opt.stride);
    Tensor x = random_tensor({3, 2, 7, 6}, 14);
    const Shape w_shape{4, 2, 3, 3};
    const int64_t oh = (7 + 2 * opt.padding - 3) / opt.stride + 1;
    const int64_t ow = (6 + 2 * opt.padding - 3) / opt.stride + 1;
    Tensor gout = random_tensor({3, 4, oh, ow}, 15);
    Tensor gw = conv2d_weight_grad(x, gout, w_shape, opt);
    Tensor dgw = conv2d_weight_grad(x.cuda(), gout.cuda(), w_shape, opt);
    CHECK(dgw.device() == Device::cuda);
    check_close_to_scale(gw, dgw);
    Tensor cols = unfold2d(x, 3, 3, opt), dcols = unfold2d(x.cuda(), 3, 3, opt);
    CHECK(dcols.shape() == cols.shape());
    CHECK(dcols.to_vector() == cols.to_vector());  // copies: exact
  }
}

// ConvNet4 at T 32 (below ~16 steps no spike reaches the read-out and every gradient is 0)
// has ~6e6 neuron-steps at B 8, and a rounding difference between the CPU's spike sums and cuBLAS's
// GEMMs can move a voltage within 1e-6 of its threshold across it: a rare flipped spike,
// amplified by conv2's gain of 10. So the model is compared loosely (the ops above at 1e-5):
// conv1's pooled spikes equal at 99.99% of the entries, scores and loss to 1e-3, gradients to
// 1e-2 of their scale. After each Adam step (its own test: test_cuda_optim_encode.cpp) the GPU
// model takes the CPU's weights, so that a flip, or the sign Adam gives a gradient near 0, does
// not carry into the next step's comparison.
TEST_CASE("cuda: the MNIST conv model's training steps (encode, forward, loss, backward, Adam)") {
  const int64_t T = 32, B = 8;
  Rng r1(5), r2(5);
  ConvNet4 cpu(Surrogate{}, r1), gpu(Surrogate{}, r2);
  gpu.to_device(Device::cuda);
  optim::Adam opt(cpu.parameters(), {2e-3f}), dopt(gpu.parameters(), {2e-3f});
  Tensor images = random_tensor({B, 1, 28, 28}, 13, 0.0f, 1.0f);
  std::vector<float> t(B);
  for (int64_t k = 0; k < B; ++k) t[size_t(k)] = float(k % 10);
  Tensor targets = Tensor::from({B}, t);
  for (int step = 0; step < 3; ++step) {
    CAPTURE(step);
    Tensor x = constant_current_lif_encode(images * 5.0f, T);
    Tensor dx = constant_current_lif_encode(images.cuda() * 5.0f, T);
    CHECK(x.to_vector() == dx.to_vector());
    Tensor s = max_decode(cpu(x)), ds = max_decode(gpu(dx));
    const std::vector<float> z = cpu.hidden_spikes.to_vector(), dz = gpu.hidden_spikes.to_vector();
    REQUIRE(z.size() == dz.size());
    int64_t differ = 0;
    for (size_t k = 0; k < z.size(); ++k) differ += z[k] != dz[k];
    CHECK(differ <= int64_t(z.size()) / 10000);
    check_close_to_scale(s, ds, 1e-3f);
    Tensor loss = nll_loss(log_softmax(s, 1), targets);
    Tensor dloss = nll_loss(log_softmax(ds, 1), targets.cuda());
    check_close_to_scale(loss, dloss, 1e-3f);
    test::backward_compare_step(loss, dloss, opt, dopt, cpu.parameters(), gpu.parameters(),
                                {1e-2f, true});
    for (const Tensor& p : cpu.parameters()) {
      float largest = 0;  // not 0: the read-out was reached, so this compared something
      for (float v : p.grad().to_vector()) largest = std::max(largest, std::fabs(v));
      CHECK(largest > 0);
    }
  }
}
