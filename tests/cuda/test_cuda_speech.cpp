// What `soma speech_commands --device cuda` adds to the GPU backend, against the CPU: the
// recurrent LSNN sequence (spikes, states, all six gradients), broadcasting binary ops and
// their gradients, slice/select (the "last" decoding) and three training steps of the lif and
// lsnn speech models with each decoding.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/encode/encoders.hpp"
#include "core/neuron/lsnn.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/loss.hpp"
#include "core/ops/reduce.hpp"
#include "core/ops/shape_ops.hpp"
#include "core/optim/optim.hpp"
#include "core/random/rng.hpp"
#include "cuda_test_util.hpp"
#include "scale_close.hpp"
#include "tasks/speech_commands/models.hpp"

using namespace soma;

namespace {

using test::check_close_to_scale;
using test::random_tensor;

using test::cuda_leaf;

}  // namespace

// Gradients to 1e-4, the scans' tolerance (docs/cuda.md; the host emulation of the body in
// tests/core/test_cuda_speech_bodies.cpp holds it too).
TEST_CASE("cuda: lsnn_recurrent_sequence equals the CPU: spikes, state, all six gradients") {
  const int64_t T = 40, B = 8, H = 100;
  for (Reset reset : {Reset::value, Reset::subtract}) {
    CAPTURE(int(reset));
    LSNNParameters p;
    p.reset = reset;
    p.tau_adapt_inv = 20.0f;
    Tensor x = random_tensor({T, B, H}, 1, 0.0f, 8.0f).requires_grad_();
    Tensor w = random_tensor({H, H}, 2, -0.2f, 0.2f).requires_grad_();
    LSNNState s0 = lsnn_initial_state({B, H}, p);
    for (Tensor* t : {&s0.z, &s0.v, &s0.i, &s0.b}) t->requires_grad_();
    Tensor dx = cuda_leaf(x), dw = cuda_leaf(w);
    LSNNState ds0{cuda_leaf(s0.z), cuda_leaf(s0.v), cuda_leaf(s0.i), cuda_leaf(s0.b)};
    LSNNSequence r = lsnn_recurrent_sequence(x, w, s0, p);
    LSNNSequence dr = lsnn_recurrent_sequence(dx, dw, ds0, p);
    CHECK(r.z.to_vector() == dr.z.to_vector());
    CHECK(r.state.z.to_vector() == dr.state.z.to_vector());
    check_close_to_scale(r.state.v, dr.state.v);
    check_close_to_scale(r.state.i, dr.state.i);
    check_close_to_scale(r.state.b, dr.state.b);
    Tensor gz = random_tensor({T, B, H}, 3), gv = random_tensor({B, H}, 4);
    Tensor gb = random_tensor({B, H}, 5), glast = random_tensor({B, H}, 6);
    (sum(r.z * gz) + sum(r.state.v * gv) + sum(r.state.b * gb) + sum(r.state.z * glast)).backward();
    (sum(dr.z * gz.cuda()) + sum(dr.state.v * gv.cuda()) + sum(dr.state.b * gb.cuda()) +
     sum(dr.state.z * glast.cuda()))
        .backward();
    check_close_to_scale(x.grad(), dx.grad(), 1e-4f);
    check_close_to_scale(w.grad(), dw.grad(), 1e-4f);
    check_close_to_scale(s0.z.grad(), ds0.z.grad(), 1e-4f);
    check_close_to_scale(s0.v.grad(), ds0.v.grad(), 1e-4f);
    check_close_to_scale(s0.i.grad(), ds0.i.grad(), 1e-4f);
    check_close_to_scale(s0.b.grad(), ds0.b.grad(), 1e-4f);
  }
}

TEST_CASE("cuda: the LSNN layer takes its host-made initial state to the device") {
  Rng r1(8), r2(8);
  nn::LSNNRecurrent cpu(12, 20, r1), gpu(12, 20, r2);
  gpu.to_device(Device::cuda);
  std::vector<float> spikes = random_tensor({10, 3, 12}, 9, 0.0f, 1.0f).to_vector();
  for (float& v : spikes) v = v > 0.6f ? 1.0f : 0.0f;
  Tensor x = Tensor::from({10, 3, 12}, spikes);
  Tensor z = cpu(x), dz = gpu(x.cuda());
  CHECK(z.to_vector() == dz.to_vector());
  check_close_to_scale(cpu.state.b, gpu.state.b);
  sum(z).backward();
  sum(dz).backward();
  check_close_to_scale(cpu.input_weights.grad(), gpu.input_weights.grad(), 1e-4f);
  check_close_to_scale(cpu.recurrent_weights.grad(), gpu.recurrent_weights.grad(), 1e-4f);
}

TEST_CASE("cuda: broadcasting add, sub, mul, div, values and both gradients") {
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{9, 4, 80}, {80}},     {{80}, {9, 4, 80}}, {{9, 4, 6}, {4, 1}},
      {{9, 1, 6}, {1, 4, 6}}, {{3, 4}, {1}},      {{2, 3, 1, 4, 5}, {3, 2, 1, 5}}};
  uint64_t seed = 20;
  for (const auto& [sa, sb] : cases) {
    CAPTURE(to_string(sa));
    CAPTURE(to_string(sb));
    Tensor a = random_tensor(sa, seed++, 0.5f, 2.0f).requires_grad_();
    Tensor b = random_tensor(sb, seed++, 0.5f, 2.0f).requires_grad_();
    Tensor da = cuda_leaf(a), db = cuda_leaf(b);
    auto f = [](const Tensor& p, const Tensor& q) {
      return (p + q) * p - q / p * 0.5f + (p - q) * q + p / q;
    };
    Tensor out = f(a, b), dout = f(da, db);
    check_close_to_scale(out, dout);
    Tensor g = random_tensor(out.shape(), seed++);
    out.backward(g);
    dout.backward(g.cuda());
    check_close_to_scale(a.grad(), da.grad());
    check_close_to_scale(b.grad(), db.grad());
  }
}

TEST_CASE("cuda: slice and select (the last step) share storage forward, copy back the gradient") {
  Tensor x = random_tensor({6, 4, 5}, 30).requires_grad_();
  Tensor dx = cuda_leaf(x);
  Tensor g = random_tensor({4, 5}, 31), gs = random_tensor({2, 4, 5}, 32);
  Tensor y = last_decode(x), dy = last_decode(dx);
  CHECK(y.to_vector() == dy.to_vector());
  Tensor s = slice(x, 0, 2, 4), ds = slice(dx, 0, 2, 4);
  CHECK(s.to_vector() == ds.to_vector());
  (sum(y * g) + sum(s * gs)).backward();
  (sum(dy * g.cuda()) + sum(ds * gs.cuda())).backward();
  CHECK(x.grad().to_vector() == dx.grad().to_vector());
}

TEST_CASE("cuda: slice of a strided block (the LSTM's gates) is one device copy, and back") {
  Tensor x = random_tensor({3, 8, 5}, 33).requires_grad_();
  Tensor dx = cuda_leaf(x);
  Tensor g1 = random_tensor({3, 3, 5}, 34), g2 = random_tensor({3, 8, 2}, 35);
  Tensor a = slice(x, 1, 2, 5), da = slice(dx, 1, 2, 5);  // rows of 3 x 5, pitch 8 x 5
  Tensor b = slice(x, 2, 3, 5), db = slice(dx, 2, 3, 5);  // 24 rows of 2, pitch 5
  CHECK(a.to_vector() == da.to_vector());
  CHECK(b.to_vector() == db.to_vector());
  CHECK(slice(dx, 1, 4, 4).numel() == 0);  // empty: no copy
  (sum(a * g1) + sum(b * g2)).backward();
  (sum(da * g1.cuda()) + sum(db * g2.cuda())).backward();
  check_close_to_scale(x.grad(), dx.grad());  // the two slices overlap: a sum
}

namespace {

// The speech model on each device from one seed, with feature statistics set as the task sets
// them (before the move), and a batch of log-mel-like features.
void check_speech_steps(const std::string& kind, const std::string& decode) {
  CAPTURE(kind);
  CAPTURE(decode);
  const int64_t T = 40, B = 8, F = 80;
  SpeechModelOptions o;
  o.kind = kind;
  o.decode = decode;
  o.hidden = 64;
  Rng r1(11), r2(11);
  SpeechModel cpu(o, r1), gpu(o, r2);
  Tensor mean = random_tensor({F}, 12, -6.0f, -2.0f), stddev = random_tensor({F}, 13, 0.5f, 2.0f);
  for (SpeechModel* m : {&cpu, &gpu}) {
    m->feature_mean.copy_(mean);
    m->feature_std.copy_(stddev);
  }
  gpu.to_device(Device::cuda);
  optim::Adam opt(cpu.parameters(), {1e-2f}), dopt(gpu.parameters(), {1e-2f});
  Tensor features = random_tensor({T, B, F}, 14, -9.0f, 1.0f);
  std::vector<float> t(B);
  for (int64_t k = 0; k < B; ++k) t[size_t(k)] = float(k % 13);
  Tensor targets = Tensor::from({B}, t);
  for (int step = 0; step < 3; ++step) {
    CAPTURE(step);
    Tensor s = cpu(features), ds = gpu(features.cuda());
    // The input GEMMs round differently (cuBLAS, the CPU's FMAs): a voltage within that rounding
    // of the threshold may flip a spike, so the spikes agree all but nearly everywhere.
    if (kind != "lstm") {  // the LSTM has no spikes
      const std::vector<float> z = cpu.hidden_spikes.to_vector(),
                               dz = gpu.hidden_spikes.to_vector();
      int64_t ones = 0, differ = 0;
      for (size_t k = 0; k < z.size(); ++k) ones += z[k] > 0, differ += z[k] != dz[k];
      CHECK(ones > int64_t(z.size()) / 100);
      CHECK(differ <= int64_t(z.size()) / 1000);
    }
    check_close_to_scale(s, ds, 1e-4f);
    Tensor loss = nll_loss(log_softmax(s, 1), targets);
    Tensor dloss = nll_loss(log_softmax(ds, 1), targets.cuda());
    check_close_to_scale(loss, dloss, 1e-4f);
    // Weights synced after each step: Adam's first steps move every weight by about the
    // learning rate whatever its gradient's size, so a gradient near 0 rounded to the other
    // sign parts the two models by 2 lr; unsynced, the third step's gradients differed by
    // 1-6% of their scale (measured on the host emulator, make test-cuda-emu).
    test::backward_compare_step(loss, dloss, opt, dopt, cpu.parameters(), gpu.parameters(),
                                {1e-3f, true});
  }
}

}  // namespace

TEST_CASE("cuda: the speech models' training steps (lif, lsnn; last, max, mean) equal the CPU") {
  for (const char* kind : {"lif", "lsnn"})
    for (const char* decode : {"last", "max", "mean"}) check_speech_steps(kind, decode);
}

TEST_CASE("cuda: the speech LSTM's training steps equal the CPU") {
  check_speech_steps("lstm", "last");  // its read-out takes the last h; decode is not used
}
