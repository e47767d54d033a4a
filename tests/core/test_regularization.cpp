#include <doctest/doctest.h>

#include "core/neuron/lif.hpp"
#include "core/nn/regularization.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/reduce.hpp"
#include "gradcheck.hpp"

using namespace soma;

TEST_CASE("RegularizationCell counts spikes by default, sums voltages with the voltage one") {
  nn::RegularizationCell count;
  count(Tensor::from({2, 2}, {1, 0, 1, 1}));
  CHECK(count(Tensor::from({2, 2}, {0, 0, 1, 0})).item() == 4);
  count.reset();
  CHECK(!count.state.defined());
  nn::RegularizationCell volts(voltage_accumulator);
  Tensor z = Tensor::zeros({2});
  volts(z, Tensor::from({2}, {0.5f, 0.25f}));
  test::check_close(volts(z, Tensor::from({2}, {0.5f, 1})), {1, 1.25f});
  CHECK_THROWS_WITH_AS(volts(z), doctest::Contains("voltage"), std::invalid_argument);
}

TEST_CASE("the spike count trains through the surrogate: its gradient reaches the input") {
  LIFParameters p;
  Tensor x = Tensor::full({1, 3}, 3).requires_grad_();
  LIFState s = lif_initial_state({1, 3}, p);
  nn::RegularizationCell r;
  for (int t = 0; t < 4; ++t) {
    LIFStep st = lif_step(x, s, p);
    s = st.state;
    r(st.z, s.v);
  }
  r.state.backward();
  CHECK(sum(x.grad()).item() > 0);
}

TEST_CASE("firing_rate and rate_penalty: Hz over (T, ...), relative to the target") {
  // T 4 steps of 1 ms: 2 spikes = 500 Hz, 1 spike = 250 Hz.
  Tensor z = Tensor::from({4, 1, 2}, {1, 0, 0, 1, 1, 0, 0, 0});
  test::check_close(firing_rate(z, 1e-3f), {500, 250}, 1e-3f);
  // ((500 - 250) / 250)^2 = 1 and 0: mean 0.5.
  CHECK(rate_penalty(z, 250, 1e-3f).item() == doctest::Approx(0.5));
  Rng rng(93);
  Tensor zf = test::param({5, 2, 3}, rng, 0, 1);
  CHECK(test::gradcheck([](const Tensors& t) { return rate_penalty(t[0], 80, 1e-3f); }, {zf}));
  CHECK_THROWS_WITH_AS(rate_penalty(z, 0, 1e-3f), doctest::Contains("target"),
                       std::invalid_argument);
}
