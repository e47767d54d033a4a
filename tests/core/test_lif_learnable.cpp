// LIFRecurrentLearnable: per-neuron tau_mem, tau_syn and v_th as parameters. It starts as the
// fixed layer does, its step is the documented one by hand, its gradients in all three (and the
// weights) match finite differences, training moves each neuron's constants apart, and NIR
// carries them per neuron.
#include <doctest/doctest.h>

#include <cmath>

#include "core/neuron/lif_learnable.hpp"
#include "core/nir/export.hpp"
#include "core/nir/load.hpp"
#include "core/nir/network.hpp"
#include "core/ops/ops.hpp"
#include "core/optim/adam.hpp"
#include "gradcheck.hpp"
#include "temp_dir.hpp"

using namespace soma;

namespace {

float sigmoid_of(float x) {
  return 1.0f / (1.0f + std::exp(-x));
}

float max_diff(const Tensor& a, const Tensor& b) {
  REQUIRE(a.numel() == b.numel());
  float m = 0;
  for (int64_t k = 0; k < a.numel(); ++k) m = std::max(m, std::abs(a.data()[k] - b.data()[k]));
  return m;
}

Tensor recorded(const nn::SpikingModule& m, const std::string& name) {
  for (const auto& [n, t] : m.recorded())
    if (n == name) return t;
  FAIL("no recorded " << name);
  return {};
}

// How far a parameter's entries lie from its first one.
float spread(const Tensor& t) {
  return max_diff(t, Tensor::full(t.shape(), t.data()[0]));
}

}  // namespace

TEST_CASE("lif learnable: starts as LIFRecurrent with the same constants") {
  LIFParameters p;
  p.v_th = 0.5f;
  Rng a(3), b(3);
  nn::LIFRecurrent fixed(5, 7, a, p);
  nn::LIFRecurrentLearnable learn(5, 7, b, p);
  CHECK(sigmoid_of(learn.mem_logit.data()[0]) == doctest::Approx(0.1f).epsilon(1e-6));
  CHECK(sigmoid_of(learn.syn_logit.data()[6]) == doctest::Approx(0.2f).epsilon(1e-6));
  Rng rng(4);
  Tensor x = Tensor::rand({30, 2, 5}, rng, 0, 3);
  fixed.record_states = learn.record_states = true;
  Tensor z1 = fixed(x), z2 = learn(x);
  CHECK(sum(z1).item() > 10);  // the comparison sees spikes
  CHECK(max_diff(z1, z2) == 0);
  CHECK(max_diff(recorded(fixed, "v"), recorded(learn, "v")) < 1e-5f);
  CHECK(max_diff(recorded(fixed, "i"), recorded(learn, "i")) < 1e-5f);
}

TEST_CASE("lif learnable: one step by hand with two neurons' own constants") {
  LIFParameters p;
  LIFNeuronTensors q{Tensor::from({2}, {0.1f, 0.5f}), Tensor::from({2}, {0.8f, 0.0f}),
                     Tensor::from({2}, {1.0f, 0.3f})};
  LIFRecurrentState s{Tensor::zeros({1, 2}), Tensor::from({1, 2}, {0.2f, 0.2f}),
                      Tensor::from({1, 2}, {1.0f, 0.0f})};
  Tensor w_rec = Tensor::zeros({2, 2});
  LIFRecurrentStep r = lif_recurrent_step(Tensor::from({1, 2}, {2.0f, 1.0f}), w_rec, s, p, q);
  // j = i + x = (3, 1); v~ = v + f (0 - v + j) = (0.2 + 0.1 * 2.8, 0.2 + 0.5 * 0.8) = (0.48, 0.6)
  // z = (v~ > v_th) = (0, 1); v = (0.48, 0); i' = j keep = (2.4, 0)
  test::check_close(r.z, {0, 1}, 0);
  test::check_close(r.state.v, {0.48f, 0.0f}, 1e-6f);
  test::check_close(r.state.i, {2.4f, 0.0f}, 1e-6f);
  p.reset = Reset::subtract;  // v = v~ - z v_th with the neuron's own threshold: (0.48, 0.3)
  r = lif_recurrent_step(Tensor::from({1, 2}, {2.0f, 1.0f}), w_rec, s, p, q);
  test::check_close(r.state.v, {0.48f, 0.3f}, 1e-6f);
}

TEST_CASE("lif learnable: gradients in mem_logit, syn_logit, v_th and the weights") {
  LIFParameters p;
  p.surrogate = {SurrogateMethod::heaviside, 0};  // z is a step: only the smooth paths count
  p.reset = Reset::subtract;                      // so v_th also acts through the reset
  Rng rng(9);
  nn::LIFRecurrentLearnable m(3, 4, rng, p);
  m.mem_logit.data()[1] = -1.0f, m.syn_logit.data()[2] = 0.5f, m.v_th.data()[3] = 0.6f;
  m.record_states = true;
  Tensor x = Tensor::rand({8, 2, 3}, rng, 0, 4);
  CHECK(sum(m(x)).item() >= 2);
  CHECK(test::gradcheck(
      [&](const Tensors&) {
        m(x);
        return recorded(m, "v");
      },
      {m.mem_logit, m.syn_logit, m.v_th, m.input_weights}, {1e-3f}));
}

// The layer's CPU scan (one node, per-thread sums of the constants' gradients) against the
// composed steps that the CUDA path runs, in values and in the gradients of every input. The
// large case splits the batch rows over threads; their sums add up in row order.
TEST_CASE("lif learnable: the fused scan equals the composed steps, gradients included") {
  LIFParameters p;
  int64_t T = 20, B = 3, H = 6;
  SUBCASE("reset to a value") {}
  SUBCASE("subtractive reset") {
    p.reset = Reset::subtract;
  }
  SUBCASE("many batch rows, over threads") {
    T = 64, B = 8, H = 128;
  }
  Rng rng(31);
  Tensor x = test::param({T, B, H}, rng, 0, 1.5f), w = test::param({H, H}, rng, -0.5f, 0.5f);
  LIFNeuronTensors q{test::param({H}, rng, 0.05f, 0.5f), test::param({H}, rng, 0.5f, 0.95f),
                     test::param({H}, rng, 0.3f, 1.2f)};
  LIFRecurrentState s0{Tensor::zeros({B, H}), test::param({B, H}, rng, 0, 0.5f),
                       test::param({B, H}, rng, 0, 1)};
  s0.z.at({0, 1}) = 1;
  Tensor wz = Tensor::rand({T, B, H}, rng, -1, 1), wv = Tensor::rand({T, B, H}, rng, -1, 1);
  const Tensors inputs{x, w, s0.v, s0.i, q.mem_factor, q.syn_keep, q.v_th};
  auto run = [&](bool fused) {
    for (Tensor t : inputs) t.zero_grad();
    Tensor z, v;
    LIFRecurrentState s = s0;
    if (fused) {
      LIFRecurrentSequence r = lif_recurrent_learnable_sequence(x, w, s0, p, q, true);
      z = r.z, v = r.v, s = r.state;
    } else {
      Tensors zs, vs;
      for (int64_t t = 0; t < T; ++t) {
        LIFRecurrentStep st = lif_recurrent_step(select(x, t), w, s, p, q);
        s = st.state;
        zs.push_back(st.z);
        vs.push_back(s.v);
      }
      z = stack(zs), v = stack(vs);
    }
    (sum(z * wz) + sum(v * wv) + sum(s.i)).backward();
    Tensors out{z.detach()};
    for (const Tensor& t : inputs) out.push_back(t.grad().clone());
    return out;
  };
  Tensors a = run(true), b = run(false);
  const float density = sum(a[0]).item() / float(T * B * H);
  CHECK(density > 0.05f);
  CHECK(density < 0.8f);
  CHECK(max_diff(a[0], b[0]) == 0);
  for (size_t k = 1; k < a.size(); ++k) {
    INFO("input " << k);
    const float scale = std::max(1.0f, max(abs(b[k])).item());
    CHECK(max_diff(a[k], b[k]) <= 2e-5f * scale * std::sqrt(float(T * B)));
  }
}

TEST_CASE("lif learnable: a few Adam steps move each neuron's constants its own way") {
  Rng rng(11);
  LIFParameters p;
  nn::LIFRecurrentLearnable m(4, 6, rng, p);
  optim::Adam opt(m.parameters(), {.lr = 0.05});
  Tensor x = Tensor::rand({20, 3, 4}, rng, 0, 6);
  // Target: neuron k fires k spikes per sample over the sequence.
  Tensor target = reshape(Tensor::arange(6), {1, 6});
  float first = 0, last = 0;
  for (int step = 0; step < 40; ++step) {
    opt.zero_grad();
    Tensor rate = sum(m(x), 0);  // (B, H) spike counts
    Tensor loss = mean(square(rate - target));
    loss.backward();
    opt.step();
    (step == 0 ? first : last) = loss.item();
  }
  CHECK(last < 0.5f * first);
  CHECK(spread(m.mem_logit) > 1e-3f);
  CHECK(spread(m.syn_logit) > 1e-3f);
  CHECK(spread(m.v_th) > 1e-3f);
}

TEST_CASE("lif learnable: constants outside the stable range are refused by name") {
  Rng rng(1);
  LIFParameters p;
  p.tau_mem_inv = 2000.0f;  // dt tau_mem_inv = 2
  CHECK_THROWS_WITH_AS(nn::LIFRecurrentLearnable(2, 2, rng, p),
                       doctest::Contains("dt tau_mem_inv and dt tau_syn_inv must lie in (0, 1)"),
                       std::invalid_argument);
}

TEST_CASE("lif learnable: NIR holds each neuron's constants; the learnable layer loads them back") {
  Rng rng(21);
  nn::LIFRecurrentLearnable m(3, 4, rng);
  for (int64_t k = 0; k < 4; ++k) {
    m.mem_logit.data()[k] = -2.5f + 0.3f * float(k);
    m.syn_logit.data()[k] = -1.0f - 0.2f * float(k);
    m.v_th.data()[k] = 0.7f + 0.1f * float(k);
  }
  nir::Builder b;
  b.output(b.lif_recurrent("rec", m, b.input({3})), {4});
  const nir::Array& tau_mem = b.graph.nodes.at("rec").fields.at("tau_mem");
  CHECK(tau_mem.numel() == 4);
  CHECK(tau_mem.values[0] == doctest::Approx(1e-3 / sigmoid_of(-2.5f)));
  CHECK(b.graph.nodes.at("rec").fields.at("v_threshold").values[3] == doctest::Approx(1.0));
  Rng other(22);
  nn::LIFRecurrentLearnable back(3, 4, other);
  test::TempDir dir;
  nir::write_file(dir / "rec.nir", b.graph);
  nir::Loader(nir::read_file(dir / "rec.nir")).lif_recurrent("rec", back);
  CHECK(max_diff(back.mem_logit, m.mem_logit) < 1e-5f);
  CHECK(max_diff(back.syn_logit, m.syn_logit) < 1e-5f);
  CHECK(max_diff(back.v_th, m.v_th) < 1e-6f);
  Tensor x = Tensor::rand({25, 2, 3}, rng, 0, 4);
  Tensor z = m(x);
  CHECK(sum(z).item() > 5);
  CHECK(max_diff(back(x), z) == 0);
  // The NIR interpreter steps each neuron's own constants (its output is the layer's spikes).
  test::check_close(nir::Network(b.graph).run(x), z.to_vector(), 0);
  // The fixed layer has one set of constants: per-neuron values are an error naming the node.
  nn::LIFRecurrent fixed(3, 4, other);
  CHECK_THROWS_WITH(nir::Loader(b.graph).lif_recurrent("rec", fixed),
                    doctest::Contains("node 'rec'"));
}
