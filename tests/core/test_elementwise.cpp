#include <doctest/doctest.h>

#include "gradcheck.hpp"

using namespace soma;
using test::gradcheck;
using test::param;

TEST_CASE("broadcasting follows NumPy rules") {
  Tensor a = Tensor::from({2, 3}, {1, 2, 3, 4, 5, 6});
  test::check_close(a + Tensor::from({3}, {10, 20, 30}), {11, 22, 33, 14, 25, 36});
  test::check_close(a * Tensor::from({2, 1}, {2, 3}), {2, 4, 6, 12, 15, 18});
  CHECK((Tensor::zeros({2, 1}) + Tensor::zeros({1, 3})).shape() == Shape{2, 3});
  CHECK_THROWS_AS(a + Tensor::zeros({2}), std::invalid_argument);
}

TEST_CASE("binary ops: gradients with broadcasting") {
  Rng rng(1);
  for (auto [sa, sb] : std::vector<std::pair<Shape, Shape>>{
           {{3, 4}, {3, 4}}, {{2, 3, 4}, {4}}, {{2, 1, 4}, {3, 1}}, {{3}, {}}}) {
    Tensor a = param(sa, rng), b = param(sb, rng, 0.5f, 1.5f);
    CHECK(gradcheck([](const Tensors& x) { return x[0] + x[1]; }, {a, b}));
    CHECK(gradcheck([](const Tensors& x) { return x[0] - x[1]; }, {a, b}));
    CHECK(gradcheck([](const Tensors& x) { return x[0] * x[1]; }, {a, b}));
    CHECK(gradcheck([](const Tensors& x) { return x[0] / x[1]; }, {a, b}));
  }
}

TEST_CASE("scalar ops") {
  Rng rng(2);
  Tensor a = param({5}, rng);
  CHECK(gradcheck([](const Tensors& x) { return 2.0f * x[0] + 1.0f; }, {a}));
  CHECK(gradcheck([](const Tensors& x) { return 1.0f - x[0] / 4.0f; }, {a}));
  CHECK(gradcheck([](const Tensors& x) { return -x[0]; }, {a}));
}

TEST_CASE("unary ops: values and gradients") {
  Tensor v = Tensor::from({4}, {-2.0f, -0.5f, 0.5f, 2.0f});
  test::check_close(relu(v), {0, 0, 0.5f, 2});
  test::check_close(abs(v), {2, 0.5f, 0.5f, 2});
  test::check_close(clamp(v, -1, 1), {-1, -0.5f, 0.5f, 1});
  test::check_close(sigmoid(Tensor::scalar(0)), {0.5f});
  test::check_close(softplus(Tensor::from({2}, {0, 30})), {std::log(2.0f), 30});
  test::check_close(pow(Tensor::scalar(3), 2), {9});

  Rng rng(3);
  // Inputs kept away from kinks (|x| > eps) so finite differences are valid.
  Tensor x = Tensor::from({6}, {-1.7f, -0.8f, -0.3f, 0.4f, 0.9f, 1.6f}).requires_grad_();
  Tensor pos = param({6}, rng, 0.5f, 2.0f);
  CHECK(gradcheck([](const Tensors& t) { return exp(t[0]); }, {x}));
  CHECK(gradcheck([](const Tensors& t) { return log(t[0]); }, {pos}));
  CHECK(gradcheck([](const Tensors& t) { return sqrt(t[0]); }, {pos}));
  CHECK(gradcheck([](const Tensors& t) { return pow(t[0], 1.5f); }, {pos}));
  CHECK(gradcheck([](const Tensors& t) { return square(t[0]); }, {x}));
  CHECK(gradcheck([](const Tensors& t) { return abs(t[0]); }, {x}));
  CHECK(gradcheck([](const Tensors& t) { return relu(t[0]); }, {x}));
  CHECK(gradcheck([](const Tensors& t) { return clamp(t[0], -1.0f, 1.0f); }, {x}));
  CHECK(gradcheck([](const Tensors& t) { return sigmoid(t[0]); }, {x}));
  CHECK(gradcheck([](const Tensors& t) { return tanh(t[0]); }, {x}));
  CHECK(gradcheck([](const Tensors& t) { return softplus(t[0], 2.0f); }, {x}));
}
