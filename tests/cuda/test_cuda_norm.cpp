// batch_norm on cuda tensors against the CPU: values, the running statistics it updates in
// place, and all gradients; training and evaluation, with and without affine, 2-D and 4-D
// inputs, channels summed in one piece and in many. Runs only on a machine with a GPU.
#include <doctest/doctest.h>

#include "bn_cases.hpp"
#include "core/autograd/grad_mode.hpp"
#include "core/nn/batch_norm.hpp"
#include "core/ops/norm.hpp"
#include "cuda_test_util.hpp"
#include "error_of.hpp"
#include "scale_close.hpp"

using namespace soma;
using test::BnCase;

namespace {

using test::check_close_to_scale;
using test::cuda_leaf;
using test::random_tensor;

// Two steps, so the second normalises (in evaluation) or updates from running statistics the
// first already moved: a difference would carry.
void check_bn(const BnCase& k) {
  const int64_t C = k.shape[1];
  Tensor w = k.affine ? random_tensor({C}, 2, 0.5f, 1.5f).requires_grad_() : Tensor();
  Tensor b = k.affine ? random_tensor({C}, 3).requires_grad_() : Tensor();
  Tensor dw = k.affine ? cuda_leaf(w) : Tensor(), db = k.affine ? cuda_leaf(b) : Tensor();
  Tensor rm = k.track ? random_tensor({C}, 4, -0.5f, 0.5f) : Tensor();
  Tensor rv = k.track ? random_tensor({C}, 5, 0.5f, 1.5f) : Tensor();
  Tensor drm = k.track ? rm.cuda() : Tensor(), drv = k.track ? rv.cuda() : Tensor();
  for (int step = 0; step < 2; ++step) {
    CAPTURE(step);
    Tensor x = random_tensor(k.shape, 10 + uint64_t(step), -1.0f, 3.0f).requires_grad_();
    Tensor dx = cuda_leaf(x);
    Tensor y = batch_norm(x, rm, rv, w, b, k.training, 0.3f);
    Tensor dy = batch_norm(dx, drm, drv, dw, db, k.training, 0.3f);
    check_close_to_scale(y, dy);
    if (k.track) {
      check_close_to_scale(rm, drm);
      check_close_to_scale(rv, drv);
    }
    Tensor g = random_tensor(y.shape(), 20 + uint64_t(step));
    y.backward(g);
    dy.backward(g.cuda());
    check_close_to_scale(x.grad(), dx.grad());
    if (!k.affine) continue;
    check_close_to_scale(w.grad(), dw.grad());  // summed over both steps
    check_close_to_scale(b.grad(), db.grad());
  }
}

}  // namespace

TEST_CASE("cuda: batch_norm equals the CPU's: values, running statistics, all gradients") {
  // (32, 16, 16, 16): 8192 values a channel, summed in 128 pieces; (6, 3) in one piece each.
  test::for_each_bn_case({{6, 3}, {256, 40}, {4, 3, 5, 6}, {32, 16, 16, 16}}, check_bn);
}

TEST_CASE("cuda: batch_norm without a backward, and gx alone in evaluation") {
  Tensor x = random_tensor({8, 4, 6, 6}, 30, -1.0f, 3.0f);
  Tensor rm = random_tensor({4}, 31), rv = random_tensor({4}, 32, 0.5f, 1.5f);
  Tensor drm = rm.cuda(), drv = rv.cuda();
  {
    NoGrad no_grad;  // no xhat kept
    check_close_to_scale(batch_norm(x, rm, rv, Tensor(), Tensor(), true),
                         batch_norm(x.cuda(), drm, drv, Tensor(), Tensor(), true));
    check_close_to_scale(rm, drm);
    check_close_to_scale(rv, drv);
  }
  // Evaluation with a weight that needs no gradient: the backward skips the channel sums.
  Tensor w = random_tensor({4}, 33, 0.5f, 1.5f);
  Tensor xg = x.detach().requires_grad_(), dx = cuda_leaf(x);
  Tensor y = batch_norm(xg, rm, rv, w, Tensor(), false);
  Tensor dy = batch_norm(dx, drm, drv, w.cuda(), Tensor(), false);
  check_close_to_scale(y, dy);
  Tensor g = random_tensor(y.shape(), 34);
  y.backward(g);
  dy.backward(g.cuda());
  check_close_to_scale(xg.grad(), dx.grad());
}

TEST_CASE("cuda: batch_norm refuses running statistics on another device than its input") {
  Tensor x = random_tensor({4, 3}, 40).cuda();
  Tensor rm = Tensor::zeros({3}), rv = Tensor::ones({3});
  CHECK(test::error_of([&] {
          batch_norm(x, rm, rv, Tensor(), Tensor(), true);
        }).find("batch_norm") == 0);
}

TEST_CASE("cuda: the BatchNorm2d module trains on the device and counts its batches there") {
  nn::BatchNorm2d cpu(3), gpu(3);
  gpu.to_device(Device::cuda);
  for (int step = 0; step < 2; ++step) {
    Tensor x = random_tensor({4, 3, 5, 5}, 30 + uint64_t(step));
    check_close_to_scale(cpu.forward(x), gpu.forward(x.cuda()));
  }
  CHECK(gpu.num_batches_tracked.device() == Device::cuda);
  CHECK(gpu.num_batches_tracked.item() == 2.0f);
  check_close_to_scale(cpu.running_var, gpu.running_var);
}
