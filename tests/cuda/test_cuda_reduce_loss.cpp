// Reductions, log_softmax and nll_loss on cuda tensors against the CPU ops: values and gradients.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/ops/loss.hpp"
#include "core/ops/reduce.hpp"
#include "core/random/rng.hpp"
#include "scale_close.hpp"

using namespace soma;

namespace {

using test::check_close_to_scale;
using test::random_tensor;

}  // namespace

TEST_CASE("cuda: sum, mean and max along each dimension and over all, with gradients") {
  Tensor x = random_tensor({5, 7, 3}, 1).requires_grad_();
  Tensor dx = x.detach().cuda().requires_grad_();
  for (int dim = 0; dim < 3; ++dim)
    for (bool keep : {false, true}) {
      CAPTURE(dim);
      CAPTURE(keep);
      auto run = [&](auto f) {
        Tensor y = f(x), dy = f(dx);
        check_close_to_scale(y, dy);
        Tensor g = random_tensor(y.shape(), 2);
        y.backward(g);
        dy.backward(g.cuda());
        check_close_to_scale(x.grad(), dx.grad());
        x.zero_grad();
        dx.zero_grad();
      };
      run([&](const Tensor& t) { return sum(t, dim, keep); });
      run([&](const Tensor& t) { return mean(t, dim, keep); });
      run([&](const Tensor& t) { return max(t, dim, keep); });
    }
  Tensor s = sum(x), ds = sum(dx);
  check_close_to_scale(s, ds);
  s.backward(Tensor::scalar(1.5f));
  ds.backward(Tensor::scalar(1.5f).cuda());
  check_close_to_scale(x.grad(), dx.grad());
  check_close_to_scale(mean(x), mean(dx));
}

TEST_CASE("cuda: log_softmax + nll_loss (the MNIST loss), every reduction, with gradients") {
  Tensor x = random_tensor({256, 10}, 3, -4.0f, 4.0f).requires_grad_();
  Tensor dx = x.detach().cuda().requires_grad_();
  std::vector<float> t(256);
  for (size_t i = 0; i < t.size(); ++i) t[i] = float((i * 7) % 10);
  Tensor target = Tensor::from({256}, t);
  for (Reduction r : {Reduction::mean, Reduction::sum, Reduction::none}) {
    CAPTURE(int(r));
    Tensor loss = nll_loss(log_softmax(x, 1), target, r);
    Tensor dloss = nll_loss(log_softmax(dx, 1), target.cuda(), r);
    check_close_to_scale(loss, dloss);
    Tensor g = r == Reduction::none ? random_tensor({256}, 4) : Tensor::scalar(1.0f);
    loss.backward(g);
    dloss.backward(g.cuda());
    check_close_to_scale(x.grad(), dx.grad());
    x.zero_grad();
    dx.zero_grad();
  }
  // A bad class index cannot be checked without a sync: it makes the loss NaN instead.
  Tensor bad = Tensor::from({2}, {0, 12}).cuda();
  CHECK(std::isnan(nll_loss(log_softmax(random_tensor({2, 10}, 5).cuda(), 1), bad).item()));
}

// Few long lanes take reduce.cu's split sum (partials in a scratch block, summed in passes) and
// the element-wise expand backward: a sum over all of 2^20 elements, and along dim 0 of
// (20000, 3). The CPU sums along a dim in float, one after another: 1e-4 of the scale.
TEST_CASE("cuda: sums over few long lanes (split over many threads), with gradients") {
  Tensor x = random_tensor({int64_t(1) << 20}, 6).requires_grad_();
  Tensor dx = x.detach().cuda().requires_grad_();
  Tensor s = sum(x), ds = sum(dx);
  check_close_to_scale(s, ds);
  ds.backward(Tensor::scalar(1.5f).cuda());
  CHECK(dx.grad().to_vector() == std::vector<float>(size_t(1) << 20, 1.5f));
  check_close_to_scale(mean(x), mean(dx));

  Tensor y = random_tensor({20000, 3}, 7, 0.0f, 1.0f).requires_grad_();
  Tensor dy = y.detach().cuda().requires_grad_();
  Tensor c = sum(y, 0), dc = sum(dy, 0);
  check_close_to_scale(c, dc, 1e-4f);
  Tensor g = random_tensor({3}, 8);
  c.backward(g);
  dc.backward(g.cuda());
  CHECK(y.grad().to_vector() == dy.grad().to_vector());
}

TEST_CASE("cuda: mse_loss (every reduction, both gradients) and argmax equal the CPU's") {
  Tensor x = random_tensor({6, 5}, 11).requires_grad_(), t = random_tensor({6, 5}, 12);
  t.requires_grad_();
  Tensor dx = x.detach().cuda().requires_grad_(), dt = t.detach().cuda().requires_grad_();
  for (Reduction r : {Reduction::mean, Reduction::sum, Reduction::none}) {
    CAPTURE(int(r));
    Tensor loss = mse_loss(x, t, r), dloss = mse_loss(dx, dt, r);
    check_close_to_scale(loss, dloss);
    Tensor g = r == Reduction::none ? random_tensor({6, 5}, 13) : Tensor::scalar(1.0f);
    loss.backward(g);
    dloss.backward(g.cuda());
    check_close_to_scale(x.grad(), dx.grad());
    check_close_to_scale(t.grad(), dt.grad());
    for (Tensor* p : {&x, &t, &dx, &dt}) p->zero_grad();
  }
  // Ties take the first maximum, as the CPU (and torch on the CPU).
  Tensor a = Tensor::from({2, 3}, {1, 5, 5, 7, 2, 7});
  for (int dim = 0; dim < 2; ++dim)
    for (bool keep : {false, true}) {
      CAPTURE(dim);
      Tensor want = argmax(a, dim, keep), got = argmax(a.cuda(), dim, keep);
      CHECK(got.device() == Device::cuda);
      CHECK(got.shape() == want.shape());
      CHECK(got.to_vector() == want.to_vector());
    }
}
