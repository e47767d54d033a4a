#include <doctest/doctest.h>

#include "core/autograd/grad_mode.hpp"
#include "core/neuron/lif_adex_refrac.hpp"
#include "core/neuron/lif_refrac.hpp"
#include "gradcheck.hpp"

using namespace soma;

TEST_CASE("lif_refrac: exactly 5 dead steps after each spike under strong drive, v held") {
  // x = 20 makes the free LIF spike on every step; refractoriness leaves one spike in six.
  NoGrad ng;
  LIFRefracParameters p;
  Tensor x = Tensor::full({20, 1}, 20);
  CHECK(sum(lif_sequence(x, lif_initial_state({1}, p.lif), p.lif).z).item() == 20);
  Sequence<LIFRefracState> r = lif_refrac_sequence(x, lif_refrac_initial_state({1}, p), p, true);
  std::vector<float> z(20, 0.0f), rho(20, 0.0f);
  for (int t = 0; t < 20; ++t) {
    z[t] = t % 6 == 0 ? 1.0f : 0.0f;
    rho[t] = float((5 - t % 6 + 6) % 6);  // 5, 4, 3, 2, 1, 0, 5, ...
  }
  test::check_close(r.z, z);
  test::check_close(r.states.rho, rho);
  test::check_close(r.states.lif.v, std::vector<float>(20, 0.0f));  // v_reset, held
  CHECK(r.states.lif.i.data()[19] > 20);                            // i keeps integrating
}

TEST_CASE("lif_refrac steps equal values computed by hand") {
  // From v = 0.5, i = 0, rho = 2 with x = 1: two held steps (rho 1, 0) while i integrates
  // (0.8, 1.44), then a free LIF step: v = 0.5 + 0.1 (0 - 0.5 + 2.44) = 0.694, i = 1.952.
  LIFRefracParameters p;
  LIFRefracState s{{Tensor::full({1}, 0.5f), Tensor::zeros({1})}, Tensor::full({1}, 2)};
  Sequence<LIFRefracState> r = lif_refrac_sequence(Tensor::ones({3, 1}), s, p, true);
  test::check_close(r.states.lif.v, {0.5f, 0.5f, 0.694f});
  test::check_close(r.states.lif.i, {0.8f, 1.44f, 1.952f});
  test::check_close(r.states.rho, {1, 0, 0});
  test::check_close(r.z, {0, 0, 0});
  // A held neuron over threshold does not fire.
  LIFRefracStep held = lif_refrac_step(Tensor::full({1}, 50), s, p);
  CHECK(held.z.item() == 0);
  CHECK(held.state.lif.v.item() == 0.5f);
  CHECK(held.state.rho.item() == 1);
}

TEST_CASE("lif_adex_refrac: 5 dead steps, v held, adaptation jumps only on emitted spikes") {
  NoGrad ng;
  LIFAdExRefracParameters p;
  Tensor x = Tensor::full({14, 1}, 20);
  Sequence<LIFAdExRefracState> r =
      lif_adex_refrac_sequence(x, lif_adex_refrac_initial_state({1}, p), p, true);
  std::vector<float> want(14, 0.0f);
  want[0] = want[6] = want[12] = 1;
  test::check_close(r.z, want);
  const float* v = r.states.adex.v.data();
  const float* a = r.states.adex.a.data();
  float v_prev = 0, a_prev = 0, k = p.adex.dt * p.adex.tau_ada_inv;
  for (int t = 0; t < 14; ++t) {
    if (t % 6 != 0) CHECK(v[t] == v_prev);  // held at v_reset
    float a_free = a_prev + k * (p.adex.adaptation_current * v_prev - a_prev);
    CHECK(a[t] == doctest::Approx(a_free + p.adex.adaptation_spike * want[t]).epsilon(1e-6));
    v_prev = v[t], a_prev = a[t];
  }
}

TEST_CASE("refractory sequences pass gradient checks below threshold") {
  // Some neurons start refractory (rho 3), so the held branch is checked too: there
  // dv/dv0 = 1 for three steps. rho is piecewise constant and takes no gradient here.
  Rng rng(31);
  Tensor x = test::param({5, 2, 3}, rng, -1, 1);
  Tensor v0 = test::param({2, 3}, rng, -0.3f, 0.3f), i0 = test::param({2, 3}, rng, -0.5f, 0.5f);
  Tensor a0 = test::param({2, 3}, rng, -0.5f, 0.5f);
  Tensor rho0 = Tensor::from({2, 3}, {0, 3, 0, 3, 0, 3});
  LIFRefracParameters p;
  CHECK(test::gradcheck(
      [&](const Tensors& t) {
        Sequence<LIFRefracState> r = lif_refrac_sequence(t[0], {{t[1], t[2]}, rho0}, p, true);
        CHECK(sum(r.z).item() == 0);
        return cat({r.states.lif.v, r.states.lif.i}, 0);
      },
      {x, v0, i0}));
  LIFAdExRefracParameters pa;
  CHECK(test::gradcheck(
      [&](const Tensors& t) {
        Sequence<LIFAdExRefracState> r =
            lif_adex_refrac_sequence(t[0], {{t[1], t[2], t[3]}, rho0}, pa, true);
        return cat({r.states.adex.v, r.states.adex.i, r.states.adex.a}, 0);
      },
      {x, v0, i0, a0}));
}

TEST_CASE("LIFRefrac and LIFAdExRefrac modules record v, i, (a,) rho") {
  Tensor x = Tensor::full({8, 2, 2}, 20);
  nn::LIFRefrac layer;
  layer.record_states = true;
  Tensor z = layer(x);
  CHECK(z.shape() == Shape{8, 2, 2});
  CHECK(sum(z).item() == 8);  // spikes at t = 0 and 6 in each of 4 neurons
  const auto& rec = layer.recorded();
  REQUIRE(rec.size() == 3);
  CHECK(rec[2].first == "rho");
  for (const auto& [name, t] : rec) CHECK(t.shape() == Shape{8, 2, 2});
  test::check_close(select(rec[2].second, 1), {4, 4, 4, 4});
  test::check_close(layer.state.rho, {4, 4, 4, 4});  // spiked at t = 6, now t = 7

  nn::LIFAdExRefrac adex;
  adex.record_states = true;
  test::check_close(adex(x), z.to_vector());
  REQUIRE(adex.recorded().size() == 4);
  CHECK(adex.recorded()[2].first == "a");
  CHECK(adex.recorded()[3].second.shape() == Shape{8, 2, 2});
}
