#include <doctest/doctest.h>

#include "core/neuron/li.hpp"
#include "core/neuron/lif.hpp"
#include "core/neuron/lif_box.hpp"
#include "gradcheck.hpp"

using namespace soma;

TEST_CASE("lif golden values from Norse: unit input from rest") {
  LIFParameters p;
  LIFState s = lif_initial_state({1}, p);
  std::vector<float> v, z;
  for (int t = 0; t < 8; ++t) {
    LIFStep step = lif_step(Tensor::ones({1}), s, p);
    s = step.state;
    v.push_back(s.v.item());
    z.push_back(step.z.item());
  }
  test::check_close(Tensor::from({8}, v),
                    {0.1f, 0.27f, 0.487f, 0.7335f, 0.9963f, 0, 0.3951f, 0.7717f}, 1e-4f);
  test::check_close(Tensor::from({8}, z), {0, 0, 0, 0, 0, 1, 0, 0});
  LIFSequence seq = lif_sequence(Tensor::ones({8, 1}), lif_initial_state({1}, p), p, true);
  test::check_close(seq.v, v, 1e-5f);
  CHECK(sum(seq.z).item() == 1.0f);
}

namespace {
// The same T steps through lif_step, stacked.
LIFSequence composed(const Tensor& x, const LIFState& s0, const LIFParameters& p) {
  LIFState s = s0;
  Tensors zs, vs;
  for (int64_t t = 0; t < x.size(0); ++t) {
    LIFStep step = lif_step(select(x, t), s, p);
    s = step.state;
    zs.push_back(step.z);
    vs.push_back(s.v);
  }
  return {stack(zs), s, stack(vs)};
}

void check_fused_matches_composed(LIFParameters p) {
  Rng rng(11);
  Tensor x = test::param({20, 3, 4}, rng, 0.0f, 6.0f);
  Tensor v0 = test::param({3, 4}, rng, -0.5f, 0.9f), i0 = test::param({3, 4}, rng, 0.0f, 2.0f);
  Tensor wz = Tensor::rand({20, 3, 4}, rng, -1, 1), wv = Tensor::rand({20, 3, 4}, rng, -1, 1);
  auto run = [&](bool fused) {
    for (Tensor t : {x, v0, i0}) t.zero_grad();
    LIFSequence r = fused ? lif_sequence(x, {v0, i0}, p, true) : composed(x, {v0, i0}, p);
    Tensor loss = sum(r.z * wz) + sum(r.v * wv) + sum(r.state.v) + 0.5f * sum(r.state.i);
    loss.backward();
    return Tensors{r.z.detach(), r.v.detach(), x.grad().clone(), v0.grad().clone(),
                   i0.grad().clone()};
  };
  Tensors a = run(true), b = run(false);
  CHECK(sum(a[0]).item() > 10);  // the comparison exercises spikes and resets
  for (size_t k = 0; k < a.size(); ++k) test::check_close(a[k], b[k].to_vector(), 1e-5f);
}
}  // namespace

TEST_CASE("lif_sequence equals the composed steps in values and gradients") {
  LIFParameters p;
  SUBCASE("reset to value, SuperSpike") {
    check_fused_matches_composed(p);
  }
  SUBCASE("reset by subtraction, triangle") {
    p.reset = Reset::subtract;
    p.surrogate = {SurrogateMethod::triangle, 0.3f};
    check_fused_matches_composed(p);
  }
}

TEST_CASE("lif_sequence gradient matches finite differences below threshold") {
  // Without spikes the dynamics are smooth, so finite differences check the adjoint scan.
  LIFParameters p;
  Rng rng(12);
  Tensor x = test::param({6, 2, 3}, rng, -1, 1);
  Tensor v0 = test::param({2, 3}, rng, -0.3f, 0.3f), i0 = test::param({2, 3}, rng, -0.5f, 0.5f);
  CHECK(test::gradcheck(
      [&p](const Tensors& t) {
        LIFSequence r = lif_sequence(t[0], {t[1], t[2]}, p, true);
        return cat({r.v, unsqueeze(r.state.i, 0)}, 0);
      },
      {x, v0, i0}));
}

TEST_CASE("lif_box golden values from Norse") {
  // From v = 10 with inputs 1,1,1,1,1,0,0: the first step spikes and resets to 0.
  LIFBoxParameters p;
  Tensor x = Tensor::from({7, 1}, {1, 1, 1, 1, 1, 0, 0});
  LIFBoxSequence r = lif_box_sequence(x, Tensor::full({1}, 10), p, true);
  test::check_close(r.trace, {0, 0.1f, 0.19f, 0.271f, 0.3439f, 0.3095f, 0.2786f}, 1e-4f);
  Tensor v = Tensor::full({1}, 10);
  for (int t = 0; t < 7; ++t) v = lif_box_step(select(x, t), v, p).v;
  CHECK(v.item() == doctest::Approx(0.2786f).epsilon(1e-3));
}

TEST_CASE("li_sequence equals li_step, and both LI kinds pass gradient checks") {
  Rng rng(13);
  for (bool box : {false, true}) {
    LIParameters p;
    p.box = box;
    Tensor x = test::param({7, 2, 3}, rng, -2, 2);
    LIFState s0{test::param({2, 3}, rng), box ? Tensor::zeros({2, 3}) : test::param({2, 3}, rng)};
    LISequence seq = li_sequence(x, s0, p);
    LIFState s = s0;
    for (int t = 0; t < 7; ++t) s = li_step(select(x, t), s, p);
    test::check_close(seq.state.v, s.v.to_vector(), 1e-6f);
    test::check_close(select(seq.v, 6), s.v.to_vector(), 1e-6f);
    CHECK(test::gradcheck(
        [&p](const Tensors& t) {
          return li_sequence(t[0], {t[1], t[2]}, p).v;
        },
        {x, s0.v, s0.i}));
  }
}

TEST_CASE("lif_box sequence gradients equal the composed steps") {
  LIFBoxParameters p;
  p.surrogate.alpha = 10;
  Rng rng(14);
  Tensor x = test::param({15, 4}, rng, 0, 25);
  Tensor v0 = test::param({4}, rng, 0, 0.5f);
  auto loss = [&](bool fused) {
    x.zero_grad();
    v0.zero_grad();
    Tensor z;
    if (fused) {
      z = lif_box_sequence(x, v0, p).z;
    } else {
      Tensor v = v0;
      Tensors zs;
      for (int t = 0; t < 15; ++t) {
        LIFBoxStep s = lif_box_step(select(x, t), v, p);
        v = s.v;
        zs.push_back(s.z);
      }
      z = stack(zs);
    }
    sum(z * reshape(Tensor::arange(15), {15, 1})).backward();
    return Tensors{z.detach(), x.grad().clone(), v0.grad().clone()};
  };
  Tensors a = loss(true), b = loss(false);
  CHECK(sum(a[0]).item() > 3);
  for (size_t k = 0; k < a.size(); ++k) test::check_close(a[k], b[k].to_vector(), 1e-5f);
}
