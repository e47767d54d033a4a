#include <doctest/doctest.h>

#include <cmath>

#include "core/nn/exp_filter.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/reduce.hpp"
#include "core/random/rng.hpp"
#include "gradcheck.hpp"

using namespace soma;

TEST_CASE("exp_filter: y_0 = x_0, y_t = alpha y_{t-1} + x_t") {
  Tensor x = Tensor::from({4, 2}, {1, 0, 0, 2, 0, 0, 1, 0});
  test::check_close(exp_filter(x, 0.5f), {1, 0, 0.5f, 2, 0.25f, 1, 1.125f, 0.5f});
}

TEST_CASE("exp_filter matches finite differences") {
  Rng rng(91);
  Tensor x = test::param({5, 2, 3}, rng);
  CHECK(test::gradcheck([](const Tensors& t) { return exp_filter(t[0], 0.7f); }, {x}));
}

TEST_CASE("nn::ExpFilter: Norse's alpha 1/e by default, the Linear then the filter") {
  Rng rng(92);
  nn::ExpFilter f(3, 2, rng);
  CHECK(f.alpha == doctest::Approx(std::exp(-1.0)));
  CHECK(f.linear->bias.defined());
  Tensor x = Tensor::rand({6, 4, 3}, rng);
  Tensor y = f(x);
  CHECK(y.shape() == Shape{6, 4, 2});
  test::check_close(y, exp_filter((*f.linear)(x), f.alpha).to_vector(), 1e-6f);
  CHECK(nn::ExpFilter(3, 2, rng, 500.0f, 1e-3f, false).alpha == doctest::Approx(std::exp(-0.5)));
  CHECK_THROWS_WITH_AS(exp_filter(Tensor::scalar(1), 0.5f), doctest::Contains("(T, ...)"),
                       std::invalid_argument);
}
