// The read-outs and regularisers of core/nn/exp_filter.hpp and core/nn/regularization.hpp on cuda
// tensors against the CPU: values and input gradients. exp_filter takes its loop of device ops
// there (the CPU's is one fused node), so this checks that the two agree.
#include <doctest/doctest.h>

#include "core/nn/exp_filter.hpp"
#include "core/nn/regularization.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/reduce.hpp"
#include "core/random/rng.hpp"
#include "cuda_test_util.hpp"
#include "scale_close.hpp"

using namespace soma;

TEST_CASE("cuda: exp_filter and rate_penalty equal the CPU's, gradients too") {
  Rng rng(71);
  Tensor x = Tensor::rand({9, 3, 4}, rng, -1, 1).requires_grad_();
  Tensor dx = test::cuda_leaf(x);
  Tensor w = Tensor::rand({9, 3, 4}, rng);
  Tensor y = exp_filter(x, 0.6f), dy = exp_filter(dx, 0.6f);
  CHECK(dy.device() == Device::cuda);
  test::check_close_to_scale(y, dy, 1e-5f);
  Tensor loss = sum(y * w) + rate_penalty(x, 300, 1e-3f);
  Tensor dloss = sum(dy * w.cuda()) + rate_penalty(dx, 300, 1e-3f);
  test::check_close_to_scale(loss, dloss, 1e-5f);
  loss.backward();
  dloss.backward();
  test::check_close_to_scale(x.grad(), dx.grad(), 1e-5f);
}
