#include <doctest/doctest.h>

#include <cmath>

#include "gradcheck.hpp"

using namespace soma;
using test::gradcheck;
using test::param;

TEST_CASE("batch_norm training on a tiny batch, by hand") {
  // x is (N=2, C=2, 2); channel 0 holds 1, 2, 3, 6 and channel 1 holds 10, 10, 10, 14.
  //   channel 0: mean 3, biased var (4 + 1 + 0 + 9) / 4 = 3.5, unbiased 14 / 3 = 4.666667
  //              xhat = (-2, -1, 0, 3) / sqrt(3.5) = (-1.069045, -0.534522, 0, 1.603567)
  //              y = 2 xhat + 1 = (-1.138090, -0.069045, 1, 4.207135)
  //   channel 1: mean 11, biased var (1 + 1 + 1 + 9) / 4 = 3, unbiased 4
  //              xhat = (-1, -1, -1, 3) / sqrt(3) = (-0.577350 x3, 1.732051); y = 1 xhat + 0
  // Running stats from (0, 1) with momentum 0.1:
  //   mean = 0.1 * (3, 11) = (0.3, 1.1); var = 0.9 + 0.1 * (4.666667, 4) = (1.366667, 1.3)
  Tensor x = Tensor::from({2, 2, 2}, {1, 2, 10, 10, 3, 6, 10, 14});
  Tensor rm = Tensor::zeros({2}), rv = Tensor::ones({2});
  Tensor w = Tensor::from({2}, {2, 1}), b = Tensor::from({2}, {1, 0});
  Tensor y = batch_norm(x, rm, rv, w, b, true);
  test::check_close(
      y, {-1.138090f, -0.069045f, -0.577350f, -0.577350f, 1, 4.207135f, -0.577350f, 1.732051f},
      1e-4f);
  test::check_close(rm, {0.3f, 1.1f});
  test::check_close(rv, {1.366667f, 1.3f});

  // Evaluation uses the running statistics: (1 - 0.3) / sqrt(1.366667 + 1e-5) * 2 + 1 = 2.197554
  Tensor e = batch_norm(x, rm, rv, w, b, false);
  CHECK(e.at({0, 0, 0}) == doctest::Approx(2.197554f).epsilon(1e-5));
  test::check_close(rm, {0.3f, 1.1f});  // and leaves them alone
}

TEST_CASE("batch_norm gradients: train and eval, affine or not, 2-D and 4-D") {
  Rng rng(31);
  Tensor x4 = param({3, 2, 2, 3}, rng, -2, 2), x2 = param({5, 3}, rng, -2, 2);
  Tensor w = param({2}, rng, 0.5f, 1.5f), b = param({2}, rng);
  Tensor rm = Tensor::zeros({2}), rv = Tensor::full({2}, 0.5f);
  for (bool train : {true, false}) {
    CAPTURE(train);
    CHECK(gradcheck([&](const Tensors& t) { return batch_norm(t[0], rm, rv, t[1], t[2], train); },
                    {x4, w, b}));
    CHECK(gradcheck(
        [&](const Tensors& t) { return batch_norm(t[0], rm, rv, Tensor(), Tensor(), train); },
        {x4}));
  }
  Tensor w3 = param({3}, rng, 0.5f, 1.5f), b3 = param({3}, rng);
  CHECK(gradcheck(
      [](const Tensors& t) { return batch_norm(t[0], Tensor(), Tensor(), t[1], t[2], true); },
      {x2, w3, b3}));
}

TEST_CASE("batch_norm argument checks") {
  Tensor x = Tensor::zeros({4, 3}), c3 = Tensor::zeros({3});
  CHECK_THROWS_AS(batch_norm(x, Tensor::zeros({2}), Tensor::ones({2}), Tensor(), Tensor(), true),
                  std::invalid_argument);
  CHECK_THROWS_AS(batch_norm(x, c3, c3, Tensor::ones({4}), Tensor(), true), std::invalid_argument);
  CHECK_THROWS_AS(batch_norm(x, Tensor(), Tensor(), Tensor(), Tensor(), false),
                  std::invalid_argument);
  CHECK_THROWS_AS(batch_norm(Tensor::zeros({1, 3}), c3, c3, Tensor(), Tensor(), true),
                  std::invalid_argument);
  CHECK_THROWS_AS(batch_norm(Tensor::zeros({4}), c3, c3, Tensor(), Tensor(), true),
                  std::invalid_argument);
}

TEST_CASE("dropout is the identity in eval and at p = 0, and checks p") {
  Rng rng(32);
  Tensor x = Tensor::randn({10}, rng);
  CHECK(dropout(x, 0.5f, false, rng).same_storage(x));
  CHECK(dropout(x, 0.0f, true, rng).same_storage(x));
  CHECK_THROWS_AS(dropout(x, 1.0f, true, rng), std::invalid_argument);
  CHECK_THROWS_AS(dropout(x, -0.1f, false, rng), std::invalid_argument);
}

TEST_CASE("dropout keeps 1 - p of the values, scaled by 1 / (1 - p)") {
  Rng rng(33);
  const float p = 0.3f, scale = 1.0f / (1.0f - p);
  const int64_t n = 100000;
  Tensor y = dropout(Tensor::ones({n}), p, true, rng);
  int64_t kept = 0;
  bool values_ok = true;
  for (float v : y.to_vector()) {
    kept += v != 0;
    values_ok = values_ok && (v == 0 || v == scale);
  }
  CHECK(values_ok);
  // The kept fraction has standard deviation sqrt(0.21 / n) = 0.0014; allow 7 of them.
  CHECK(double(kept) / double(n) == doctest::Approx(0.7).epsilon(0.015));
  CHECK(double(y.array().cast<double>().mean()) == doctest::Approx(1.0).epsilon(0.015));
  // Successive calls draw fresh masks.
  CHECK(dropout(Tensor::ones({64}), p, true, rng).to_vector() !=
        dropout(Tensor::ones({64}), p, true, rng).to_vector());
}

TEST_CASE("dropout gradient uses the forward mask") {
  Rng rng(34);
  Tensor x = param({200}, rng, 0.5f, 1.5f);  // no zeros, so a zero output means dropped
  Tensor y = dropout(x, 0.4f, true, rng);
  y.backward(Tensor::ones({200}));
  for (int64_t i = 0; i < 200; ++i) {
    float g = x.grad().data()[i];
    CHECK(g == (y.data()[i] == 0 ? 0.0f : 1.0f / (1.0f - 0.4f)));
    CHECK(y.data()[i] == doctest::Approx(x.data()[i] * g));
  }
  // With the generator reseeded per call the mask is fixed, so finite differences apply.
  CHECK(gradcheck(
      [](const Tensors& t) {
        Rng r(7);
        return dropout(t[0], 0.4f, true, r);
      },
      {param({3, 4}, rng)}));
}

TEST_CASE("batch_norm on a threaded-size input agrees with channel-by-channel results") {
  Rng rng(35);
  Tensor x = param({16, 4, 24, 24}, rng, -2, 2);  // 36864 values: above the threading cutoff
  Tensor w = param({4}, rng, 0.5f, 1.5f), b = param({4}, rng);
  Tensor rm = Tensor::zeros({4}), rv = Tensor::ones({4});
  Tensor y = batch_norm(x, rm, rv, w, b, true);
  Tensor gy = Tensor::randn(y.shape(), rng);
  y.backward(gy);
  for (int64_t c = 0; c < 4; ++c) {
    Tensor xc = slice(x, 1, c, c + 1).detach().clone();
    xc.requires_grad_();
    Tensor rmc = Tensor::zeros({1}), rvc = Tensor::ones({1});
    Tensor yc = batch_norm(xc, rmc, rvc, slice(w, 0, c, c + 1).detach().clone(),
                           slice(b, 0, c, c + 1).detach().clone(), true);
    test::check_close(yc, slice(y, 1, c, c + 1).detach().clone().to_vector(), 1e-5f);
    yc.backward(slice(gy, 1, c, c + 1).clone());
    test::check_close(xc.grad(), slice(x.grad(), 1, c, c + 1).clone().to_vector(), 1e-5f);
    test::check_close(rmc, {rm.data()[c]});
    test::check_close(rvc, {rv.data()[c]});
  }
}
