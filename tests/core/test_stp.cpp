#include <doctest/doctest.h>

#include "core/plasticity/tsodyks_markram.hpp"
#include "gradcheck.hpp"

using namespace soma;

namespace {

// Efficacies of a regular spike train: one spike every `period` steps, `spikes` of them.
std::vector<float> train(const TsodyksMarkramParameters& p, int period, int spikes) {
  TsodyksMarkramState s = tsodyks_markram_initial_state({1});
  std::vector<float> out;
  for (int t = 0; t < period * spikes; ++t) {
    bool spike = t % period == 0;
    TsodyksMarkramStep step = tsodyks_markram_step(Tensor::full({1}, spike ? 1.0f : 0.0f), s, p);
    s = step.state;
    if (spike) out.push_back(step.out.item());
    if (!spike) CHECK(step.out.item() == 0.0f);
  }
  return out;
}

}  // namespace

TEST_CASE("tsodyks-markram: u and x by hand for two spikes in a row") {
  TsodyksMarkramParameters p;  // u decays 0.02 per step, x recovers 0.001333 per step
  TsodyksMarkramState s = tsodyks_markram_initial_state({1});
  TsodyksMarkramStep a = tsodyks_markram_step(Tensor::ones({1}), s, p);
  CHECK(a.state.u.item() == doctest::Approx(0.45f));  // U (1 - 0)
  CHECK(a.out.item() == doctest::Approx(0.45f));      // u' x = 0.45 * 1: the first spike gives U
  CHECK(a.state.x.item() == doctest::Approx(0.55f));  // 1 - 0.45
  TsodyksMarkramStep b = tsodyks_markram_step(Tensor::ones({1}), a.state, p);
  float u2 = 0.45f * 0.98f + 0.45f * 0.55f;                 // 0.6885: the new u ...
  float x2 = 0.55f + 0.45f * (1.0f / 750.0f) - u2 * 0.55f;  // ... times the old x
  CHECK(b.state.u.item() == doctest::Approx(u2).epsilon(1e-6));
  CHECK(b.out.item() == doctest::Approx(u2 * 0.55f).epsilon(1e-6));
  CHECK(b.state.x.item() == doctest::Approx(x2).epsilon(1e-6));
  // Without a spike u decays towards 0 and x recovers towards 1.
  TsodyksMarkramStep c = tsodyks_markram_step(Tensor::zeros({1}), b.state, p);
  CHECK(c.state.u.item() == doctest::Approx(u2 * 0.98f).epsilon(1e-6));
  CHECK(c.state.x.item() == doctest::Approx(x2 + (1 - x2) / 750.0f).epsilon(1e-6));
  CHECK(c.out.item() == 0.0f);
}

TEST_CASE("tsodyks-markram: the default synapse depresses along a 20 Hz train") {
  std::vector<float> out = train({}, 50, 8);
  for (size_t k = 1; k < out.size(); ++k) CHECK(out[k] < out[k - 1]);
  CHECK(out.back() < 0.5f * out.front());
}

TEST_CASE("tsodyks-markram: a facilitating synapse grows along a 50 Hz train") {
  TsodyksMarkramParameters p;
  p.U = 0.15f, p.tau_f_inv = 1.0f / 0.75f, p.tau_d_inv = 20.0f;
  std::vector<float> out = train(p, 20, 5);
  CHECK(out.front() == doctest::Approx(0.15f));
  for (size_t k = 1; k < 3; ++k) CHECK(out[k] > out[k - 1]);
  CHECK(out[1] > 1.4f * out[0]);
}

TEST_CASE("tsodyks-markram gradient") {
  Rng rng(2);
  Tensor z = test::param({4, 3}, rng, 0.0f, 1.0f);
  Tensor u0 = test::param({3}, rng, 0.0f, 0.5f), x0 = test::param({3}, rng, 0.5f, 1.0f);
  TsodyksMarkramParameters p;
  p.dt = 0.01f;
  CHECK(test::gradcheck(
      [&](const Tensors& in) {
        TsodyksMarkramState s{in[1], in[2]};
        Tensors outs;
        for (int64_t t = 0; t < 4; ++t) {
          TsodyksMarkramStep step = tsodyks_markram_step(select(in[0], t), s, p);
          s = step.state;
          outs.push_back(step.out + s.u * s.x);
        }
        return stack(outs);
      },
      {z, u0, x0}));
}
