#include <doctest/doctest.h>

#include "core/neuron/lif_mc.hpp"
#include "core/ops/ops.hpp"
#include "core/random/rng.hpp"
#include "gradcheck.hpp"

using namespace soma;

TEST_CASE("lif_mc: two steps by hand") {
  // g couples compartment 1 into 0: v_c = (v0 + dt 10 v1, v1); then v~ = 0.9 v_c with no input.
  LIFParameters p;
  Tensor g = Tensor::from({2, 2}, {0, 10, 0, 0});
  LIFState s{Tensor::from({1, 2}, {0.5f, 0.2f}), Tensor::zeros({1, 2})};
  LIFStep a = lif_mc_step(Tensor::zeros({1, 2}), s, g, p);
  test::check_close(a.state.v, {0.4518f, 0.18f}, 1e-6f);
  LIFStep b = lif_mc_step(Tensor::zeros({1, 2}), a.state, g, p);
  test::check_close(b.state.v, {0.40824f, 0.162f}, 1e-6f);
  LIFSequence seq = lif_mc_sequence(Tensor::zeros({2, 1, 2}), s, g, p, true);
  test::check_close(seq.v, {0.4518f, 0.18f, 0.40824f, 0.162f}, 1e-6f);
}

namespace {
LIFSequence composed(const Tensor& x, const LIFState& s0, const Tensor& g, const LIFParameters& p) {
  LIFState s = s0;
  Tensors zs, vs;
  for (int64_t t = 0; t < x.size(0); ++t) {
    LIFStep st = lif_mc_step(select(x, t), s, g, p);
    s = st.state;
    zs.push_back(st.z), vs.push_back(s.v);
  }
  return {stack(zs), s, stack(vs)};
}
}  // namespace

TEST_CASE("lif_mc_sequence equals the composed steps; gradients reach x, g and the state") {
  LIFParameters p;
  Rng rng(51);
  const int64_t T = 20, B = 3, H = 4;
  Tensor x = test::param({T, B, H}, rng, 0, 6), g = test::param({H, H}, rng, -2, 2);
  Tensor v0 = test::param({B, H}, rng, -0.5f, 0.9f), i0 = test::param({B, H}, rng, 0, 2);
  Tensor wz = Tensor::rand({T, B, H}, rng, -1, 1), wv = Tensor::rand({T, B, H}, rng, -1, 1);
  auto run = [&](bool fused) {
    for (Tensor t : {x, g, v0, i0}) t.zero_grad();
    LIFSequence r = fused ? lif_mc_sequence(x, {v0, i0}, g, p, true) : composed(x, {v0, i0}, g, p);
    (sum(r.z * wz) + sum(r.v * wv) + sum(r.state.v) + sum(r.state.i)).backward();
    return Tensors{r.z.detach(),     r.v.detach(),      x.grad().clone(),
                   g.grad().clone(), v0.grad().clone(), i0.grad().clone()};
  };
  Tensors a = run(true), b = run(false);
  CHECK(sum(a[0]).item() > 10);
  for (size_t k = 0; k < a.size(); ++k) test::check_close(a[k], b[k].to_vector(), 1e-5f);
}

TEST_CASE("lif_mc_sequence matches finite differences in x and g, with spikes") {
  LIFParameters p;
  p.surrogate = {SurrogateMethod::heaviside, 0};
  Rng rng(52);
  Tensor x = test::param({6, 2, 3}, rng, 0, 8), g = test::param({3, 3}, rng, -3, 3);
  Tensor v0 = test::param({2, 3}, rng, -0.3f, 0.3f), i0 = test::param({2, 3}, rng, 0, 1);
  CHECK(sum(lif_mc_sequence(x, {v0, i0}, g, p).z).item() >= 2);
  CHECK(test::gradcheck(
      [&p](const Tensors& t) {
        return lif_mc_sequence(t[0], {t[2], t[3]}, t[1], p, true).v;
      },
      {x, g, v0, i0}, {1e-3f}));
}

TEST_CASE("nn::LIFMCRecurrent: Norse's LIFMCRecurrentCell, by hand; no autapses; gradients") {
  Rng rng(53);
  const int64_t T = 15, B = 2, I = 3, H = 4;
  nn::LIFMCRecurrent m(I, H, rng);
  m.record_states = true;
  Tensor x = Tensor::rand({T, B, I}, rng, 0, 2);
  Tensor z = m(x);
  CHECK(z.shape() == Shape{T, B, H});
  CHECK(sum(z).item() > 3);
  // The same steps from the equations: coupling, then the LIF step with the input current
  // W_in x_t + W_rec z_{t-1} reaching v the same step (Norse after PR #326).
  LIFParameters p;
  Tensor w_rec = m.recurrent_weights *
                 (1.0f - Tensor::from({H, H}, {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}));
  Tensor v = Tensor::zeros({B, H}), i = Tensor::zeros({B, H}), zp = Tensor::zeros({B, H});
  Tensors vs;
  for (int64_t t = 0; t < T; ++t) {
    Tensor vc = v + linear(v, m.g) * p.dt;
    Tensor j = i + linear(select(x, t), m.input_weights) + linear(zp, w_rec);
    Tensor vd = vc + (0.0f - vc + j) * 0.1f;
    zp = spike_fn(vd - 1.0f, p.surrogate);
    v = vd * (1.0f - zp), i = j * 0.8f;
    vs.push_back(v);
  }
  test::check_close(m.recorded()[0].second, stack(vs).to_vector(), 1e-5f);
  sum(z * Tensor::rand({T, B, H}, rng)).backward();
  for (const Tensor& w : {m.input_weights, m.recurrent_weights, m.g}) {
    REQUIRE(w.grad().defined());
    CHECK(sum(abs(w.grad())).item() > 0);
  }
  for (int64_t k = 0; k < H; ++k) CHECK(m.recurrent_weights.grad().at({k, k}) == 0);
}
