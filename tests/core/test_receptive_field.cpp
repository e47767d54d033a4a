#include <doctest/doctest.h>

#include <cmath>
#include <numbers>

#include "core/encode/receptive_field.hpp"
#include "core/ops/ops.hpp"
#include "gradcheck.hpp"

using namespace soma;

namespace {
Tensor one(float v) {
  return Tensor::from({1}, {v});
}

// The field from its formula at pixel (i, j) of an n x n grid on [-d, d]^2.
float gaussian(float scale, float angle, float ratio, int64_t n, float d, int64_t i, int64_t j) {
  const float x = -d + 2 * d * float(j) / float(n - 1), y = -d + 2 * d * float(i) / float(n - 1);
  const float s1 = scale, s2 = scale * ratio;
  const float u = std::cos(angle) * x - std::sin(angle) * y,
              w = std::sin(angle) * x + std::cos(angle) * y;
  const float q = (u / s1) * (u / s1) + (w / s2) * (w / s2);
  return std::exp(-q / (2 * scale)) / (2 * std::numbers::pi_v<float> * scale * s1 * s2);
}
}  // namespace

TEST_CASE("receptive field: the rotated Gaussian of its formula, and Norse's round case") {
  Tensor k = spatial_receptive_field(one(1.5f), one(0.6f), one(0.5f), 9, 0, 0, 4);
  CHECK(k.shape() == Shape{9, 9});
  for (int64_t i : {0, 3, 4, 7})
    for (int64_t j : {1, 4, 6})
      CHECK(k.at({i, j}) == doctest::Approx(gaussian(1.5f, 0.6f, 0.5f, 9, 4, i, j)).epsilon(1e-5));
  // Round (ratio 1) with scale 1: the peak is 1 / (2 pi), and the angle changes nothing.
  Tensor round = spatial_receptive_field(one(1), one(0), one(1), 5, 0, 0, 2);
  CHECK(round.at({2, 2}) == doctest::Approx(1 / (2 * std::numbers::pi)));
  test::check_close(spatial_receptive_field(one(1), one(1.1f), one(1), 5, 0, 0, 2),
                    round.to_vector(), 1e-6f);
}

TEST_CASE("receptive field: derivatives are zero-padded differences, dx down the rows") {
  Tensor k = spatial_receptive_field(one(2), one(0.3f), one(0.7f), 7);
  Tensor kx = spatial_receptive_field(one(2), one(0.3f), one(0.7f), 7, 1, 0);
  Tensor kyy = spatial_receptive_field(one(2), one(0.3f), one(0.7f), 7, 0, 2);
  CHECK(kx.at({0, 3}) == doctest::Approx(k.at({0, 3})));
  CHECK(kx.at({4, 3}) == doctest::Approx(k.at({4, 3}) - k.at({3, 3})));
  CHECK(kyy.at({2, 4}) == doctest::Approx(k.at({2, 4}) - 2 * k.at({2, 3}) + k.at({2, 2})));
  CHECK(kyy.at({2, 0}) == doctest::Approx(k.at({2, 0})));
}

TEST_CASE("receptive field: gradients to scale, angle and ratio match finite differences") {
  Tensor s = one(1.7f).requires_grad_(), a = one(0.4f).requires_grad_();
  Tensor r = one(0.6f).requires_grad_();
  CHECK(test::gradcheck(
      [](const Tensors& t) { return spatial_receptive_field(t[0], t[1], t[2], 6, 1, 1, 3); },
      {s, a, r}, {1e-3f}));
}

TEST_CASE("receptive field banks: every combination, a round field at one angle") {
  Tensor p = spatial_parameters({1, 2}, {0, 0.5f, 1}, {1, 0.5f}, derivatives_up_to(1));
  // Per scale: ratio 0.5 at 3 angles + ratio 1 at one, each with 4 derivatives.
  CHECK(p.shape() == Shape{2 * 4 * 4, 5});
  CHECK(spatial_parameters({1, 2}, {0, 0.5f, 1}, {1, 0.5f}, derivatives_up_to(1), true).size(0) ==
        2 * 6 * 4);
  CHECK(derivatives_up_to(0).size() == 1);
  Tensor q = Tensor::from({2, 5}, {1.5f, 0.6f, 0.5f, 0, 0, 2, 0.3f, 0.7f, 0, 2}).requires_grad_();
  Tensor bank = spatial_receptive_fields(q, 7);
  CHECK(bank.shape() == Shape{2, 7, 7});
  test::check_close(select(bank, 1),
                    spatial_receptive_field(one(2), one(0.3f), one(0.7f), 7, 0, 2).to_vector(),
                    1e-6f);
  sum(bank).backward();
  CHECK(q.grad().at({0, 1}) != 0);
  CHECK(q.grad().at({1, 3}) == 0);
  CHECK_THROWS_WITH_AS(spatial_receptive_field(one(-1), one(0), one(1), 5),
                       doctest::Contains("scale"), std::invalid_argument);
}

TEST_CASE("temporal scales: sqrt(tau) from min to max, logarithmic") {
  std::vector<float> s = temporal_scale_distribution(3, 1, 16.0f);
  REQUIRE(s.size() == 3);
  CHECK(s[0] == doctest::Approx(1));
  CHECK(s[1] == doctest::Approx(2));  // tau 4: the geometric middle of 1 and 16
  CHECK(s[2] == doctest::Approx(4));
  std::vector<float> d = temporal_scale_distribution(3, 2);  // c = sqrt(2): tau 2, 4, 8
  CHECK(d[2] * d[2] == doctest::Approx(8).epsilon(1e-4));
  CHECK(temporal_scale_distribution(1, 9)[0] == doctest::Approx(3));
}
