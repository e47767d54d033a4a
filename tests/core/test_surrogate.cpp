#include <doctest/doctest.h>

#include <cmath>

#include "core/neuron/surrogate.hpp"
#include "gradcheck.hpp"

using namespace soma;

TEST_CASE("surrogate formulas at several points") {
  auto g = [](const char* name, float alpha, float x) {
    return Surrogate{parse_surrogate(name), alpha}.grad(x);
  };
  CHECK(g("super", 100, 0) == doctest::Approx(1.0));
  CHECK(g("super", 100, 0.01f) == doctest::Approx(0.25));  // 1 / (1 + 1)^2
  CHECK(g("super", 1, -1) == doctest::Approx(0.25));
  CHECK(g("heaviside", 100, 0) == 0);
  CHECK(g("triangle", 0.3f, 0.5f) == doctest::Approx(0.15));
  CHECK(g("triangle", 0.3f, -2) == 0);
  CHECK(g("tanh", 2, 0.5f) == doctest::Approx(1 - std::pow(std::tanh(1.0), 2)));
  CHECK(g("circ", 2, 0) == doctest::Approx(1.0));  // alpha^3 / alpha^3
  CHECK(g("circ", 1, 1) == doctest::Approx(1 / std::pow(2.0, 1.5)));
  CHECK(g("heavi_erfc", 1, 1) == doctest::Approx(2 / std::sqrt(M_PI) * std::exp(-1.0)));
  CHECK(g("logistic", 4, 0) == doctest::Approx(1.0));  // alpha / 4
}

TEST_CASE("unknown surrogate names list the valid ones") {
  try {
    parse_surrogate("superspike");
    FAIL("no exception");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()).find("heavi_erfc") != std::string::npos);
  }
}

TEST_CASE("spike_fn is a step forward and the surrogate backward") {
  Tensor x = Tensor::from({3}, {-0.5f, 0.0f, 0.2f}).requires_grad_();
  Tensor z = spike_fn(x, {SurrogateMethod::super, 10});
  test::check_close(z, {0, 0, 1});
  sum(z).backward();
  test::check_close(x.grad(), {1 / 36.0f, 1, 1 / 9.0f});
}
