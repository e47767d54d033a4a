#include <doctest/doctest.h>

#include "core/nn/nn.hpp"
#include "core/ops/ops.hpp"
#include "core/random/rng.hpp"
#include "gradcheck.hpp"

using namespace soma;

TEST_CASE("Lift: folding the steps into the batch equals Norse's per-step loop, gradients too") {
  Rng rng(101);
  auto conv = std::make_shared<nn::Conv2d>(2, 3, 3, 1, 1, true, rng);
  nn::Lift folded(conv), looped(conv, false);
  Tensor x = Tensor::rand({4, 2, 2, 5, 5}, rng).requires_grad_();
  Tensor w = Tensor::rand({4, 2, 3, 5, 5}, rng);
  Tensor a = folded(x);
  CHECK(a.shape() == Shape{4, 2, 3, 5, 5});
  sum(a * w).backward();
  Tensor ga = x.grad().clone(), gw = conv->weight.grad().clone();
  x.zero_grad(), conv->zero_grad();
  Tensor b = looped(x);
  sum(b * w).backward();
  test::check_close(a, b.to_vector(), 1e-6f);
  test::check_close(ga, x.grad().to_vector(), 1e-6f);
  test::check_close(gw, conv->weight.grad().to_vector(), 1e-5f);
  for (int64_t t = 0; t < 4; ++t)
    test::check_close(select(a, t), (*conv)(select(x, t)).to_vector(), 1e-6f);
}

TEST_CASE("Lift: batch norm per step keeps Norse's per-step statistics; folded pools them") {
  Rng rng(102);
  auto bn = std::make_shared<nn::BatchNorm2d>(2);
  Tensor x = Tensor::rand({3, 4, 2, 2, 2}, rng);
  x = x + reshape(Tensor::from({3}, {0, 5, 10}), {3, 1, 1, 1, 1});  // each step its own mean
  Tensor per_step = nn::Lift(bn, false)(x);
  test::check_close(select(per_step, 2), (*bn)(select(x, 2)).to_vector(), 1e-5f);
  Tensor pooled = nn::Lift(bn)(x);
  CHECK(mean(select(pooled, 2)).item() > 0.5f);  // step 2 lies above the pooled mean
  CHECK(std::abs(mean(select(per_step, 2)).item()) < 1e-4f);
}

TEST_CASE("Lift: per-step layers between neuron layers in a Sequential, as Norse's ConvNet") {
  Rng rng(103);
  nn::Sequential net(nn::lift<nn::Conv2d>(1, 4, 3, rng), std::make_shared<nn::LIF>(),
                     nn::lift<nn::MaxPool2d>(2), nn::lift<nn::Flatten>(),
                     nn::lift<nn::Linear>(4 * 3 * 3, 10, rng));
  Tensor x = Tensor::rand({5, 2, 1, 8, 8}, rng, 0, 20);
  Tensor y = net(x);
  CHECK(y.shape() == Shape{5, 2, 10});
  sum(y).backward();
  const Tensor& g = net.parameters()[0].grad();
  REQUIRE(g.defined());
  CHECK(sum(abs(g)).item() > 0);
}

TEST_CASE("Lift: bad input and a module that changes the batch are named") {
  Rng rng(104);
  nn::Lift l(std::make_shared<nn::Flatten>(0));
  CHECK_THROWS_WITH_AS(l(Tensor::zeros({3, 2, 4})), doctest::Contains("batch"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(l(Tensor::zeros({3})), doctest::Contains("(T, B, ...)"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(nn::Lift(nullptr), doctest::Contains("no module"), std::invalid_argument);
}
