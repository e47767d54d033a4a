// The cifar10 task's pieces on the GPU against the CPU: cross_entropy with label smoothing (its
// CUDA path composes log_softmax, nll_loss and means), and training steps of the 4-conv network
// with the task's constant-current input, read-out noise and loss.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/encode/encoders.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/loss.hpp"
#include "core/ops/reduce.hpp"
#include "core/optim/optim.hpp"
#include "core/random/rng.hpp"
#include "cuda_test_util.hpp"
#include "scale_close.hpp"
#include "tasks/cifar10/model.hpp"

using namespace soma;

namespace {

using test::check_close_to_scale;
using test::random_tensor;

}  // namespace

TEST_CASE("cuda: cross_entropy with label smoothing equals the CPU's, values and gradients") {
  Tensor t = Tensor::from({7}, {3, 0, 9, 3, 2, 4, 1});
  for (float s : {0.0f, 0.2f, 1.0f})
    for (Reduction r : {Reduction::mean, Reduction::sum, Reduction::none}) {
      CAPTURE(s);
      Tensor x = random_tensor({7, 10}, 31, -3.0f, 3.0f).requires_grad_();
      Tensor dx = x.detach().cuda().requires_grad_();
      Tensor a = cross_entropy(x, t, s, r), b = cross_entropy(dx, t.cuda(), s, r);
      check_close_to_scale(a, b);
      Tensor g = r == Reduction::none ? random_tensor({7}, 32) : Tensor::scalar(1.5f);
      a.backward(g);
      b.backward(g.cuda());
      check_close_to_scale(x.grad(), dx.grad());
    }
}

// As the MNIST conv model's test (test_cuda_conv_pool.cpp): a rounding difference between the
// CPU's and cuBLAS's sums can flip a spike at threshold, so the network is compared loosely and
// the GPU model takes the CPU's weights after each Adam step. Channels 8 and T 24 keep it small;
// the read-out noise is drawn once on the host and added on each device, as the task does.
TEST_CASE("cuda: the cifar10 network's training steps (input, noise, smoothed loss, Adam)") {
  const int64_t T = 24, B = 4;
  Rng r1(6), r2(6), noise(7);
  Cifar10Net cpu(8, 0.4f, Surrogate{}, r1), gpu(8, 0.4f, Surrogate{}, r2);
  gpu.to_device(Device::cuda);
  optim::Adam opt(cpu.parameters(), {2e-3f}), dopt(gpu.parameters(), {2e-3f});
  Tensor images = random_tensor({B, 3, 32, 32}, 14, 0.0f, 1.0f);
  Tensor targets = Tensor::from({B}, {1, 7, 3, 0});
  for (int step = 0; step < 3; ++step) {
    CAPTURE(step);
    Tensor v = cpu(constant_current_encode(images, T));
    Tensor dv = gpu(constant_current_encode(images.cuda(), T));
    Tensor n = Tensor::randn(v.shape(), noise) * 0.001f;
    Tensor s = max_decode(v + n), ds = max_decode(dv + n.cuda());
    check_close_to_scale(s, ds, 1e-3f);
    Tensor loss = cross_entropy(s, targets, 0.2f), dloss = cross_entropy(ds, targets.cuda(), 0.2f);
    check_close_to_scale(loss, dloss, 1e-3f);
    test::backward_compare_step(loss, dloss, opt, dopt, cpu.parameters(), gpu.parameters(),
                                {1e-2f, true});
  }
}
