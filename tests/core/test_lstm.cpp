#include <doctest/doctest.h>

#include <cmath>

#include "core/nn/lstm.hpp"
#include "core/ops/lstm_cell.hpp"
#include "core/ops/ops.hpp"
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

TEST_CASE("lstm_cell: the fused step equals the composed ops, values and both gradients") {
  Rng rng(9);
  const int64_t B = 3, H = 5;
  Tensor a = test::param({B, 4 * H}, rng, -3, 3), c0 = test::param({B, H}, rng);
  LSTMCellOutput fused = lstm_cell(a, c0);
  Tensor ca = a.detach().requires_grad_(), cc0 = c0.detach().requires_grad_();
  Tensor i = sigmoid(slice(ca, 1, 0, H)), f = sigmoid(slice(ca, 1, H, 2 * H));
  Tensor g = tanh(slice(ca, 1, 2 * H, 3 * H)), o = sigmoid(slice(ca, 1, 3 * H, 4 * H));
  Tensor c = f * cc0 + i * g, h = o * tanh(c);
  test::check_close(fused.h, h.to_vector());
  test::check_close(fused.c, c.to_vector());
  Tensor gh = test::param({B, H}, rng), gc = test::param({B, H}, rng);
  sum(fused.h * gh + fused.c * gc).backward();
  sum(h * gh + c * gc).backward();
  test::check_close(a.grad(), ca.grad().to_vector());
  test::check_close(c0.grad(), cc0.grad().to_vector());
  // And against finite differences, each output alone (the other's gradient is zeros).
  CHECK(test::gradcheck([](const Tensors& t) { return lstm_cell(t[0], t[1]).h; }, {a, c0}));
  CHECK(test::gradcheck([](const Tensors& t) { return lstm_cell(t[0], t[1]).c; }, {a, c0}));
  CHECK_THROWS_AS(lstm_cell(a, Tensor::zeros({B, H + 1})), std::invalid_argument);
}
