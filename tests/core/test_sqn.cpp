#include <doctest/doctest.h>

#include "core/neuron/sqn.hpp"
#include "core/neuron/surrogate.hpp"
#include "gradcheck.hpp"

using namespace soma;

namespace {

// The SQN composed from ops, step by step as SpyTorch writes it: the reference for the fused op.
Tensor composed(const Tensor& x, const Tensors& w, const Tensors& b, const SqnOptions& o) {
  const size_t L = w.size();
  Tensors u(L), cur(L);
  for (size_t l = 0; l < L; ++l) u[l] = cur[l] = Tensor::zeros({x.size(0), w[l].size(1)});
  Surrogate sur{SurrogateMethod::super, o.surrogate_scale};
  for (int64_t t = 0; t < o.steps; ++t) {
    Tensor prev = x;
    for (size_t l = 0; l < L; ++l) {
      Tensor h = matmul(prev, w[l]);
      if (b[l].defined()) h = h + b[l];
      if (l + 1 < L) {
        Tensor s = spike_fn(u[l] - o.threshold, sur);
        Tensor rst = s.detach();
        u[l] = o.reset == SqnReset::subtract ? o.beta * u[l] + cur[l] - rst
                                             : (o.beta * u[l] + cur[l]) * (1.0f - rst);
        prev = s;
      } else {
        u[l] = o.beta * u[l] + cur[l];
      }
      cur[l] = o.alpha * cur[l] + h;
    }
  }
  return u[L - 1];
}

}  // namespace

TEST_CASE("sqn: a hand-computed trace (pre-update strict test, old current, both resets)") {
  // x 0.6 -> one hidden neuron (w 1) -> one output (w 0.5). Subtraction: the hidden membrane
  // before each step is 0, 0, 0.6, 1.2, 0.8, 1.4, 1.0: spikes at t = 3 and 5 (1.0 is not > 1).
  Tensor x = Tensor::from({1, 1}, {0.6f});
  Tensors w{Tensor::from({1, 1}, {1.0f}), Tensor::from({1, 1}, {0.5f})};
  SqnOptions o;
  o.steps = 7;
  Tensors spikes;
  Tensor out = sqn_forward(x, w, {}, o, &spikes);
  test::check_close(spikes[0], {0, 0, 0, 1, 0, 1, 0});
  test::check_close(out, {1.0f},
                    1e-6f);  // the spike at t=3 reaches U_out at t=5, the one at 5 at 7
  o.steps = 6;
  test::check_close(sqn_forward(x, w, {}, o), {0.5f}, 1e-6f);
  SUBCASE("zero reset drops that step's input") {
    o.steps = 7;
    o.reset = SqnReset::zero;
    Tensor z = sqn_forward(x, w, {}, o, &spikes);
    test::check_close(spikes[0], {0, 0, 0, 1, 0, 0, 1});  // 0, 0, .6, 1.2 -> 0, .6, 1.2
    test::check_close(z, {0.5f}, 1e-6f);
  }
  SUBCASE("a bias b adds b (T - 1) to the output") {
    o.steps = 5;
    Tensors b{Tensor(), Tensor::from({1}, {0.25f})};
    Tensor zero_in = Tensor::zeros({1, 1});
    test::check_close(sqn_forward(zero_in, w, b, o), {0.25f * 4}, 1e-6f);
  }
}

TEST_CASE("sqn: the fused op equals the composed steps in values and gradients") {
  Rng rng(7);
  for (SqnReset reset : {SqnReset::subtract, SqnReset::zero}) {
    SqnOptions o;
    o.steps = 12;
    o.reset = reset;
    o.alpha = 0.3f;  // exercise the general recurrence too
    o.beta = 0.9f;
    Tensor x = Tensor::rand({3, 5}, rng, -1, 2);
    x.requires_grad_();
    Tensors w{test::param({5, 6}, rng, -0.5f, 1.5f), test::param({6, 4}, rng, -0.5f, 1.5f),
              test::param({4, 2}, rng)};
    Tensors b{test::param({6}, rng, 0, 0.3f), Tensor(), test::param({2}, rng)};
    Tensors spikes;
    Tensor fused = sqn_forward(x, w, b, o, &spikes);
    double total = 0;
    for (const Tensor& s : spikes) total += double(sum(s).item());
    CHECK(total > 10);  // the hidden layers do spike
    Tensor ref = composed(x, w, b, o);
    test::check_close(fused, ref.to_vector(), 1e-4f);
    Tensor g = Tensor::rand(fused.shape(), rng, -1, 1);
    sum(fused * g).backward();
    Tensors got;
    for (Tensor* t : {&x, &w[0], &w[1], &w[2], &b[0], &b[2]}) {
      got.push_back(t->grad().clone());
      t->zero_grad();
    }
    sum(ref * g).backward();
    size_t k = 0;
    for (Tensor* t : {&x, &w[0], &w[1], &w[2], &b[0], &b[2]})
      test::check_close(got[k++], t->grad().to_vector(), 1e-3f);
  }
}

TEST_CASE("sqn: gradcheck of the output layer (no spike flips under small steps)") {
  Rng rng(3);
  SqnOptions o;
  o.steps = 8;
  Tensor x = Tensor::rand({2, 3}, rng, 0, 1);
  Tensor w0 = Tensor::rand({3, 4}, rng, 0, 1);
  Tensor w1 = test::param({4, 2}, rng);
  Tensor b1 = test::param({2}, rng);
  CHECK(test::gradcheck(
      [&](const Tensors& in) {
        return sqn_forward(x, {w0, in[0]}, {Tensor(), in[1]}, o);
      },
      {w1, b1}));
}
