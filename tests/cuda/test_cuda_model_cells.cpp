// The step-loop models' fused cell scans on cuda (LIF-Ex, AdEx, AdaLIF, Izhikevich, the
// refractory LIF and AdEx, CobaLIF; one kernel each way, core/backend/cuda/cell_scan.cu)
// against the CPU's scan of the same cell: spikes, final and recorded states, and the gradients
// to the input and every initial state, within 1e-5 of their scale. The node is the fused op's
// (one launch per direction), not a step loop's. LIF-Ex and AdEx call expf, whose device result
// may differ from glibc's by an ulp; a spike flipped by that would need v~ within an ulp of the
// threshold, which none of these seeds' neuron-steps is.
#include <doctest/doctest.h>

#include <string>

#include "core/autograd/node.hpp"
#include "core/backend/cuda_runtime.hpp"
#include "cuda_test_util.hpp"
#include "model_cell_cases.hpp"

using namespace soma;

namespace {

template <class State>
State on_cuda(State s) {
  for (Tensor* t : s.fields()) *t = test::cuda_leaf(*t);
  return s;
}

}  // namespace

TEST_CASE("cuda: the step-loop models run the fused cell scan and equal the CPU's") {
  test::for_each_cell_case([](const auto& c) {
    using Model = typename std::decay_t<decltype(c)>::ModelType;
    for (bool record : {false, true}) {
      CAPTURE(c.name);
      CAPTURE(record);
      const int64_t B = 3, H = 45;  // 135 neurons: a ragged block
      Tensor x = test::random_tensor({c.steps, B, H}, 17, c.x.first, c.x.second).requires_grad_();
      Tensor dx = test::cuda_leaf(x);
      auto s0 = test::initial_state(c, {B, H}, 19);
      auto d0 = on_cuda(s0);
      const int64_t kernels = cuda::work_counts().kernels;
      auto r = Model::sequence(x, s0, c.p, record);
      auto d = Model::sequence(dx, d0, c.p, record);
      CHECK(cuda::work_counts().kernels == kernels + 1);  // the forward is one kernel
      REQUIRE(d.z.device() == Device::cuda);
      CHECK(std::string(d.z.grad_fn()->name) == std::string(r.z.grad_fn()->name));
      CHECK(r.z.to_vector() == d.z.to_vector());
      auto rf = r.state.fields(), df = d.state.fields();
      auto rt = r.states.fields(), dt = d.states.fields();
      for (size_t j = 0; j < rf.size(); ++j) {
        test::check_close_to_scale(*rf[j], *df[j]);
        if (record) test::check_close_to_scale(*rt[j], *dt[j]);
      }
      test::weighted_loss(r.z, r.state, r.states, 41).backward();
      test::weighted_loss(d.z, d.state, d.states, 41).backward();
      test::check_close_to_scale(x.grad(), dx.grad());
      auto g = s0.fields(), dg = d0.fields();
      for (size_t j = 0; j < g.size(); ++j) test::check_close_to_scale(g[j]->grad(), dg[j]->grad());
    }
  });
}
