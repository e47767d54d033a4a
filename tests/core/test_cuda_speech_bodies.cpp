// The bodies of the CUDA kernels the speech_commands models added (core/backend/cuda/
// lsnn_body.hpp, broadcast_body.hpp) run here on the host, a loop standing in for the grid,
// against the CPU ops: values and all gradients. As tests/core/test_cuda_bodies.cpp; the GPU
// suite (tests/cuda/test_cuda_speech.cpp) checks the launches.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/backend/cuda/broadcast_body.hpp"
#include "core/backend/cuda/broadcast_plan.hpp"
#include "core/backend/cuda/lsnn_body.hpp"
#include "core/neuron/lsnn.hpp"
#include "core/neuron/lsnn_cuda.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/reduce.hpp"
#include "core/ops/shape_ops.hpp"
#include "core/random/rng.hpp"
#include "error_of.hpp"
#include "recurrent_weight_grads.hpp"
#include "scale_close.hpp"

using namespace soma;

namespace {

using test::check_close_to_scale;
using Floats = std::vector<float>;

struct LsnnRun {
  Floats z, v, i, b, v_dec, b_dec;
};

// The forward as lsnn_cuda.cpp launches it: one "launch" per step, one "thread" per neuron.
LsnnRun host_forward(const cuda::LsnnParams& kp, int64_t T, int64_t H, const Floats& xs,
                     const Floats& ws, const Floats& zs0, const LSNNState& s0) {
  const int64_t n = kp.width;
  LsnnRun r{Floats(size_t(T * n)), s0.v.to_vector(),      s0.i.to_vector(),
            s0.b.to_vector(),      Floats(size_t(T * n)), Floats(size_t(T * n))};
  for (int64_t t = 0; t < T; ++t)
    for (int64_t k = 0; k < n; ++k)
      cuda::lsnn_forward_neuron(
          kp,
          {H, ws.data(), t == 0 ? zs0.data() : r.z.data() + (t - 1) * n, xs.data() + t * n,
           r.v.data(), r.i.data(), r.b.data(), r.z.data() + t * n, r.v_dec.data() + t * n,
           r.b_dec.data() + t * n},
          k);
  return r;
}

}  // namespace

TEST_CASE(
    "cuda bodies: the fused recurrent LSNN step equals lsnn_recurrent_sequence, with all "
    "six gradients") {
  const int64_t T = 30, B = 4, H = 29, n = B * H;
  for (Reset reset : {Reset::value, Reset::subtract}) {
    CAPTURE(int(reset));
    LSNNParameters p;
    p.reset = reset;
    p.tau_adapt_inv = 20.0f;  // a threshold that moves within the 30 steps
    Rng rng(31);
    Tensor x = Tensor::rand({T, B, H}, rng, 0.0f, 8.0f).requires_grad_();
    Tensor w = Tensor::rand({H, H}, rng, -0.3f, 0.3f).requires_grad_();
    Floats spikes0 = Tensor::rand({B, H}, rng, 0.0f, 1.0f).to_vector();
    for (float& q : spikes0) q = q > 0.7f ? 1.0f : 0.0f;
    LSNNState s0{Tensor::from({B, H}, spikes0).requires_grad_(),
                 Tensor::rand({B, H}, rng, 0.0f, 0.5f).requires_grad_(),
                 Tensor::rand({B, H}, rng, 0.0f, 1.0f).requires_grad_(),
                 Tensor::rand({B, H}, rng, 1.0f, 2.0f).requires_grad_()};
    LSNNSequence r = lsnn_recurrent_sequence(x, w, s0, p);

    const cuda::LsnnParams kp = detail::lsnn_kernel_params(p, n);
    const Floats xs = x.to_vector(), ws = w.to_vector(), zs0 = s0.z.to_vector();
    LsnnRun h = host_forward(kp, T, H, xs, ws, zs0, s0);
    CHECK(r.z.to_vector() == h.z);
    CHECK(std::count(h.z.begin(), h.z.end(), 1.0f) > 0);
    CHECK(std::count(h.z.begin(), h.z.end(), 0.0f) > 0);
    CHECK(r.state.z.to_vector() == Floats(h.z.end() - n, h.z.end()));
    check_close_to_scale(r.state.v.to_vector(), h.v);
    check_close_to_scale(r.state.i.to_vector(), h.i);
    check_close_to_scale(r.state.b.to_vector(), h.b);

    // Backward from the spikes, the final voltage and threshold and the last spikes (the state
    // output z_{T-1}, which the kernel path adds to the last step's gz).
    Rng grng(32);
    Tensor gz = Tensor::rand({T, B, H}, grng, -1.0f, 1.0f);
    Tensor gvT = Tensor::rand({B, H}, grng, -1.0f, 1.0f);
    Tensor gbT = Tensor::rand({B, H}, grng, -1.0f, 1.0f);
    Tensor gzT = Tensor::rand({B, H}, grng, -1.0f, 1.0f);
    (sum(r.z * gz) + sum(r.state.v * gvT) + sum(r.state.b * gbT) + sum(r.state.z * gzT)).backward();
    Floats gzs = gz.to_vector(), gzTs = gzT.to_vector();
    for (int64_t k = 0; k < n; ++k) gzs[size_t((T - 1) * n + k)] += gzTs[size_t(k)];
    Floats gcur(size_t(T * n)), gv = gvT.to_vector(), gi(size_t(n), 0.0f), gb = gbT.to_vector();
    for (int64_t t = T - 1; t >= 0; --t)
      for (int64_t k = 0; k < n; ++k)
        cuda::lsnn_backward_neuron(
            kp,
            {H, ws.data(), t + 1 < T ? gcur.data() + (t + 1) * n : nullptr, gzs.data() + t * n,
             h.v_dec.data() + t * n, h.b_dec.data() + t * n, gcur.data() + t * n, gv.data(),
             gi.data(), gb.data()},
            k);
    Floats gw, gz0;
    test::recurrent_weight_grads(T, B, H, gcur, h.z, zs0, ws, gw, gz0);
    // 1e-4: the scans' documented tolerance (docs/cuda.md: FMAs in the CPU kernels, another
    // order of the recurrent sums, SuperSpike at alpha 100 amplifying both).
    check_close_to_scale(x.grad().to_vector(), gcur, 1e-4f);
    check_close_to_scale(w.grad().to_vector(), gw, 1e-4f);
    check_close_to_scale(s0.z.grad().to_vector(), gz0, 1e-4f);
    check_close_to_scale(s0.v.grad().to_vector(), gv, 1e-4f);
    check_close_to_scale(s0.i.grad().to_vector(), gi, 1e-4f);
    check_close_to_scale(s0.b.grad().to_vector(), gb, 1e-4f);
  }
}

TEST_CASE("cuda bodies: the LSNN step keeps the threshold jump's gradient (beta != 0)") {
  // One neuron, one step above threshold: dL/db0 through b' = b~ + beta z must include the
  // surrogate path -beta sg (1 - ab), which a detached jump would lose.
  LSNNParameters p;
  const cuda::LsnnParams kp = detail::lsnn_kernel_params(p, 1);
  float v = 0.0f, i = 0.0f, b = 1.0f, vd = 0.0f, bd = 0.0f;
  CHECK(cuda::lsnn_step(kp, 10.5f, v, i, b, vd, bd) == 1.0f);  // v~ = 1.05 > b~ = 1
  float gv = 0.0f, gi = 0.0f, gb = 1.0f;
  cuda::lsnn_step_backward(kp, vd, bd, 0.0f, gv, gi, gb);
  const float sg = cuda::surrogate_grad(kp.cell.surrogate, kp.cell.alpha, vd - bd);
  CHECK(gb == doctest::Approx((1.0f - kp.cell.beta * sg) * (1.0f - kp.cell.ab)));
  CHECK(gv != 0.0f);
}

namespace {

// The host grid of broadcast.cu for a op b.
Floats host_broadcast(cuda::BinaryOp op, const Tensor& a, const Tensor& b) {
  const Shape out = broadcast_shapes(a.shape(), b.shape());
  const cuda::BroadcastPlan plan = cuda::broadcast_plan(out, a.shape(), b.shape());
  const Floats av = a.to_vector(), bv = b.to_vector();
  Floats o(size_t(plan.numel));
  for (int64_t k = 0; k < plan.numel; ++k)
    cuda::broadcast_element(op, plan, av.data(), bv.data(), o.data(), k);
  return o;
}

Floats host_sum_to(const Tensor& g, const Shape& to) {
  const cuda::SumToPlan plan = cuda::sum_to_plan(g.shape(), to);
  const Floats gv = g.to_vector();
  Floats o(size_t(plan.out_numel));
  for (int64_t k = 0; k < plan.out_numel; ++k) cuda::sum_to_element(plan, gv.data(), o.data(), k);
  return o;
}

}  // namespace

TEST_CASE("cuda bodies: broadcasting add, sub, mul, div and sum_to equal the CPU ops exactly") {
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{7, 5, 80}, {80}},               // the speech model's standardisation
      {{80}, {7, 5, 80}},               // the other way round
      {{7, 5, 6}, {5, 1}},              // a middle dimension
      {{7, 1, 6}, {1, 5, 6}},           // both broadcast
      {{3, 4}, {1}},                    // a one-element tensor
      {{2, 3, 1, 4, 5}, {3, 2, 1, 5}},  // five dimensions
  };
  const cuda::BinaryOp ops[] = {cuda::BinaryOp::add, cuda::BinaryOp::sub, cuda::BinaryOp::mul,
                                cuda::BinaryOp::div};
  uint64_t seed = 40;
  // Not a structured binding: clang 14 (wasm, sanitize) cannot capture one in CAPTURE's lambda.
  for (const auto& shapes : cases) {
    const Shape& sa = shapes.first;
    const Shape& sb = shapes.second;
    CAPTURE(to_string(sa));
    CAPTURE(to_string(sb));
    Rng rng(seed++);
    Tensor a = Tensor::rand(sa, rng, 0.5f, 2.0f).requires_grad_();
    Tensor b = Tensor::rand(sb, rng, 0.5f, 2.0f).requires_grad_();
    const Tensor want[] = {add(a, b), sub(a, b), mul(a, b), div(a, b)};
    for (int k = 0; k < 4; ++k) CHECK(want[k].to_vector() == host_broadcast(ops[k], a, b));
    // The backward's reduction: the gradient of sum(add(a, b) * g) is sum_to(g) for each.
    Tensor g = Tensor::rand(want[0].shape(), rng, -1.0f, 1.0f);
    sum(want[0] * g).backward();
    CHECK(a.grad().to_vector() == host_sum_to(g, sa));
    CHECK(b.grad().to_vector() == host_sum_to(g, sb));
    CHECK(sum_to(g, sb).to_vector() == host_sum_to(g, sb));
  }
}
