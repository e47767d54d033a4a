// iaf_sequence and the feed-forward lsnn_sequence on cuda: the fused scan (one kernel each way,
// core/backend/cuda/cell_scan.cu) against the CPU's cell_scan: spikes bit for bit (the same step
// body, no FMAs on either side), final and recorded states, and the gradients to the input and
// to every initial state, both resets; the node is the fused op's, not a step loop's.
#include <doctest/doctest.h>

#include <string>

#include "core/autograd/node.hpp"
#include "core/neuron/iaf.hpp"
#include "core/neuron/lsnn.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/reduce.hpp"
#include "cuda_test_util.hpp"
#include "scale_close.hpp"

using namespace soma;

namespace {

using test::check_close_to_scale;
using test::cuda_leaf;
using test::random_tensor;

constexpr int64_t T = 21, B = 3, H = 45;  // 135 neurons: a ragged block

// sum(t * g) for a random g with the seed, on t's device.
Tensor weighted(const Tensor& t, uint64_t seed) {
  const Tensor g = random_tensor(t.shape(), seed);
  return sum(t * (t.device() == Device::cuda ? g.cuda() : g));
}

}  // namespace

TEST_CASE("cuda: iaf_sequence runs the fused scan and equals the CPU's, with every gradient") {
  for (Reset reset : {Reset::value, Reset::subtract})
    for (bool record : {true, false}) {
      CAPTURE(int(reset));
      CAPTURE(record);
      IAFParameters p;
      p.reset = reset;
      p.surrogate = {SurrogateMethod::super, 7.0f};
      Tensor x = random_tensor({T, B, H}, 71, -0.3f, 0.6f).requires_grad_();
      Tensor v0 = random_tensor({B, H}, 72, 0.0f, 0.5f).requires_grad_();
      Tensor dx = cuda_leaf(x), dv0 = cuda_leaf(v0);
      IAFSequence r = iaf_sequence(x, v0, p, record), d = iaf_sequence(dx, dv0, p, record);
      REQUIRE(d.z.device() == Device::cuda);
      CHECK(std::string(d.z.grad_fn()->name) == "iaf_sequence");
      CHECK(r.z.to_vector() == d.z.to_vector());
      check_close_to_scale(r.v, d.v);
      if (record) check_close_to_scale(r.trace, d.trace);
      Tensor loss = weighted(r.z, 73) + weighted(r.v, 74);
      Tensor dloss = weighted(d.z, 73) + weighted(d.v, 74);
      if (record) loss = loss + weighted(r.trace, 75), dloss = dloss + weighted(d.trace, 75);
      loss.backward();
      dloss.backward();
      check_close_to_scale(x.grad(), dx.grad());
      check_close_to_scale(v0.grad(), dv0.grad());
    }
}

TEST_CASE("cuda: lsnn_sequence runs the fused scan and equals the CPU's, with every gradient") {
  for (Reset reset : {Reset::value, Reset::subtract})
    for (bool record : {true, false}) {
      CAPTURE(int(reset));
      CAPTURE(record);
      LSNNParameters p;
      p.reset = reset;
      p.tau_adapt_inv = 20.0f;  // a threshold that moves within the steps
      p.surrogate = {SurrogateMethod::triangle, 0.5f};
      Tensor x = random_tensor({T, B, H}, 81, 0.0f, 8.0f).requires_grad_();
      LSNNState s0{Tensor::zeros({B, H}), random_tensor({B, H}, 82, 0.0f, 0.5f).requires_grad_(),
                   random_tensor({B, H}, 83, 0.0f, 1.0f).requires_grad_(),
                   random_tensor({B, H}, 84, 1.0f, 2.0f).requires_grad_()};
      LSNNState d0{s0.z.cuda(), cuda_leaf(s0.v), cuda_leaf(s0.i), cuda_leaf(s0.b)};
      Tensor dx = cuda_leaf(x);
      LSNNSequence r = lsnn_sequence(x, s0, p, record), d = lsnn_sequence(dx, d0, p, record);
      REQUIRE(d.z.device() == Device::cuda);
      CHECK(std::string(d.z.grad_fn()->name) == "lsnn_sequence");
      CHECK(r.z.to_vector() == d.z.to_vector());
      CHECK(r.state.z.to_vector() == d.state.z.to_vector());
      const Tensor finals[3] = {r.state.v, r.state.i, r.state.b},
                   dfinals[3] = {d.state.v, d.state.i, d.state.b};
      const Tensor traces[3] = {r.v, r.i, r.b}, dtraces[3] = {d.v, d.i, d.b};
      Tensor loss = weighted(r.z, 85), dloss = weighted(d.z, 85);
      for (int j = 0; j < 3; ++j) {
        CAPTURE(j);
        check_close_to_scale(finals[j], dfinals[j]);
        loss = loss + weighted(finals[j], 86 + uint64_t(j));
        dloss = dloss + weighted(dfinals[j], 86 + uint64_t(j));
        if (!record) continue;
        check_close_to_scale(traces[j], dtraces[j]);
        loss = loss + weighted(traces[j], 90 + uint64_t(j));
        dloss = dloss + weighted(dtraces[j], 90 + uint64_t(j));
      }
      loss.backward();
      dloss.backward();
      check_close_to_scale(x.grad(), dx.grad());
      check_close_to_scale(s0.v.grad(), d0.v.grad());
      check_close_to_scale(s0.i.grad(), d0.i.grad());
      check_close_to_scale(s0.b.grad(), d0.b.grad());
    }
}
