#include <doctest/doctest.h>

#include <string>

#include "gradcheck.hpp"

using namespace soma;
using test::gradcheck;
using test::param;

namespace {

template <class F>
std::string invalid_argument_message(F f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

constexpr Reduction kReductions[] = {Reduction::mean, Reduction::sum, Reduction::none};

}  // namespace

TEST_CASE("softmax and log_softmax values, stable for large logits") {
  // e^1, e^2, e^3 = 2.718282, 7.389056, 20.085537; sum 30.192875
  // softmax = 0.0900306, 0.2447285, 0.6652410; log_softmax = x - log(sum) = x - 3.407606
  for (float shift : {0.0f, 1000.0f, -1000.0f}) {
    Tensor x = Tensor::from({1, 3}, {1 + shift, 2 + shift, 3 + shift});
    test::check_close(softmax(x), {0.0900306f, 0.2447285f, 0.6652410f});
    test::check_close(log_softmax(x), {-2.407606f, -1.407606f, -0.407606f}, 1e-4f);
  }
}

TEST_CASE("an empty dimension: softmax gives no values, max and argmax refuse it by name") {
  // Before: every lane of (3, 0, 2) read x[0] and past it (the sanitize build saw the reads).
  Tensor x = Tensor::zeros({3, 0, 2}).requires_grad_();
  Tensor y = log_softmax(x, 1);
  CHECK(y.shape() == Shape{3, 0, 2});
  sum(y).backward();
  CHECK(x.grad().numel() == 0);
  CHECK(softmax(x, 1).numel() == 0);
  CHECK(invalid_argument_message([&] { max(x, 1); }).find("max: dimension 1 of") == 0);
  CHECK(invalid_argument_message([&] { argmax(x, 1); }).find("argmax: dimension 1") == 0);
  CHECK(max(x, 2).shape() == Shape{3, 0});  // a reduction over a dimension with values
}

TEST_CASE("softmax along any dim sums to one there") {
  Rng rng(21);
  Tensor x = Tensor::randn({2, 3, 4}, rng);
  for (int d : {0, 1, 2, -1}) {
    Tensor s = sum(softmax(x, d), d);
    test::check_close(s, std::vector<float>(size_t(s.numel()), 1.0f));
    Tensor e = sum(exp(log_softmax(x, d)), d);
    test::check_close(e, std::vector<float>(size_t(e.numel()), 1.0f));
  }
}

TEST_CASE("softmax and log_softmax gradients along every dim") {
  Rng rng(22);
  Tensor x = param({2, 3, 4}, rng, -2, 2);
  for (int d : {0, 1, 2, -1}) {
    CAPTURE(d);
    CHECK(gradcheck([d](const Tensors& t) { return softmax(t[0], d); }, {x}));
    CHECK(gradcheck([d](const Tensors& t) { return log_softmax(t[0], d); }, {x}));
  }
}

TEST_CASE("nll_loss picks the target log-probabilities") {
  Tensor lp = Tensor::from({2, 3}, {-1, -2, -3, -0.5f, -1.5f, -2.5f});
  Tensor t = Tensor::from({2}, {2, 0});
  test::check_close(nll_loss(lp, t, Reduction::none), {3, 0.5f});
  test::check_close(nll_loss(lp, t, Reduction::sum), {3.5f});
  test::check_close(nll_loss(lp, t), {1.75f});
  Rng rng(23);
  Tensor x = param({4, 5}, rng);
  Tensor tt = Tensor::from({4}, {0, 4, 2, 2});
  for (Reduction r : kReductions)
    CHECK(gradcheck([tt, r](const Tensors& a) { return nll_loss(a[0], tt, r); }, {x}));
}

TEST_CASE("cross_entropy with label smoothing, by hand") {
  // Row 0: logits (1, 2, 3), target 2, s = 0.1
  //   log_softmax = (-2.407606, -1.407606, -0.407606)
  //   nll = 0.407606; mean over classes of -log_softmax = (2.407606 + 1.407606 + 0.407606) / 3
  //       = 1.407606
  //   loss = 0.9 * 0.407606 + 0.1 * 1.407606 = 0.366845 + 0.140761 = 0.507606
  // Row 1: logits (0, 0, 0), target 0: every log-probability is -ln 3 = -1.098612, so
  //   loss = 0.9 * 1.098612 + 0.1 * 1.098612 = 1.098612
  // mean = (0.507606 + 1.098612) / 2 = 0.803109, sum = 1.606218
  Tensor x = Tensor::from({2, 3}, {1, 2, 3, 0, 0, 0}), t = Tensor::from({2}, {2, 0});
  test::check_close(cross_entropy(x, t, 0.1f, Reduction::none), {0.507606f, 1.098612f});
  test::check_close(cross_entropy(x, t, 0.1f), {0.803109f});
  test::check_close(cross_entropy(x, t, 0.1f, Reduction::sum), {1.606218f});
}

TEST_CASE("cross_entropy without smoothing equals nll_loss of log_softmax") {
  Rng rng(24);
  Tensor x = Tensor::randn({5, 4}, rng), t = Tensor::from({5}, {3, 0, 1, 3, 2});
  for (Reduction r : kReductions)
    test::check_close(cross_entropy(x, t, 0, r), nll_loss(log_softmax(x), t, r).to_vector());
}

TEST_CASE("label_smoothed_nll_loss (cross_entropy's CUDA path) equals cross_entropy") {
  // The same values and gradients from the composed ops, here on the CPU; the GPU suite runs
  // cross_entropy itself on cuda.
  Rng rng(26);
  Tensor t = Tensor::from({6}, {3, 0, 1, 3, 2, 4});
  for (float s : {0.0f, 0.2f, 1.0f})
    for (Reduction r : kReductions) {
      CAPTURE(s);
      Tensor x = param({6, 5}, rng, -3, 3), y = x.detach().requires_grad_();
      Tensor a = cross_entropy(x, t, s, r), b = label_smoothed_nll_loss(log_softmax(y, 1), t, s, r);
      test::check_close(a, b.to_vector());
      Tensor g =
          r == Reduction::none ? Tensor::from({6}, {1, -2, 0.5f, 3, -1, 2}) : Tensor::scalar(1.5f);
      a.backward(g);
      b.backward(g);
      test::check_close(x.grad(), y.grad().to_vector());
    }
}

TEST_CASE("cross_entropy gradients for every reduction and smoothing") {
  Rng rng(25);
  Tensor x = param({4, 5}, rng, -2, 2), t = Tensor::from({4}, {1, 4, 0, 1});
  for (float s : {0.0f, 0.1f, 1.0f})
    for (Reduction r : kReductions) {
      CAPTURE(s);
      CHECK(gradcheck([t, s, r](const Tensors& a) { return cross_entropy(a[0], t, s, r); }, {x}));
    }
}

TEST_CASE("cross_entropy and nll_loss reject bad targets naming the value") {
  Tensor x = Tensor::zeros({2, 3});
  std::string m = invalid_argument_message([&] { cross_entropy(x, Tensor::from({2}, {0, 3})); });
  CHECK(m.find("target 3 ") != std::string::npos);
  m = invalid_argument_message([&] { nll_loss(x, Tensor::from({2}, {-1, 0})); });
  CHECK(m.find("target -1 ") != std::string::npos);
  m = invalid_argument_message([&] { nll_loss(x, Tensor::from({2}, {1.5f, 0})); });
  CHECK(m.find("target 1.5 ") != std::string::npos);
  CHECK_THROWS_AS(cross_entropy(x, Tensor::from({3}, {0, 0, 0})), std::invalid_argument);
  CHECK_THROWS_AS(cross_entropy(x, Tensor::from({2}, {0, 0}), 1.5f), std::invalid_argument);
}

TEST_CASE("mse_loss values and gradients") {
  // diff = (1, 0, -2), squares (1, 0, 4): mean 5/3, sum 5; d mean / d input = 2 diff / 3
  Tensor x = Tensor::from({3}, {1, 2, 3}), t = Tensor::from({3}, {0, 2, 5});
  x.requires_grad_();
  Tensor l = mse_loss(x, t);
  test::check_close(l, {5.0f / 3});
  test::check_close(mse_loss(x, t, Reduction::sum), {5});
  test::check_close(mse_loss(x, t, Reduction::none), {1, 0, 4});
  l.backward();
  test::check_close(x.grad(), {2.0f / 3, 0, -4.0f / 3});
  Rng rng(26);
  Tensor a = param({2, 3}, rng), b = param({2, 3}, rng);
  for (Reduction r : kReductions)
    CHECK(gradcheck([r](const Tensors& v) { return mse_loss(v[0], v[1], r); }, {a, b}));
  CHECK_THROWS_AS(mse_loss(a, Tensor::zeros({3, 2})), std::invalid_argument);
}

TEST_CASE("binary_cross_entropy values, clamping and gradients") {
  // p = (0.8, 0.3), y = (1, 0): -ln 0.8 = 0.2231436, -ln 0.7 = 0.3566749
  //   sum = 0.5798185, mean = 0.2899092
  Tensor p = Tensor::from({2}, {0.8f, 0.3f}), y = Tensor::from({2}, {1, 0});
  test::check_close(binary_cross_entropy(p, y, Reduction::none), {0.2231436f, 0.3566749f});
  test::check_close(binary_cross_entropy(p, y), {0.2899092f});
  test::check_close(binary_cross_entropy(p, y, Reduction::sum), {0.5798185f});
  // Certain and wrong costs the clamp, 100; certain and right costs 0.
  Tensor edge = Tensor::from({4}, {0, 1, 0, 1}), ey = Tensor::from({4}, {1, 0, 0, 1});
  edge.requires_grad_();
  Tensor le = binary_cross_entropy(edge, ey, Reduction::none);
  test::check_close(le, {100, 100, 0, 0});
  sum(le).backward();
  for (float g : edge.grad().to_vector()) CHECK(std::isfinite(g));

  Rng rng(27);
  Tensor a = param({2, 3}, rng, 0.1f, 0.9f), b = param({2, 3}, rng, 0, 1);
  for (Reduction r : kReductions)
    CHECK(gradcheck([r](const Tensors& v) { return binary_cross_entropy(v[0], v[1], r); }, {a, b}));
  CHECK_THROWS_AS(binary_cross_entropy(Tensor::from({1}, {1.5f}), Tensor::from({1}, {1})),
                  std::invalid_argument);
}
