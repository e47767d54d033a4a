#include <doctest/doctest.h>

#include "gradcheck.hpp"

using namespace soma;
using test::gradcheck;
using test::param;

TEST_CASE("reshape, flatten, squeeze share storage and keep gradients") {
  Tensor x = Tensor::from({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor r = reshape(x, {3, -1});
  CHECK(r.shape() == Shape{3, 2});
  CHECK(r.same_storage(x));
  CHECK(flatten(Tensor::zeros({2, 3, 4, 5}), 1, 2).shape() == Shape{2, 12, 5});
  CHECK(unsqueeze(x, -1).shape() == Shape{2, 3, 1});
  CHECK(squeeze(unsqueeze(x, 0), 0).shape() == Shape{2, 3});
  CHECK_THROWS_AS(reshape(x, {4, -1}), std::invalid_argument);
  Rng rng(6);
  CHECK(gradcheck(
      [](const Tensors& t) {
        return reshape(t[0], {4, 3}) * 2.0f;
      },
      {param({2, 6}, rng)}));
}

TEST_CASE("permute and transpose") {
  Tensor x = Tensor::from({2, 3}, {1, 2, 3, 4, 5, 6});
  test::check_close(transpose(x, 0, 1), {1, 4, 2, 5, 3, 6});
  Rng rng(7);
  CHECK(gradcheck(
      [](const Tensors& t) {
        return permute(t[0], {2, 0, 1});
      },
      {param({2, 3, 4}, rng)}));
  CHECK_THROWS_AS(permute(x, {0, 0}), std::invalid_argument);
}

TEST_CASE("slice, select and index_select") {
  Tensor x = Tensor::from({3, 2}, {1, 2, 3, 4, 5, 6});
  test::check_close(slice(x, 0, 1, 3), {3, 4, 5, 6});
  CHECK(slice(x, 0, 1, 3).same_storage(x));
  test::check_close(slice(x, 1, -1, 2), {2, 4, 6});
  test::check_close(select(x, 2), {5, 6});
  test::check_close(index_select(x, {2, 0, 2}), {5, 6, 1, 2, 5, 6});
  CHECK_THROWS_AS(slice(x, 0, 2, 5), std::out_of_range);
  CHECK_THROWS_AS(index_select(x, {3}), std::out_of_range);
  Rng rng(8);
  Tensor p = param({4, 3, 2}, rng);
  CHECK(gradcheck([](const Tensors& t) { return slice(t[0], 1, 1, 3); }, {p}));
  CHECK(gradcheck([](const Tensors& t) { return select(t[0], 1); }, {p}));
  CHECK(gradcheck([](const Tensors& t) { return index_select(t[0], {3, 1, 3}); }, {p}));
}

TEST_CASE("cat and stack") {
  Tensor a = Tensor::from({1, 2}, {1, 2}), b = Tensor::from({2, 2}, {3, 4, 5, 6});
  test::check_close(cat({a, b}, 0), {1, 2, 3, 4, 5, 6});
  test::check_close(cat({b, b}, 1), {3, 4, 3, 4, 5, 6, 5, 6});
  CHECK(stack({a, a, a}, 0).shape() == Shape{3, 1, 2});
  CHECK(stack({a, a}, -1).shape() == Shape{1, 2, 2});
  CHECK_THROWS_AS(cat({a, Tensor::zeros({1, 3})}, 0), std::invalid_argument);
  Rng rng(9);
  Tensor p = param({2, 3}, rng), q = param({2, 1}, rng);
  CHECK(gradcheck([](const Tensors& t) { return cat({t[0], t[1]}, 1); }, {p, q}));
  CHECK(gradcheck([](const Tensors& t) { return stack({t[0], t[0] * 2.0f}, 1); }, {p}));
}

TEST_CASE("reductions: values and gradients") {
  Tensor x = Tensor::from({2, 3}, {1, 5, 3, 4, 2, 6});
  test::check_close(sum(x), {21});
  test::check_close(sum(x, 0), {5, 7, 9});
  test::check_close(mean(x, 1), {3, 4});
  CHECK(sum(x, 1, true).shape() == Shape{2, 1});
  test::check_close(max(x), {6});
  test::check_close(max(x, 1), {5, 6});
  test::check_close(argmax(x, 1), {1, 2});
  test::check_close(argmax(x, 0), {1, 0, 1});
  Rng rng(10);
  Tensor p = param({3, 4, 2}, rng);
  CHECK(gradcheck([](const Tensors& t) { return sum(t[0]); }, {p}));
  CHECK(gradcheck([](const Tensors& t) { return mean(t[0]); }, {p}));
  for (int d : {0, 1, 2}) {
    CHECK(gradcheck([d](const Tensors& t) { return sum(t[0], d); }, {p}));
    CHECK(gradcheck([d](const Tensors& t) { return mean(t[0], d, true); }, {p}));
    CHECK(gradcheck([d](const Tensors& t) { return max(t[0], d); }, {p}));
  }
  CHECK(gradcheck([](const Tensors& t) { return max(t[0]); }, {p}));
}
