#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <memory>

#include "core/nn/nn.hpp"
#include "core/optim/optim.hpp"
#include "gradcheck.hpp"

using namespace soma;
using optim::Adam;
using optim::AdamW;
using optim::SGD;

namespace {

// The 2-element parameter every optimizer test starts from: p = [1, -2], with the fixed
// gradient g = [0.5, 1] that step() leaves in place between steps.
Tensor fixed_param() {
  Tensor p = Tensor::from({2}, {1, -2});
  p.requires_grad_();
  p.set_grad(Tensor::from({2}, {0.5f, 1}));
  return p;
}

template <class Opt, class Options>
Tensor run_steps(Options opt, int steps) {
  Tensor p = fixed_param();
  Opt o({p}, opt);
  for (int i = 0; i < steps; ++i) o.step();
  return p;
}

void check_rel(const Tensor& got, const std::vector<double>& want, double rtol = 1e-6) {
  REQUIRE(got.numel() == int64_t(want.size()));
  for (size_t i = 0; i < want.size(); ++i)
    CHECK_MESSAGE(std::abs(got.data()[i] - want[i]) <= rtol * std::abs(want[i]),
                  "element " << i << ": got " << got.data()[i] << " want " << want[i]);
}

}  // namespace

TEST_CASE("sgd: plain steps") {
  // p <- p - 0.1 g, three times: [1 - 3 * 0.05, -2 - 3 * 0.1]
  check_rel(run_steps<SGD>(optim::SGDOptions{.lr = 0.1f}, 3), {0.85, -2.3});
}

TEST_CASE("sgd: momentum, dampening and nesterov") {
  // b1 = g, b2 = 0.9 g + g = 1.9 g, b3 = 0.9 * 1.9 g + g = 2.71 g; sum = 5.61 g
  // p = p0 - 0.1 * 5.61 g = [1 - 0.2805, -2 - 0.561]
  check_rel(run_steps<SGD>(optim::SGDOptions{.lr = 0.1f, .momentum = 0.9f}, 3), {0.7195, -2.561});
  // Dampening skips the first step: b1 = g, b2 = 0.9 g + 0.5 g = 1.4 g; sum = 2.4 g
  // p = [1 - 0.1 * 2.4 * 0.5, -2 - 0.1 * 2.4] = [0.88, -2.24]
  check_rel(run_steps<SGD>(optim::SGDOptions{.lr = 0.1f, .momentum = 0.9f, .dampening = 0.5f}, 2),
            {0.88, -2.24});
  // Nesterov steps along g + 0.9 b_t: 1.9 g, g + 0.9 * 1.9 g = 2.71 g, g + 0.9 * 2.71 g = 3.439 g
  // sum = 8.049 g: p = [1 - 0.1 * 8.049 * 0.5, -2 - 0.1 * 8.049] = [0.59755, -2.8049]
  check_rel(run_steps<SGD>(optim::SGDOptions{.lr = 0.1f, .momentum = 0.9f, .nesterov = true}, 3),
            {0.59755, -2.8049});
  CHECK_THROWS_AS(SGD({fixed_param()}, optim::SGDOptions{.lr = 0.1f, .nesterov = true}),
                  std::invalid_argument);
}

TEST_CASE("sgd: weight decay") {
  // p <- p - 0.1 (g + 0.1 p) = 0.99 p - 0.1 g
  // element 0: 1 -> 0.99 - 0.05 = 0.94 -> 0.9306 - 0.05 = 0.8806 -> 0.871794 - 0.05 = 0.821794
  // element 1: -2 -> -1.98 - 0.1 = -2.08 -> -2.0592 - 0.1 = -2.1592 -> -2.137608 - 0.1
  check_rel(run_steps<SGD>(optim::SGDOptions{.lr = 0.1f, .weight_decay = 0.1f}, 3),
            {0.821794, -2.237608});
}

TEST_CASE("adam: bias-corrected steps with a fixed gradient") {
  // With a constant g, m_t = (1 - 0.9^t) g and v_t = (1 - 0.999^t) g^2, so the corrected
  // moments are g and g^2 and every step is lr * g / (|g| + eps) = 0.1 * (1 - 2e-8) for
  // element 0, 0.1 * (1 - 1e-8) for element 1. Three steps: [1 - 0.3, -2 - 0.3].
  check_rel(run_steps<Adam>(optim::AdamOptions{.lr = 0.1f}, 3), {0.7, -2.3});
}

TEST_CASE("adam: L2 weight decay goes through the moments") {
  // lr 0.1, wd 0.1, betas 0.9 / 0.999.
  // Step 1: d = g + 0.1 p = [0.6, 0.8]; corrected m = d, sqrt(corrected v) = |d|
  //         p = p - 0.1 d / |d| = [0.9, -2.1]
  // Step 2: d = g + 0.1 p = [0.59, 0.79]
  //         m = 0.9 [0.06, 0.08] + 0.1 d = [0.113, 0.151]
  //         v = 0.999 [0.00036, 0.00064] + 0.001 d^2 = [0.00070774, 0.00126346]
  //         m / (1 - 0.81) = [0.594736842, 0.794736842]
  //         sqrt(v / (1 - 0.998001)) = [0.595018507, 0.795013222]
  //         p = [0.9 - 0.1 * 0.594736842 / 0.595018507, -2.1 - 0.1 * 0.794736842 / 0.795013222]
  //           = [0.9 - 0.0999526612, -2.1 - 0.0999652346]
  check_rel(run_steps<Adam>(optim::AdamOptions{.lr = 0.1f, .weight_decay = 0.1f}, 2),
            {0.8000473388, -2.1999652346});
}

TEST_CASE("adam: AdamW decays the weights outside the moments") {
  // p <- p (1 - 0.1 * 0.1) - 0.1 g / |g|  (the moment part is as in the fixed-gradient test)
  // element 0: 1 -> 0.99 - 0.1 = 0.89 -> 0.8811 - 0.1 = 0.7811 -> 0.773289 - 0.1 = 0.673289
  // element 1: -2 -> -1.98 - 0.1 = -2.08 -> -2.0592 - 0.1 = -2.1592 -> -2.137608 - 0.1
  check_rel(run_steps<AdamW>(optim::AdamWOptions{.lr = 0.1f, .weight_decay = 0.1f}, 3),
            {0.673289, -2.237608});
  Tensor p = fixed_param();
  AdamW defaults({p});
  CHECK(defaults.options().weight_decay == doctest::Approx(0.01f));
  CHECK(defaults.decoupled_weight_decay());
  CHECK_FALSE(Adam({p}).decoupled_weight_decay());
}

TEST_CASE("optim: a parameter without a gradient is untouched") {
  Tensor with = fixed_param();
  Tensor without = Tensor::from({2}, {3, 4});
  without.requires_grad_();
  SGD sgd({with, without}, optim::SGDOptions{.lr = 0.1f, .momentum = 0.9f, .weight_decay = 0.1f});
  AdamW adamw({with, without}, optim::AdamWOptions{.lr = 0.1f});
  for (int i = 0; i < 3; ++i) {
    sgd.step();
    adamw.step();
  }
  CHECK(without.to_vector() == std::vector<float>{3, 4});
  CHECK(with.to_vector() != std::vector<float>{1, -2});
  CHECK(adamw.state_dict().count("state.1.exp_avg") == 0);
  CHECK(adamw.state_dict().at("state.0.step").item() == 3);
  sgd.zero_grad();
  CHECK_FALSE(with.grad().defined());
}

TEST_CASE("optim: state_dict round trip resumes Adam exactly") {
  Tensor a = fixed_param(), b = fixed_param();
  Adam first({a}, optim::AdamOptions{.lr = 0.1f, .weight_decay = 0.1f});
  for (int i = 0; i < 2; ++i) first.step();
  b.copy_(a);
  Adam resumed({b}, optim::AdamOptions{.lr = 0.5f, .weight_decay = 0.1f});
  resumed.load_state_dict(first.state_dict());
  CHECK(resumed.lr() == doctest::Approx(0.1f));
  first.step();
  resumed.step();
  CHECK(a.to_vector() == b.to_vector());

  auto bad = first.state_dict();
  bad["state.0.momentum_buffer"] = Tensor::zeros({2});
  CHECK_THROWS_WITH_AS(resumed.load_state_dict(bad), doctest::Contains("state.0.momentum_buffer"),
                       std::invalid_argument);
  auto wrong_shape = first.state_dict();
  wrong_shape["state.0.exp_avg"] = Tensor::zeros({3});
  CHECK_THROWS_AS(resumed.load_state_dict(wrong_shape), std::invalid_argument);
  auto out_of_range = first.state_dict();
  out_of_range["state.7.exp_avg"] = Tensor::zeros({2});
  CHECK_THROWS_AS(resumed.load_state_dict(out_of_range), std::invalid_argument);
}

TEST_CASE("schedule: StepLR at its edges") {
  optim::StepLR s(0.1f, 10, 0.5f);
  CHECK(s.lr_at(0) == doctest::Approx(0.1f));
  CHECK(s.lr_at(9) == doctest::Approx(0.1f));
  CHECK(s.lr_at(10) == doctest::Approx(0.05f));
  CHECK(s.lr_at(25) == doctest::Approx(0.025f));
  CHECK_THROWS_AS(optim::StepLR(0.1f, 0), std::invalid_argument);
}

TEST_CASE("schedule: warm-up then cosine to the floor") {
  // base 1, warm-up 10, total 110, floor 0.1
  optim::WarmupCosineLR s(1.0f, 10, 110, 0.1f);
  CHECK(s.lr_at(0) == doctest::Approx(0.0f));
  CHECK(s.lr_at(5) == doctest::Approx(0.5f));
  CHECK(s.lr_at(10) == doctest::Approx(1.0f));
  CHECK(s.lr_at(60) == doctest::Approx(0.55f));  // cosine midpoint: (1 + 0.1) / 2
  CHECK(s.lr_at(109) > 0.1f);
  CHECK(s.lr_at(110) == 0.1f);
  CHECK(s.lr_at(1000) == 0.1f);
  // A start factor of 0.1: 0.1 at step 0, 0.1 + 0.9 / 2 = 0.55 halfway.
  optim::WarmupCosineLR started(1.0f, 10, 110, 0.1f, 0.1f);
  CHECK(started.lr_at(0) == doctest::Approx(0.1f));
  CHECK(started.lr_at(5) == doctest::Approx(0.55f));
  CHECK(optim::WarmupCosineLR(2.0f, 0, 10).lr_at(0) == doctest::Approx(2.0f));
  CHECK_THROWS_AS(optim::WarmupCosineLR(1.0f, 20, 10), std::invalid_argument);

  Tensor p = fixed_param();
  SGD sgd({p}, optim::SGDOptions{.lr = 1.0f});
  s.apply(sgd, 5);
  CHECK(sgd.lr() == doctest::Approx(0.5f));
}

TEST_CASE("clip: gradient norm") {
  Tensor a = Tensor::zeros({1}), b = Tensor::zeros({1}), none = Tensor::zeros({1});
  for (Tensor* t : {&a, &b, &none}) t->requires_grad_();
  auto set = [&] {
    a.set_grad(Tensor::from({1}, {3}));
    b.set_grad(Tensor::from({1}, {4}));
  };
  set();
  CHECK(optim::clip_grad_norm_({a, b, none}, 10) == doctest::Approx(5));  // below: no-op
  CHECK(a.grad().item() == 3);
  CHECK(b.grad().item() == 4);
  CHECK(optim::clip_grad_norm_({a, b, none}, 1) == doctest::Approx(5));
  CHECK(a.grad().item() == doctest::Approx(3 / (5 + 1e-6)).epsilon(1e-6));
  CHECK(b.grad().item() == doctest::Approx(4 / (5 + 1e-6)).epsilon(1e-6));
  CHECK_FALSE(none.grad().defined());

  set();
  a.grad().data()[0] = std::numeric_limits<float>::quiet_NaN();
  CHECK(std::isnan(optim::clip_grad_norm_({a, b}, 1)));
  CHECK(b.grad().item() == 4);  // left alone for the caller to report
  a.grad().data()[0] = std::numeric_limits<float>::infinity();
  CHECK(std::isinf(optim::clip_grad_norm_({a, b}, 1)));
  CHECK(b.grad().item() == 4);
}

TEST_CASE("clip: gradient values") {
  Tensor p = Tensor::zeros({4});
  p.requires_grad_();
  p.set_grad(Tensor::from({4}, {-3, 0.5f, 2, -1}));
  optim::clip_grad_value_({p}, 1);
  test::check_close(p.grad(), {-1, 0.5f, 1, -1});
}

TEST_CASE("xor: a 2-16-1 tanh MLP learns XOR with Adam") {
  auto start = std::chrono::steady_clock::now();
  Rng rng(0);
  nn::Sequential net(std::make_shared<nn::Linear>(2, 16, rng), std::make_shared<nn::Tanh>(),
                     std::make_shared<nn::Linear>(16, 1, rng));
  Tensor x = Tensor::from({4, 2}, {0, 0, 0, 1, 1, 0, 1, 1});
  Tensor y = Tensor::from({4, 1}, {0, 1, 1, 0});
  Adam adam(net.parameters(), optim::AdamOptions{.lr = 0.01f});
  float loss = 1;
  int steps = 0;
  for (; steps < 2000 && loss >= 0.01f; ++steps) {
    adam.zero_grad();
    Tensor l = mean(square(net(x) - y));
    l.backward();
    adam.step();
    loss = l.item();
  }
  MESSAGE("XOR reached MSE " << loss << " after " << steps << " steps");
  CHECK(loss < 0.01f);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(seconds < 0.5);
}
