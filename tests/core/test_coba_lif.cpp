#include <doctest/doctest.h>

#include "core/neuron/coba_lif.hpp"
#include "gradcheck.hpp"

using namespace soma;

namespace {
// Values uniform in +-[lo, hi]: away from relu's kink at 0, so finite differences are valid.
Tensor signed_param(const Shape& shape, Rng& rng, float lo, float hi) {
  Tensor t = Tensor::rand(shape, rng, -1, 1);
  for (float& e : t.array()) e = (e < 0 ? -1.0f : 1.0f) * (lo + (hi - lo) * std::fabs(e));
  t.requires_grad_();
  return t;
}
}  // namespace

TEST_CASE("coba_lif steps equal values computed by hand") {
  // From v = v_rest = -20 with x = 1: g_e = 1, v = -20 + 5e-3 (0 + 1 * (60 + 20)) = -19.6.
  // x = -0.5 adds 0.5 to g_i; x = 30 drives v over v_th = -10 and resets it to -70.
  CobaLIFParameters p;
  Sequence<CobaLIFState> r = coba_lif_sequence(Tensor::from({5, 1}, {1, -0.5f, 2, 30, 0}),
                                               coba_lif_initial_state({1}, p), p, true);
  test::check_close(r.z, {0, 0, 0, 1, 0});
  test::check_close(r.states.v, {-19.6f, -19.4035796f, -18.4148810f, -70, -48.5673948f}, 2e-5f);
  test::check_close(r.states.g_e, {1, 0.9998f, 2.9996f, 32.999f, 32.9924003f});
  test::check_close(r.states.g_i, {0, 0.5f, 0.4999f, 0.4998f, 0.4997001f});
}

TEST_CASE("coba_lif_recurrent_step adds the input and the recurrent conductances") {
  // Norse's recurrent step lets the recurrent term overwrite the input term; here both count.
  // Each weight goes to g_e when positive and to g_i when negative.
  CobaLIFParameters p;
  Tensor w_in = Tensor::from({2, 2}, {1, -2, 0.5f, 0});
  Tensor w_rec = Tensor::from({2, 2}, {0, 3, -1, 0});
  CobaLIFRecurrentState s = coba_lif_recurrent_initial_state({1, 2}, p);
  s.z = Tensor::ones({1, 2});
  CobaLIFRecurrentStep r = coba_lif_recurrent_step(Tensor::ones({1, 2}), s, w_in, w_rec, p);
  test::check_close(r.state.g_e, {1 + 3, 0.5f});
  test::check_close(r.state.g_i, {2, 1});
  // v = -20 + 5e-3 (g_e (60 + 20) + g_i (-100 + 20))
  test::check_close(r.state.v, {-20 + 5e-3f * (4 * 80 - 2 * 80), -20 + 5e-3f * (0.5f * 80 - 80)});
  test::check_close(r.state.z, {0, 0});
}

TEST_CASE("coba_lif sequences pass gradient checks below threshold") {
  Rng rng(41);
  CobaLIFParameters p;
  Tensor x = signed_param({4, 2, 3}, rng, 0.1f, 0.6f);
  Tensor v0 = test::param({2, 3}, rng, -25, -18), ge0 = test::param({2, 3}, rng, 0, 1);
  Tensor gi0 = test::param({2, 3}, rng, 0, 1);
  CHECK(test::gradcheck(
      [&p](const Tensors& t) {
        Sequence<CobaLIFState> r = coba_lif_sequence(t[0], {t[1], t[2], t[3]}, p, true);
        CHECK(sum(r.z).item() == 0);
        return cat({r.states.v, r.states.g_e, r.states.g_i}, 0);
      },
      {x, v0, ge0, gi0}));

  // Recurrent: fixed input spikes and initial spikes, so both weight matrices get gradients.
  Tensor z_in = Tensor::from({3, 1, 2}, {1, 0, 1, 1, 0, 1});
  Tensor w_in = signed_param({3, 2}, rng, 0.1f, 1);
  Tensor w_rec = signed_param({3, 3}, rng, 0.1f, 1);
  CobaLIFRecurrentState s0 = coba_lif_recurrent_initial_state({1, 3}, p);
  s0.z = Tensor::from({1, 3}, {1, 0, 1});
  CHECK(test::gradcheck(
      [&](const Tensors& t) {
        auto r =
            coba_lif_recurrent_sequence(z_in, {s0.z, t[2], s0.g_e, s0.g_i}, t[0], t[1], p, true);
        CHECK(sum(r.z).item() == 0);
        return cat({r.states.v, r.states.g_e, r.states.g_i}, 0);
      },
      {w_in, w_rec, test::param({1, 3}, rng, -25, -18)}));
}

TEST_CASE("CobaLIF modules: shapes, recorded states, no autapses") {
  nn::CobaLIF ff;
  ff.record_states = true;
  Tensor x = Tensor::full({6, 2, 3}, 5);
  Tensor z = ff(x);
  CHECK(z.shape() == Shape{6, 2, 3});
  CHECK(sum(z).item() > 0);
  REQUIRE(ff.recorded().size() == 3);
  CHECK(ff.recorded()[1].first == "g_e");
  test::check_close(select(ff.recorded()[1].second, 0), std::vector<float>(6, 5.0f));

  Rng rng(42);
  nn::CobaLIFRecurrent rec(4, 3, rng);
  rec.record_states = true;
  CHECK(rec.named_parameters().size() == 2);
  for (int k = 0; k < 3; ++k) CHECK(rec.recurrent_weights.at({k, k}) == 0);
  Tensor spikes = Tensor::from({5, 2, 4}, std::vector<float>(40, 1.0f));
  rec.input_weights.detach().fill_(2);  // every neuron fires on the first step
  Tensor out = rec(spikes);
  CHECK(out.shape() == Shape{5, 2, 3});
  REQUIRE(rec.recorded().size() == 4);
  CHECK(rec.recorded()[0].first == "z");
  for (const auto& [name, t] : rec.recorded()) CHECK(t.shape() == Shape{5, 2, 3});
  test::check_close(rec.recorded()[0].second, out.to_vector());
  sum(rec.recorded()[1].second).backward();
  CHECK(sum(abs(rec.recurrent_weights.grad())).item() > 0);
  for (int k = 0; k < 3; ++k) CHECK(rec.recurrent_weights.grad().at({k, k}) == 0);
  CHECK_THROWS_AS(rec(Tensor::zeros({5, 2, 3})), std::invalid_argument);
}
