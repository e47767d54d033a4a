// Cascading eligibility traces: kernel values from cet.md section 2, cascade == convolution,
// and the factorised delayed-credit layers against backprop and against a materialised trace.
#include <doctest/doctest.h>

#include <cmath>

#include "core/credit/cascade.hpp"
#include "core/credit/delayed_credit.hpp"
#include "core/credit/kernels.hpp"
#include "core/ops/ops.hpp"
#include "core/random/rng.hpp"
#include "gradcheck.hpp"

using namespace soma;
using namespace soma::credit;

TEST_CASE("credit: gamma_p matches closed forms") {
  CHECK(gamma_p(1, 0.7) == doctest::Approx(1 - std::exp(-0.7)).epsilon(1e-12));
  CHECK(gamma_p(2, 3.0) == doctest::Approx(1 - std::exp(-3.0) * 4).epsilon(1e-12));
  // small x: P(10, x) ~ x^10 / 10!
  CHECK(gamma_p(10, 1e-3) == doctest::Approx(std::pow(1e-3, 10) / 3628800).epsilon(1e-6));
  CHECK(gamma_p(10, 40.0) == doctest::Approx(1.0).epsilon(1e-8));
}

TEST_CASE("credit: kernel peaks and half-max spans (cet.md section 2, L = 128)") {
  const int ms[] = {0, 1, 5, 9};
  const double peak10[] = {0.0350, 0.0387, 0.0921, 0.1243};
  const std::pair<int64_t, int64_t> span10[] = {{0, 6}, {3, 25}, {6, 15}, {7, 14}};
  const double peak50[] = {0.0079, 0.0102, 0.0179, 0.0240};
  const std::pair<int64_t, int64_t> span50[] = {{0, 34}, {12, 127}, {29, 80}, {34, 72}};
  const double at1[] = {0.2325, 0.594, 0.933, 0.985};
  for (int k = 0; k < 4; ++k) {
    CAPTURE(ms[k]);
    auto h10 = trace_kernel(ms[k], 10, 128), h50 = trace_kernel(ms[k], 50, 128);
    auto h1 = trace_kernel(ms[k], 1, 128);
    double sum = 0;
    for (double v : h10) sum += v;
    CHECK(sum == doctest::Approx(1.0).epsilon(1e-12));
    CHECK(h10[10] == doctest::Approx(peak10[k]).epsilon(0.002));
    CHECK(h50[50] == doctest::Approx(peak50[k]).epsilon(0.006));
    CHECK(h1[1] == doctest::Approx(at1[k]).epsilon(0.002));
    CHECK(half_max_span(h10) == span10[k]);
    CHECK(half_max_span(h50) == span50[k]);
    CHECK(peak_lag(h50) == (ms[k] == 0 ? 0 : 50));
    if (ms[k] > 0) CHECK(h10[0] == 0.0);
  }
  CHECK(trace_kernel(0, 1, 128)[0] == doctest::Approx(0.632).epsilon(0.002));
  CHECK_THROWS_AS(trace_kernel(0, 0, 128), std::invalid_argument);  // the reference's NaN
  CHECK_THROWS_AS(trace_kernel(5, 0.5, 128), std::invalid_argument);
}

TEST_CASE("credit: retrograde window 2485 at lag 600 (cet.md section 4)") {
  const int ms[] = {0, 1, 5, 9};
  const std::pair<int64_t, int64_t> spans[] = {{0, 415}, {140, 1606}, {338, 973}, {395, 867}};
  for (int k = 0; k < 4; ++k) CHECK(half_max_span(trace_kernel(ms[k], 600, 2485)) == spans[k]);
}

TEST_CASE("credit: the recurrent cascade equals the causal Toeplitz filter") {
  Rng rng(3);
  const int64_t steps = 128, ch = 3;
  std::vector<double> u(size_t(steps * ch));
  for (double& v : u) v = rng.uniform() - 0.3;
  for (int m : {0, 1, 5, 9}) {
    for (double delay : {3.0, 20.0}) {
      CAPTURE(m);
      CAPTURE(delay);
      auto h = trace_kernel(m, delay, steps);
      auto want = causal_filter(h, u, steps, ch);
      // The Toeplitz matrix gives the same as the direct sum.
      auto M = causal_toeplitz(h);
      CHECK(M[size_t(20 * steps + 5)] == h[15]);
      CHECK(M[size_t(5 * steps + 20)] == 0.0);
      TraceCascade c(m, delay, ch, steps);
      CHECK(c.stages() == m + 1);
      double worst = 0;
      for (int64_t t = 0; t < steps; ++t) {
        std::vector<double> in(u.begin() + t * ch, u.begin() + (t + 1) * ch);
        const auto& y = c.step(in);
        for (int64_t k = 0; k < ch; ++k)
          worst = std::max(worst, std::abs(y[size_t(k)] - want[size_t(t * ch + k)]));
      }
      CHECK(worst < 1e-12);
    }
  }
}

namespace {

// Full backprop gradient of sum(w * mlp(x)) restricted to the first `keep` samples.
struct TinyNet {
  Tensor w1, b1, w2, b2;
  explicit TinyNet(Rng& rng) {
    w1 = Tensor::randn({5, 4}, rng).requires_grad_();
    b1 = Tensor::randn({5}, rng).requires_grad_();
    w2 = Tensor::randn({3, 5}, rng).requires_grad_();
    b2 = Tensor::randn({3}, rng).requires_grad_();
  }
  void zero() {
    for (Tensor* t : {&w1, &b1, &w2, &b2}) t->zero_grad();
  }
};

}  // namespace

TEST_CASE("credit: CET with an impulse trace equals backprop on the first B - D samples") {
  Rng rng(7);
  const int64_t B = 16, D = 5;
  TinyNet net(rng);
  Tensor x = Tensor::randn({B, 4}, rng), wout = Tensor::randn({B, 3}, rng);
  // reference: ordinary backprop on samples 0..B-D-1
  Tensor mask = Tensor::zeros({B, 3});
  for (int64_t t = 0; t < B - D; ++t)
    for (int k = 0; k < 3; ++k) mask.at({t, k}) = 1;
  sum(linear(relu(linear(x, net.w1, net.b1)), net.w2, net.b2) * wout * mask).backward();
  Tensors want{net.w1.grad().clone(), net.b1.grad().clone(), net.w2.grad().clone(),
               net.b2.grad().clone()};
  net.zero();
  auto rule = std::make_shared<CreditRule>(
      behavioural_rule(impulse_kernel(D, B), impulse_kernel(D, B), false));
  rule->probe = true;
  auto rule2 = std::make_shared<CreditRule>(*rule);
  Tensor h = credit_linear(x, net.w1, net.b1, Activation::relu, rule);
  sum(credit_linear(h, net.w2, net.b2, Activation::identity, rule2) * wout).backward();
  Tensors got{net.w1.grad(), net.b1.grad(), net.w2.grad(), net.b2.grad()};
  for (size_t k = 0; k < 4; ++k)
    for (int64_t i = 0; i < want[k].numel(); ++i)
      CHECK(got[k].data()[i] == doctest::Approx(want[k].data()[i]).epsilon(1e-4));
  CHECK(rule->similarity == doctest::Approx(1.0));
  CHECK(rule2->similarity == doctest::Approx(1.0));
}

TEST_CASE("credit: the factorised update equals per-synapse cascades (materialised trace)") {
  Rng rng(11);
  const int64_t B = 24, D = 4, in = 3, out = 2;
  Tensor x = Tensor::randn({B, in}, rng), w = Tensor::randn({out, in}, rng).requires_grad_();
  Tensor b = Tensor::randn({out}, rng).requires_grad_(), gout = Tensor::randn({B, out}, rng);
  for (int m : {0, 5}) {
    CAPTURE(m);
    w.zero_grad();
    b.zero_grad();
    auto rule = std::make_shared<CreditRule>(
        behavioural_rule(trace_kernel(m, D, B), impulse_kernel(D, B), false));
    sum(credit_linear(x, w, b, Activation::relu, rule) * gout).backward();
    // online: one cascade per synapse fed theta_t x_t; dW += delta_(t-D) * E_t
    Tensor z = linear(x, w.detach(), b.detach());
    TraceCascade c(m, D, out * in, B);
    std::vector<double> dw(size_t(out * in), 0.0);
    for (int64_t t = 0; t < B; ++t) {
      std::vector<double> e(size_t(out * in));
      for (int64_t i = 0; i < out; ++i)
        for (int64_t j = 0; j < in; ++j) e[size_t(i * in + j)] = (z.at({t, i}) >= 0) * x.at({t, j});
      const auto& E = c.step(e);
      if (t < D) continue;
      for (int64_t i = 0; i < out; ++i) {
        double delta = gout.at({t - D, i}) * (z.at({t - D, i}) >= 0);
        for (int64_t j = 0; j < in; ++j) dw[size_t(i * in + j)] += delta * E[size_t(i * in + j)];
      }
    }
    for (int64_t k = 0; k < out * in; ++k)
      CHECK(w.grad().data()[k] == doctest::Approx(dw[size_t(k)]).epsilon(1e-4));
  }
}

TEST_CASE("credit: layers pass the undelayed error down (input gradient as backprop)") {
  Rng rng(5);
  const int64_t B = 6;
  auto rule = std::make_shared<CreditRule>(
      behavioural_rule(trace_kernel(1, 2, B), impulse_kernel(2, B), false));
  Tensor w = Tensor::randn({3, 4}, rng), b = Tensor::randn({3}, rng);
  Tensor x = Tensor::randn({B, 4}, rng).requires_grad_();
  CHECK(test::gradcheck(
      [&](const Tensors& in) { return credit_linear(in[0], w, b, Activation::relu, rule); }, {x}));
  auto crule = std::make_shared<CreditRule>(
      behavioural_rule(trace_kernel(1, 2, 2), impulse_kernel(1, 2), true));
  Tensor cw = Tensor::randn({2, 2, 3, 3}, rng), cb = Tensor::randn({2}, rng);
  Tensor cx = Tensor::randn({2, 2, 5, 5}, rng).requires_grad_();
  Tensor gg = Tensor::randn({2, 2, 5, 5}, rng);
  sum(relu(conv2d(cx, cw, cb, {1, 1})) * gg).backward();
  Tensor want = cx.grad().clone();
  cx.zero_grad();
  sum(credit_conv2d(cx, cw, cb, {1, 1}, Activation::relu, crule) * gg).backward();
  for (int64_t i = 0; i < want.numel(); ++i)
    CHECK(cx.grad().data()[i] == doctest::Approx(want.data()[i]).epsilon(1e-4));
}

TEST_CASE("credit: conv with an impulse trace gives the delayed conv weight gradient") {
  Rng rng(9);
  const int64_t B = 6, D = 2;
  Tensor x = Tensor::randn({B, 2, 5, 5}, rng),
         w = Tensor::randn({3, 2, 3, 3}, rng).requires_grad_();
  Tensor b = Tensor::randn({3}, rng).requires_grad_(), gout = Tensor::randn({B, 3, 5, 5}, rng);
  Tensor mask = Tensor::zeros({B, 3, 5, 5});
  for (int64_t i = 0; i < (B - D) * 75; ++i) mask.data()[i] = 1;
  sum(relu(conv2d(x, w, b, {1, 1})) * gout * mask).backward();
  Tensor want = w.grad().clone();
  w.zero_grad();
  b.zero_grad();
  auto rule = std::make_shared<CreditRule>(
      behavioural_rule(impulse_kernel(D, B), impulse_kernel(D, B), true));
  sum(credit_conv2d(x, w, b, {1, 1}, Activation::relu, rule) * gout).backward();
  for (int64_t i = 0; i < want.numel(); ++i)
    CHECK(w.grad().data()[i] == doctest::Approx(want.data()[i]).epsilon(1e-4));
  // the reference's bias quirk: raw delayed g, no theta
  double gb0 = 0;
  for (int64_t t = 0; t < B - D; ++t)
    for (int64_t p = 0; p < 25; ++p) gb0 += gout.data()[t * 75 + p];
  CHECK(b.grad().data()[0] == doctest::Approx(gb0).epsilon(1e-4));
}
