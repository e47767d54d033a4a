// The learnable recurrent LIF layer's GPU step (core/backend/cuda/lif_learnable_body.hpp) run on
// the host, a loop standing in for each step's grid, against the CPU's fused scan: spikes,
// state, and the gradients of the input, the weights, the initial state and each neuron's three
// constants (the kernels' (B, H) sums, then the sum over the batch the GPU runs after them).
#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "core/backend/cuda/lif_learnable_body.hpp"
#include "core/neuron/lif_learnable.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/reduce.hpp"
#include "core/random/rng.hpp"
#include "recurrent_inputs.hpp"
#include "scale_close.hpp"

using namespace soma;
using Floats = std::vector<float>;
using test::check_close_to_scale;

namespace {

// The (B, H) sums over the batch rows: (H).
Floats batch_sum(const Floats& s, int64_t B, int64_t H) {
  Floats out(size_t(H), 0.0f);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < H; ++h) out[size_t(h)] += s[size_t(b * H + h)];
  return out;
}

}  // namespace

TEST_CASE(
    "cuda bodies: the learnable LIF step equals the CPU's fused scan, constants' gradients too") {
  const int64_t T = 25, B = 4, H = 31, n = B * H;
  LIFParameters p;
  SUBCASE("reset to a value") {}
  SUBCASE("subtractive reset") {
    p.reset = Reset::subtract;
  }
  SUBCASE("triangle surrogate") {
    p.surrogate = {SurrogateMethod::triangle, 0.3f};
  }
  Rng rng(23);
  const test::RecurrentInputs in = test::random_recurrent_inputs(T, B, H, rng, 1.5f);
  const auto& [x, w, z0, v0, i0] = in;
  LIFNeuronTensors q{Tensor::rand({H}, rng, 0.05f, 0.5f).requires_grad_(),
                     Tensor::rand({H}, rng, 0.5f, 0.95f).requires_grad_(),
                     Tensor::rand({H}, rng, 0.3f, 1.2f).requires_grad_()};
  LIFRecurrentSequence r = lif_recurrent_learnable_sequence(x, w, {z0, v0, i0}, p, q);

  // Forward: one "launch" per step, one "thread" per neuron.
  const Floats a = q.mem_factor.to_vector(), k = q.syn_keep.to_vector(), th = q.v_th.to_vector();
  const cuda::LearnableLifParams lp{H,
                                    n,
                                    a.data(),
                                    k.data(),
                                    th.data(),
                                    p.v_leak,
                                    p.v_reset,
                                    p.reset == Reset::value,
                                    int(p.surrogate.method),
                                    p.surrogate.alpha};
  const Floats xs = x.to_vector(), ws = w.to_vector(), zs0 = z0.to_vector();
  Floats v = v0.to_vector(), i = i0.to_vector(), z(size_t(T * n)), vd(z.size()), u(z.size()),
         j(z.size());
  for (int64_t t = 0; t < T; ++t)
    for (int64_t e = 0; e < n; ++e) {
      const int64_t o = t * n;
      cuda::learnable_forward_neuron(
          lp,
          {ws.data(), t == 0 ? zs0.data() : z.data() + o - n, xs.data() + o, v.data(), i.data(),
           z.data() + o, vd.data() + o, u.data() + o, j.data() + o},
          e);
    }
  CHECK(r.z.to_vector() == z);
  const auto spikes = std::count(z.begin(), z.end(), 1.0f);
  CHECK(spikes > T * n / 20);
  CHECK(spikes < T * n * 4 / 5);
  check_close_to_scale(r.state.v.to_vector(), v);
  check_close_to_scale(r.state.i.to_vector(), i);

  // Backward from the spikes and the final state.
  Rng grng(24);
  Tensor gz = Tensor::rand({T, B, H}, grng, -1.0f, 1.0f);
  Tensor gvT = Tensor::rand({B, H}, grng, -1.0f, 1.0f), giT = Tensor::rand({B, H}, grng, -1, 1);
  (sum(r.z * gz) + sum(r.state.v * gvT) + sum(r.state.i * giT)).backward();
  const Floats gzs = gz.to_vector();
  Floats gcur(size_t(T * n)), gv = gvT.to_vector(), gi = giT.to_vector();
  Floats ga(size_t(n), 0.0f), gk(size_t(n), 0.0f), gth(size_t(n), 0.0f);
  for (int64_t t = T - 1; t >= 0; --t)
    for (int64_t e = 0; e < n; ++e) {
      const int64_t o = t * n;
      cuda::learnable_backward_neuron(
          lp,
          {ws.data(), t + 1 < T ? gcur.data() + o + n : nullptr, gzs.data() + o, vd.data() + o,
           u.data() + o, j.data() + o, gcur.data() + o, gv.data(), gi.data(), ga.data(), gk.data(),
           gth.data()},
          e);
    }
  // 1e-4: the CPU sums the recurrent products and the constants' terms in other orders.
  test::check_recurrent_grads(in, gcur, z, gv, gi, 1e-4f);
  check_close_to_scale(q.mem_factor.grad().to_vector(), batch_sum(ga, B, H), 1e-4f);
  check_close_to_scale(q.syn_keep.grad().to_vector(), batch_sum(gk, B, H), 1e-4f);
  check_close_to_scale(q.v_th.grad().to_vector(), batch_sum(gth, B, H), 1e-4f);
}
