#pragma once
// The step-loop models that run a fused cell scan (core/neuron/cell_sequence.hpp), each with a
// few parameter sets, inputs that make them spike, and random initial states: shared by the CPU
// test (fused scan against the loop of steps, tests/core/test_model_cells.cpp) and the GPU one
// (cuda scan against the CPU's, tests/cuda/test_cuda_model_cells.cpp).
#include <string>
#include <utility>
#include <vector>

#include "core/neuron/ada_lif.hpp"
#include "core/neuron/coba_lif.hpp"
#include "core/neuron/izhikevich.hpp"
#include "core/neuron/lif_adex_refrac.hpp"
#include "core/neuron/lif_refrac.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/reduce.hpp"
#include "scale_close.hpp"

namespace soma::test {

using Range = std::pair<float, float>;

template <class Model>
struct CellCase {
  using ModelType = Model;
  std::string name;
  typename Model::Parameters p;
  Range x;                   // input values
  std::vector<Range> state;  // initial value of each state field, in fields() order
  int64_t steps = 23;
  int64_t min_spikes = 10;  // of steps x 3 x 45 neuron-steps
};

// The initial state: leaves that require grad, uniform in each field's range.
template <class Model>
typename Model::State initial_state(const CellCase<Model>& c, const Shape& shape, uint64_t seed) {
  typename Model::State s;
  auto f = s.fields();
  for (size_t j = 0; j < f.size(); ++j)
    *f[j] = random_tensor(shape, seed + j, c.state[j].first, c.state[j].second).requires_grad_();
  return s;
}

// sum(z wz) + sum over the final (and recorded) state of each field times its own weights.
template <class State>
Tensor weighted_loss(const Tensor& z, State final_state, State traces, uint64_t seed) {
  auto weigh = [](const Tensor& t, uint64_t s) {
    const Tensor w = random_tensor(t.shape(), s);
    return sum(t * (t.device() == Device::cuda ? w.cuda() : w));
  };
  Tensor loss = weigh(z, seed);
  auto f = final_state.fields(), g = traces.fields();
  for (size_t j = 0; j < f.size(); ++j) {
    loss = loss + weigh(*f[j], seed + 10 + j);
    if (g[j]->defined()) loss = loss + weigh(*g[j], seed + 20 + j);
  }
  return loss;
}

// The surrogate of the spike (and of the refractory gate) in each model's parameters.
template <class P>
void set_surrogate(P& p, Surrogate s) {
  p.surrogate = s;
}
inline void set_surrogate(LIFRefracParameters& p, Surrogate s) {
  p.lif.surrogate = s;
}
inline void set_surrogate(LIFAdExRefracParameters& p, Surrogate s) {
  p.adex.surrogate = s;
}

// Calls f(CellCase<Model>) for every model and parameter set.
template <class F>
void for_each_cell_case(F&& f) {
  const Surrogate triangle{SurrogateMethod::triangle, 0.5f}, logistic{SurrogateMethod::logistic, 4};
  {
    LIFExParameters p;
    f(CellCase<LIFExModel>{"lif_ex", p, {0.0f, 3.0f}, {{0.0f, 0.9f}, {0.0f, 1.0f}}});
    p.reset = Reset::subtract, p.surrogate = triangle, p.delta_t = 0.2f;
    f(CellCase<LIFExModel>{"lif_ex subtract", p, {0.0f, 3.0f}, {{0.0f, 0.9f}, {0.0f, 1.0f}}});
  }
  {
    LIFAdExParameters p;
    p.tau_ada_inv = 50.0f;  // an adaptation current that moves within the steps
    f(CellCase<LIFAdExModel>{
        "lif_adex", p, {0.0f, 3.0f}, {{0.0f, 0.9f}, {0.0f, 1.0f}, {0.0f, 0.3f}}});
    p.reset = Reset::subtract, p.surrogate = logistic;
    f(CellCase<LIFAdExModel>{
        "lif_adex subtract", p, {0.0f, 3.0f}, {{0.0f, 0.9f}, {0.0f, 1.0f}, {0.0f, 0.3f}}});
  }
  {
    AdaLIFParameters p;  // Reset::subtract by default
    p.tau_adapt_inv = 20.0f;
    f(CellCase<AdaLIFModel>{
        "ada_lif", p, {0.0f, 4.0f}, {{0.0f, 0.9f}, {0.0f, 1.0f}, {0.0f, 0.5f}}});
    p.reset = Reset::value, p.surrogate = triangle;
    f(CellCase<AdaLIFModel>{
        "ada_lif value", p, {0.0f, 4.0f}, {{0.0f, 0.9f}, {0.0f, 1.0f}, {0.0f, 0.5f}}});
  }
  {
    IzhikevichParameters p;
    p.surrogate = {SurrogateMethod::super, 0.5f};
    f(CellCase<IzhikevichModel>{
        "izhikevich", p, {0.0f, 40.0f}, {{-70.0f, -50.0f}, {-16.0f, -10.0f}}, 60, 20});
    p.semi_implicit = true;
    f(CellCase<IzhikevichModel>{"izhikevich semi-implicit",
                                p,
                                {0.0f, 40.0f},
                                {{-70.0f, -50.0f}, {-16.0f, -10.0f}},
                                60,
                                20});
  }
  {
    LIFRefracParameters p;
    p.rho_reset = 3.0f;
    f(CellCase<LIFRefracModel>{
        "lif_refrac", p, {0.0f, 4.0f}, {{0.0f, 0.9f}, {0.0f, 1.0f}, {0.0f, 2.0f}}});
    p.lif.reset = Reset::subtract, p.lif.surrogate = triangle;
    f(CellCase<LIFRefracModel>{
        "lif_refrac subtract", p, {0.0f, 4.0f}, {{0.0f, 0.9f}, {0.0f, 1.0f}, {0.0f, 2.0f}}});
  }
  {
    LIFAdExRefracParameters p;
    p.rho_reset = 3.0f, p.adex.tau_ada_inv = 50.0f;
    const std::vector<Range> s{{0.0f, 0.9f}, {0.0f, 1.0f}, {0.0f, 0.3f}, {0.0f, 2.0f}};
    f(CellCase<LIFAdExRefracModel>{"lif_adex_refrac", p, {0.0f, 4.0f}, s});
    p.adex.reset = Reset::subtract, p.adex.surrogate = triangle;
    f(CellCase<LIFAdExRefracModel>{"lif_adex_refrac subtract", p, {0.0f, 4.0f}, s});
  }
  {
    CobaLIFParameters p;
    f(CellCase<CobaLIFModel>{
        "coba_lif", p, {-0.5f, 1.0f}, {{-25.0f, -12.0f}, {0.0f, 0.5f}, {0.0f, 0.5f}}});
    p.surrogate = logistic;
    f(CellCase<CobaLIFModel>{
        "coba_lif logistic", p, {-1.0f, 1.0f}, {{-25.0f, -12.0f}, {0.0f, 0.5f}, {0.0f, 0.5f}}});
  }
}

}  // namespace soma::test
