#include <doctest/doctest.h>

#include "gradcheck.hpp"

using namespace soma;
using test::gradcheck;
using test::param;

TEST_CASE("matmul values") {
  Tensor a = Tensor::from({2, 2}, {1, 2, 3, 4}), b = Tensor::from({2, 1}, {5, 6});
  test::check_close(matmul(a, b), {17, 39});
  CHECK_THROWS_AS(matmul(a, Tensor::zeros({3, 1})), std::invalid_argument);
}

TEST_CASE("matmul gradients: shared and batched right operand") {
  Rng rng(4);
  Tensor a = param({2, 3, 4}, rng), b = param({4, 5}, rng), bb = param({2, 4, 5}, rng);
  CHECK(gradcheck([](const Tensors& x) { return matmul(x[0], x[1]); }, {a, b}));
  CHECK(gradcheck([](const Tensors& x) { return matmul(x[0], x[1]); }, {a, bb}));
}

TEST_CASE("linear equals x W^T + b, with gradients") {
  Tensor x = Tensor::from({1, 2}, {1, 2});
  Tensor w = Tensor::from({3, 2}, {1, 0, 0, 1, 1, 1}), b = Tensor::from({3}, {0.5f, 0, -1});
  test::check_close(linear(x, w, b), {1.5f, 2, 2});
  Rng rng(5);
  Tensor xs = param({2, 3, 4}, rng), ws = param({5, 4}, rng), bs = param({5}, rng);
  CHECK(gradcheck([](const Tensors& t) { return linear(t[0], t[1], t[2]); }, {xs, ws, bs}));
  CHECK(gradcheck([](const Tensors& t) { return linear(t[0], t[1]); }, {xs, ws}));
}
