#include <doctest/doctest.h>

#include "core/autograd/grad_mode.hpp"
#include "core/autograd/node.hpp"
#include "core/ops/ops.hpp"
#include "core/tensor/memory_stats.hpp"
#include "gradcheck.hpp"
#include "scale_close.hpp"

using namespace soma;

TEST_CASE("gradients accumulate over shared subexpressions and repeated backward") {
  Tensor x = Tensor::from({2}, {1, 2}).requires_grad_();
  Tensor y = x * x + x;  // dy/dx = 2x + 1
  sum(y).backward();
  test::check_close(x.grad(), {3, 5});
  sum(x * 3.0f).backward();  // accumulates into .grad
  test::check_close(x.grad(), {6, 8});
  x.zero_grad();
  CHECK_FALSE(x.grad().defined());
}

TEST_CASE("no_grad records nothing and detach cuts history") {
  Tensor x = Tensor::ones({3}).requires_grad_();
  {
    NoGrad ng;
    Tensor y = x * 2.0f;
    CHECK_FALSE(y.requires_grad());
  }
  Tensor d = (x * 2.0f).detach();
  CHECK_FALSE(d.requires_grad());
  CHECK(GradMode::enabled());
}

TEST_CASE("a deep chain backpropagates without recursion") {
  Tensor x = Tensor::scalar(1.0f).requires_grad_();
  Tensor y = x;
  for (int i = 0; i < 100000; ++i) y = y + 0.0f;
  y.backward();
  CHECK(x.grad().item() == doctest::Approx(1.0f));
}

TEST_CASE("multi-output nodes receive zeros for unused outputs") {
  Tensor x = Tensor::from({2}, {1, 2}).requires_grad_();
  Tensors outs = record_multi("pair", {x.detach().clone(), x.detach().clone()}, {x},
                              [](const Tensors& g) { return Tensors{g[0] * 2.0f + g[1] * 3.0f}; });
  sum(outs[1]).backward();
  test::check_close(x.grad(), {3, 3});
}

TEST_CASE("backward rejects non-scalars and tensors without history") {
  Tensor x = Tensor::ones({2}).requires_grad_();
  CHECK_THROWS_AS((x * 2.0f).backward(), std::invalid_argument);
  CHECK_THROWS_AS(Tensor::ones({1}).backward(), std::logic_error);
}

TEST_CASE("a graph is freed by its backward pass and long chains are destroyed iteratively") {
  Tensor x = Tensor::scalar(2.0f).requires_grad_();
  Tensor y = x * x;
  y.backward();
  CHECK_THROWS_AS(y.backward(), std::logic_error);
  {
    Tensor z = x;
    for (int i = 0; i < 300000; ++i) z = z * 1.0f;
  }  // destroying 300k nodes must not overflow the stack
  CHECK(x.grad().item() == doctest::Approx(4.0f));
}

TEST_CASE("a leaf's first gradient is the backward's own buffer, not a copy") {
  // linear's weight gradient is a fresh 256 KiB buffer: kept as .grad, the backward's peak is
  // x, W, the output's gradient and one W-sized buffer, not two.
  const int64_t n = 256, rows = 8;
  Tensor w = Tensor::full({n, n}, 0.01f).requires_grad_();
  Tensor x = Tensor::full({rows, n}, 1.0f);
  Tensor y = linear(x, w);
  reset_peak_memory();
  const int64_t before = memory_stats().current_bytes;
  sum(y).backward();
  const int64_t w_bytes = n * n * 4;
  CHECK(memory_stats().peak_bytes - before < 2 * w_bytes);
  test::check_close(w.grad(), std::vector<float>(size_t(n * n), float(rows)));
}

TEST_CASE("a gradient that aliases another tensor is copied into .grad") {
  // add's backward returns its output's gradient for both inputs; each .grad owns its storage.
  Tensor a = Tensor::from({2}, {1, 2}).requires_grad_();
  Tensor b = Tensor::from({2}, {3, 4}).requires_grad_();
  sum(a + b).backward();
  a.grad().data()[0] = 7.0f;
  test::check_close(b.grad(), {1, 1});
  Tensor root = Tensor::from({2}, {5, 6}).requires_grad_();
  Tensor g = Tensor::from({2}, {1, 1});
  root.backward(g);  // a leaf root: the caller's gradient is copied, never adopted
  g.data()[0] = 9.0f;
  test::check_close(root.grad(), {1, 1});
}

TEST_CASE("a slice's gradient is added into its input's as a block, exact in every case") {
  // Node::block_offset: a step loop's selects add their gradients into x's in place (one zero
  // tensor of x's size per backward, not one per step). Leaf and non-leaf inputs, a step read
  // twice, a step not read, and an input whose pending gradient is shared (add's backward hands
  // one tensor to both inputs) or the caller's.
  const int64_t T = 6, W = 5;
  Tensor x = test::random_tensor({T, W}, 3).requires_grad_();
  Tensor s = select(x, 3);
  REQUIRE(s.grad_fn());
  const Node* block = s.grad_fn()->inputs.at(0).fn.get();  // select = reshape(slice)
  REQUIRE(block);
  CHECK(block->block_offset == 3 * W);
  CHECK(slice(x, 1, 2, 4).grad_fn()->block_offset == -1);  // not a block: the full backward

  Tensor w = test::random_tensor({T, W}, 4);
  auto loop = [&](const Tensor& in) {  // sum_t w_t . in_t over every step but 2, step 4 twice
    Tensor loss = sum(select(in, 4) * select(w, 4));
    for (int64_t t = 0; t < T; ++t)
      if (t != 2) loss = loss + sum(select(in, t) * select(w, t));
    return loss;
  };
  std::vector<float> want = w.to_vector();
  for (int64_t k = 0; k < W; ++k) want[size_t(2 * W + k)] = 0, want[size_t(4 * W + k)] *= 2;

  loop(x).backward();  // a leaf
  test::check_close(x.grad(), want);
  x.zero_grad();
  // Non-leaves. sum(x2) is explored first, so x2's node runs last; add(y, x2)'s backward, which
  // runs before the selects, hands one tensor to y's and x2's pending slots: the selects must
  // add into a copy of it, or x2's gradient changes too.
  Tensor y = x * 2.0f, x2 = x * 3.0f;
  (sum(x2) + loop(y) + sum(y + x2)).backward();
  std::vector<float> want2 = want;
  for (float& v : want2) v = 2 * (v + 1) + 6;
  test::check_close(x.grad(), want2);
  x.zero_grad();
  Tensor g = Tensor::full({W}, 1.0f), keep = g.clone();
  select(x * 1.0f, 1).backward(g);  // the caller's gradient is read, never written
  CHECK(g.to_vector() == keep.to_vector());
  std::vector<float> want3(size_t(T * W), 0.0f);
  for (int64_t k = 0; k < W; ++k) want3[size_t(W + k)] = 1;
  test::check_close(x.grad(), want3);
}
