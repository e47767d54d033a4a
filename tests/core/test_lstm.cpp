#include <doctest/doctest.h>

#include <cmath>

#include "core/nn/lstm.hpp"
#include "core/random/rng.hpp"
#include "gradcheck.hpp"

using namespace soma;

TEST_CASE("LSTM: one step by hand (weights zero, biases set the gates)") {
  Rng rng(1);
  nn::LSTM lstm(2, 1, rng);
  // Zero in place (the handles alias the registered parameters).
  for (Tensor* t : {&lstm.weight_ih, &lstm.weight_hh, &lstm.bias_hh})
    for (int64_t i = 0; i < t->numel(); ++i) t->data()[i] = 0;
  // Gates (i, f, g, o) biases 1, 2, 0.5, -1.
  const float b[4] = {1, 2, 0.5f, -1};
  for (int k = 0; k < 4; ++k) lstm.bias_ih.data()[k] = b[k];
  Tensor y = lstm(Tensor::zeros({2, 1, 2}));
  auto sig = [](double x) { return 1 / (1 + std::exp(-x)); };
  const double c1 = sig(1) * std::tanh(0.5), h1 = sig(-1) * std::tanh(c1);
  const double c2 = sig(2) * c1 + sig(1) * std::tanh(0.5), h2 = sig(-1) * std::tanh(c2);
  CHECK(y.shape() == Shape{2, 1, 1});
  CHECK(y.data()[0] == doctest::Approx(h1).epsilon(1e-6));
  CHECK(y.data()[1] == doctest::Approx(h2).epsilon(1e-6));
  CHECK(lstm.c_n.item() == doctest::Approx(c2).epsilon(1e-6));
}

TEST_CASE("LSTM: gradients of input, weights and biases match finite differences") {
  Rng rng(7);
  nn::LSTM lstm(3, 2, rng);
  Tensor x = test::param({4, 2, 3}, rng);
  Tensors inputs{x, lstm.weight_ih, lstm.weight_hh, lstm.bias_ih, lstm.bias_hh};
  // The module reads its own parameters, which gradcheck perturbs in place.
  auto g = [&](const Tensors&) { return lstm(x); };
  CHECK(test::gradcheck(g, inputs));
  // The cell state's gradient path too: the last c through a loss.
  auto c = [&](const Tensors&) {
    lstm(x);
    return lstm.c_n;
  };
  CHECK(test::gradcheck(c, inputs));
}
