#include <doctest/doctest.h>

#include "core/autograd/grad_mode.hpp"
#include "core/neuron/lif_adex.hpp"
#include "core/neuron/lif_ex.hpp"
#include "gradcheck.hpp"

using namespace soma;

namespace {
std::vector<float> column(const Tensors& ts) {
  std::vector<float> out;
  for (const Tensor& t : ts) out.push_back(t.item());
  return out;
}

// Times of the spikes of a (T, 1) spike train.
std::vector<int> spike_times(const Tensor& z) {
  std::vector<int> t;
  for (int64_t k = 0; k < z.numel(); ++k)
    if (z.data()[k] > 0) t.push_back(int(k));
  return t;
}

std::vector<int> intervals(const std::vector<int>& t) {
  std::vector<int> isi;
  for (size_t k = 1; k < t.size(); ++k) isi.push_back(t[k] - t[k - 1]);
  return isi;
}
}  // namespace

TEST_CASE("lif_ex and lif_adex steps equal values computed by hand") {
  // x = 2 from rest. Step 1: j = 2, v = 0.1 (2 + 0.5 e^-2) = 0.2067668, i = 1.6; a stays 0 since
  // v was 0. Step 3 crosses v_th and resets.
  Tensor x = Tensor::full({4, 1}, 2);
  LIFAdExParameters p;
  LIFAdExState s = lif_adex_initial_state({1}, p);
  Tensors z, v, i, a;
  for (int t = 0; t < 4; ++t) {
    LIFAdExStep r = lif_adex_step(select(x, t), s, p);
    s = r.state;
    z.push_back(r.z), v.push_back(s.v), i.push_back(s.i), a.push_back(s.a);
  }
  test::check_close(Tensor::from({4}, column(z)), {0, 0, 1, 0});
  test::check_close(Tensor::from({4}, column(v)), {0.2067668f, 0.5563225f, 0, 0.5945566f});
  test::check_close(Tensor::from({4}, column(i)), {1.6f, 2.88f, 3.904f, 4.7232f});
  test::check_close(Tensor::from({4}, column(a)), {0, 0.0016541f, 0.0261014f, 0.0260492f});

  LIFExParameters pe;  // the same without adaptation
  Sequence<LIFExState> ex = lif_ex_sequence(x, lif_ex_initial_state({1}, pe), pe, true);
  test::check_close(ex.z, {0, 0, 1, 0});
  test::check_close(ex.states.v, {0.2067668f, 0.5563225f, 0, 0.5971668f});
  test::check_close(ex.states.i, {1.6f, 2.88f, 3.904f, 4.7232f});

  // From a non-rest state: v 0.5, i 0.2, a 0.3, inputs 0.5, 0.5, 3.
  Sequence<LIFAdExState> r = lif_adex_sequence(
      Tensor::from({3, 1}, {0.5f, 0.5f, 3}),
      {Tensor::full({1}, 0.5f), Tensor::full({1}, 0.2f), Tensor::full({1}, 0.3f)}, p, true);
  test::check_close(r.states.v, {0.5083940f, 0.5519200f, 0.8712486f});
  test::check_close(r.states.a, {0.3034f, 0.3068604f, 0.3106620f});
  test::check_close(r.state.i, {3.0784f});
}

TEST_CASE("lif_ex with a vanishing Delta_T is the LIF") {
  LIFExParameters p;
  p.delta_t = 0.01f;  // the exponential term is 0.01 e^{-100 (1 - v)}: nothing below ~0.9
  Sequence<LIFExState> r =
      lif_ex_sequence(Tensor::ones({8, 1}), lif_ex_initial_state({1}, p), p, true);
  test::check_close(r.states.v, {0.1f, 0.27f, 0.487f, 0.7335f, 0.9963f, 0, 0.3951f, 0.7717f},
                    1e-4f);
}

TEST_CASE("lif_adex adaptation lengthens inter-spike intervals") {
  NoGrad ng;
  Tensor x = Tensor::full({1500, 1}, 0.4f);
  LIFAdExParameters p;
  LIFExParameters pe;
  std::vector<int> isi =
      intervals(spike_times(lif_adex_sequence(x, lif_adex_initial_state({1}, p), p).z));
  std::vector<int> isi_ex =
      intervals(spike_times(lif_ex_sequence(x, lif_ex_initial_state({1}, pe), pe).z));
  REQUIRE(isi.size() >= 5);
  REQUIRE(isi_ex.size() > isi.size());
  // Without adaptation the rhythm settles to a fixed interval; with it the intervals grow.
  CHECK(isi_ex.back() == isi_ex[isi_ex.size() - 2]);
  for (size_t k = 2; k < isi.size(); ++k) CHECK(isi[k] >= isi[k - 1]);
  CHECK(isi.back() > isi_ex.back() + 5);
}

TEST_CASE("lif_adex spikes pass gradients through the surrogate") {
  // One step from rest: v~ = 0.1 (x + 0.5 e^-2), z = H(v~ - 1), so dz/dx = 0.1 s'(v~ - 1).
  LIFAdExParameters p;
  Tensor x = Tensor::full({1}, 12);
  x.requires_grad_();
  LIFAdExStep r = lif_adex_step(x, lif_adex_initial_state({1}, p), p);
  r.z.backward(Tensor::ones({1}));
  float v_dec = 0.1f * (12 + 0.5f * std::exp(-2.0f));
  CHECK(r.z.item() == 1);
  CHECK(x.grad().item() == doctest::Approx(0.1f * p.surrogate.grad(v_dec - 1)).epsilon(1e-5));
}

TEST_CASE("lif_ex and lif_adex sequences pass gradient checks below threshold") {
  // No spikes: the dynamics are smooth, and SuperSpike (alpha 100) is ~1e-4 this far from v_th.
  Rng rng(21);
  Tensor x = test::param({6, 2, 3}, rng, -1, 1);
  Tensor v0 = test::param({2, 3}, rng, -0.3f, 0.3f), i0 = test::param({2, 3}, rng, -0.5f, 0.5f);
  Tensor a0 = test::param({2, 3}, rng, -0.5f, 0.5f);
  LIFAdExParameters p;
  p.tau_ada_inv = 50;  // a visible adaptation within six steps
  CHECK(test::gradcheck(
      [&p](const Tensors& t) {
        Sequence<LIFAdExState> r = lif_adex_sequence(t[0], {t[1], t[2], t[3]}, p, true);
        CHECK(sum(r.z).item() == 0);
        return cat({r.states.v, r.states.i, r.states.a}, 0);
      },
      {x, v0, i0, a0}));
  LIFExParameters pe;
  CHECK(test::gradcheck(
      [&pe](const Tensors& t) {
        Sequence<LIFExState> r = lif_ex_sequence(t[0], {t[1], t[2]}, pe, true);
        return cat({r.states.v, r.states.i}, 0);
      },
      {x, v0, i0}));
}

TEST_CASE("LIFEx and LIFAdEx modules record their states") {
  Rng rng(22);
  Tensor x = Tensor::rand({5, 2, 3}, rng, 0, 8);
  nn::LIFAdEx layer;
  layer.record_states = true;
  Tensor z = layer(x);
  Sequence<LIFAdExState> ref = lif_adex_sequence(x, lif_adex_initial_state({2, 3}, {}), {}, true);
  test::check_close(z, ref.z.to_vector());
  CHECK(sum(z).item() > 0);
  const auto& rec = layer.recorded();
  REQUIRE(rec.size() == 3);
  CHECK(rec[0].first == "v");
  CHECK(rec[1].first == "i");
  CHECK(rec[2].first == "a");
  for (const auto& [name, t] : rec) CHECK(t.shape() == Shape{5, 2, 3});
  test::check_close(rec[0].second, ref.states.v.to_vector());
  test::check_close(rec[2].second, ref.states.a.to_vector());
  test::check_close(layer.state.a, select(ref.states.a, 4).to_vector());

  nn::LIFEx ex;
  ex(x);
  CHECK(ex.recorded().empty());
  CHECK(ex.state.v.shape() == Shape{2, 3});
  CHECK_THROWS_AS(ex(Tensor::zeros({0, 2})), std::invalid_argument);
}
