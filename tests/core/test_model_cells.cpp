// The fused cell scans of the step-loop models (LIF-Ex, AdEx, AdaLIF, Izhikevich, the refractory
// LIF and AdEx, CobaLIF; core/neuron/cell_sequence.hpp) against the loop of their step functions
// (rollout.hpp): spikes and states bit for bit (the cells follow the steps op for op), every
// gradient within 1e-5 of its scale; and the fused gradients against finite differences.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "core/autograd/node.hpp"
#include "core/ops/shape_ops.hpp"
#include "gradcheck.hpp"
#include "model_cell_cases.hpp"

using namespace soma;

namespace {

template <class Model>
Sequence<typename Model::State> step_loop(const Tensor& x, const typename Model::State& s0,
                                          const typename Model::Parameters& p, bool record) {
  auto step = [&p](const Tensor& xt, const typename Model::State& s) {
    return Model::step(xt, s, p);
  };
  return rollout(x, s0, step, record);
}

// The values of z, the final state and the traces, then x's and each initial state's gradient.
template <class Model>
std::vector<std::vector<float>> run(const test::CellCase<Model>& c, bool fused, bool record) {
  const int64_t B = 3, H = 45;
  Tensor x = test::random_tensor({c.steps, B, H}, 7, c.x.first, c.x.second).requires_grad_();
  auto s0 = test::initial_state(c, {B, H}, 11);
  auto r = fused ? Model::sequence(x, s0, c.p, record) : step_loop<Model>(x, s0, c.p, record);
  if (fused) CHECK(std::string(r.z.grad_fn()->name).find("_sequence") != std::string::npos);
  test::weighted_loss(r.z, r.state, r.states, 31).backward();
  std::vector<std::vector<float>> out{r.z.to_vector()};
  for (Tensor* t : r.state.fields()) out.push_back(t->to_vector());
  for (Tensor* t : r.states.fields())
    if (t->defined()) out.push_back(t->to_vector());
  out.push_back(x.grad().to_vector());
  for (Tensor* t : s0.fields()) out.push_back(t->grad().to_vector());
  return out;
}

}  // namespace

TEST_CASE("model cells: the fused scan equals the loop of steps, values and gradients") {
  test::for_each_cell_case([](const auto& c) {
    for (bool record : {false, true}) {
      CAPTURE(c.name);
      CAPTURE(record);
      const auto fused = run(c, true, record), loop = run(c, false, record);
      REQUIRE(fused.size() == loop.size());
      float spikes = 0;
      for (float z : fused[0]) spikes += z;
      CHECK(spikes >= float(c.min_spikes));
      CHECK(spikes < 0.9f * float(fused[0].size()));
      const size_t values = fused.size() - 1 - c.state.size();
      for (size_t k = 0; k < fused.size(); ++k) {
        CAPTURE(k);
        if (k < values)
          CHECK(fused[k] == loop[k]);  // op for op: the same floats
        else
          test::check_close_to_scale(loop[k], fused[k]);
      }
    }
  });
}

TEST_CASE("model cells: the fused gradients match finite differences") {
  // The Heaviside surrogate makes the analytic gradient the exact derivative away from the
  // threshold; few neurons and steps, so no spike flips under the perturbation (these seeds).
  test::for_each_cell_case([](auto c) {
    using Model = typename decltype(c)::ModelType;
    if (c.name.find(' ') != std::string::npos) return;  // each model's first parameter set
    CAPTURE(c.name);
    test::set_surrogate(c.p, {SurrogateMethod::heaviside, 0.0f});
    const int64_t T = c.steps / 3;
    Tensor x = test::random_tensor({T, 2, 3}, 5, c.x.first, c.x.second).requires_grad_();
    auto s0 = test::initial_state(c, {2, 3}, 13);
    Tensors inputs{x};
    for (Tensor* t : s0.fields()) inputs.push_back(*t);
    auto f = [&c](const Tensors& t) {
      typename Model::State s;
      auto fs = s.fields();
      for (size_t j = 0; j < fs.size(); ++j) *fs[j] = t[1 + j];
      auto r = Model::sequence(t[0], s, c.p, true);
      Tensors traces;
      for (Tensor* tr : r.states.fields()) traces.push_back(*tr);
      return stack(traces);
    };
    // Steps and tolerances in the units of the input and of the state (mV for Izhikevich and
    // CobaLIF), where float rounding of the outputs sets the noise of the differences.
    float x_scale = std::max(std::abs(c.x.first), std::abs(c.x.second)), s_scale = 1;
    for (const test::Range& r : c.state)
      s_scale = std::max({s_scale, std::abs(r.first), std::abs(r.second)});
    CHECK(test::gradcheck(f, inputs, {2e-4f * x_scale, 2e-2f, 2e-3f * s_scale}));
  });
}
