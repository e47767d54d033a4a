#include <doctest/doctest.h>

#include "core/neuron/ada_lif.hpp"
#include "gradcheck.hpp"

using namespace soma;

TEST_CASE("ada_lif: unit input from rest, by hand") {
  // Below threshold b stays 0 and v follows the LIF golden values; the spike at step 6 subtracts
  // v_th (v~ = 1.265607 -> 0.265607) and charges b = 1.8, which then decays by 1 - 1e-3 / 800
  // a step and pulls v down: the next spike comes 4 steps later, not 2 as for the LIF.
  AdaLIFParameters p;
  CHECK(p.reset == Reset::subtract);
  AdaLIFState s = ada_lif_initial_state({1}, p);
  std::vector<float> v, b, z;
  for (int t = 0; t < 10; ++t) {
    AdaLIFStep st = ada_lif_step(Tensor::ones({1}), s, p);
    s = st.state;
    v.push_back(s.v.item()), b.push_back(s.b.item()), z.push_back(st.z.item());
  }
  test::check_close(Tensor::from({10}, v),
                    {0.1f, 0.27f, 0.487f, 0.7335f, 0.99631f, 0.265607f, 0.454189f, 0.644884f,
                     0.833287f, 0.016272f},
                    1e-5f);
  test::check_close(Tensor::from({10}, z), {0, 0, 0, 0, 0, 1, 0, 0, 0, 1});
  test::check_close(Tensor::from({10}, b),
                    {0, 0, 0, 0, 0, 1.8f, 1.79999775f, 1.7999955f, 1.79999325f, 3.599991f}, 1e-6f);
  Sequence<AdaLIFState> seq =
      ada_lif_sequence(Tensor::ones({10, 1}), ada_lif_initial_state({1}, p), p, true);
  test::check_close(seq.states.v, v, 0);
  test::check_close(seq.states.b, b, 0);
  test::check_close(seq.z, z);
}

TEST_CASE("ada_lif: without adaptation it is the LIF with reset by subtraction") {
  AdaLIFParameters p;
  p.beta = 0;
  LIFParameters lif;
  lif.reset = Reset::subtract;
  Rng rng(71);
  Tensor x = Tensor::rand({30, 2, 3}, rng, 0, 6);
  Sequence<AdaLIFState> a = ada_lif_sequence(x, ada_lif_initial_state({2, 3}, p), p, true);
  LIFSequence b = lif_sequence(x, lif_initial_state({2, 3}, lif), lif, true);
  CHECK(sum(a.z).item() > 10);
  test::check_close(a.z, b.z.to_vector(), 0);
  test::check_close(a.states.v, b.v.to_vector(), 1e-5f);
}

TEST_CASE("ada_lif_sequence matches finite differences, with spikes") {
  // Heaviside surrogate: the analytic gradient is the exact derivative of the forward pass almost
  // everywhere; with a small step no spike flips, so the reset and the b jump are covered.
  AdaLIFParameters p;
  p.tau_adapt_inv = 50;  // b decays visibly within the 6 steps
  p.surrogate = {SurrogateMethod::heaviside, 0};
  Rng rng(74);
  Tensor x = test::param({6, 2, 3}, rng, 0, 12);
  Tensor v0 = test::param({2, 3}, rng, 0, 0.5f), i0 = test::param({2, 3}, rng, 0, 1);
  Tensor b0 = test::param({2, 3}, rng, 0, 1);
  CHECK(sum(ada_lif_sequence(x, {v0, i0, b0}, p).z).item() >= 3);
  CHECK(test::gradcheck(
      [&p](const Tensors& t) {
        Sequence<AdaLIFState> s = ada_lif_sequence(t[0], {t[1], t[2], t[3]}, p, true);
        return s.states.v + s.states.b * 0.5f + s.states.i * 0.1f;
      },
      {x, v0, i0, b0}, {1e-3f}));
}

TEST_CASE("nn::AdaLIF: the generic layer runs the step and records v, i, b") {
  nn::AdaLIF layer;
  layer.record_states = true;
  Rng rng(73);
  Tensor x = Tensor::rand({12, 2, 3}, rng, 0, 6);
  Tensor z = layer(x);
  CHECK(z.shape() == Shape{12, 2, 3});
  CHECK(sum(z).item() > 3);
  AdaLIFState s = ada_lif_initial_state({2, 3}, layer.p);
  for (int64_t t = 0; t < 12; ++t) s = ada_lif_step(select(x, t), s, layer.p).state;
  REQUIRE(layer.recorded().size() == 3);
  const char* names[] = {"v", "i", "b"};
  for (size_t k = 0; k < 3; ++k) {
    CHECK(layer.recorded()[k].first == names[k]);
    CHECK(layer.recorded()[k].second.shape() == Shape{12, 2, 3});
  }
  test::check_close(select(layer.recorded()[2].second, 11), s.b.to_vector(), 0);
  test::check_close(layer.state.v, s.v.to_vector(), 0);
  CHECK(layer.parameters().empty());
  CHECK_THROWS_AS(layer(Tensor::zeros({5})), std::invalid_argument);
}
