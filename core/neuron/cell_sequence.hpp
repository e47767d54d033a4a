#pragma once
// Model::sequence for a feed-forward neuron model with a fused-scan Cell (LIF-Ex, AdEx, AdaLIF,
// Izhikevich, the refractory LIF and AdEx, CobaLIF): all T steps as one autograd node, the CPU's
// cell_scan (cell_scan.hpp) or, for cuda input, one kernel each way (cell_scan_cuda.hpp), in
// place of a loop that records ~15 nodes (and, on cuda, ~15 launches) per step. The state's
// fields() give the order of the cell's variables. Included only by the model .cpp files.
//
// Measured (bench_neuron_models, T 100, B 32, H 512, forward + backward, 2 threads of an AMD EPYC):
// 2.5x (LIF-Ex) to 4.2x (refractory AdEx) faster than the loop of steps on the CPU (whose selects
// add their gradients as blocks, Node::block_offset); on cuda (the emulator's counts, T 20) 11-13
// launches where the loops took 636-1822.
#include <stdexcept>

#include "core/neuron/cell_scan.hpp"
#include "core/neuron/cell_scan_cuda.hpp"
#include "core/neuron/rollout.hpp"
#include "core/ops/elementwise.hpp"

namespace soma::detail {

template <class State, class Cell>
Sequence<State> cell_sequence(const char* name, const Cell& cell, const Tensor& x, const State& s0,
                              bool record) {
  static_assert(State::names.size() == size_t(Cell::kState), "one cell variable per state field");
  if (x.dim() < 1 || x.size(0) == 0)
    throw std::invalid_argument(std::string(name) + ": input must be (T, ...) with T >= 1");
  const Shape step(x.shape().begin() + 1, x.shape().end());
  State s = s0;
  Tensors s0s;
  for (Tensor* t : s.fields()) {
    if (!t->defined())
      throw std::invalid_argument(std::string(name) + ": an initial state variable is undefined");
    // A state that broadcasts over the steps (the step loop accepts one) is expanded first, in
    // the graph, so its gradient sums back as the loop's would.
    s0s.push_back(t->shape() == step ? *t : *t + Tensor::zeros(step, x.device()));
  }
  CellScanResult r = x.device() == Device::cuda
                         ? cell_scan_cuda(name, cell, x, s0s, record)
                         : cell_scan(name, cell, x, Tensor(), Tensor(), s0s, record);
  Sequence<State> out{r.z, {}, {}};
  auto f = out.state.fields();
  for (size_t j = 0; j < f.size(); ++j) *f[j] = r.state[j];
  if (record) {
    auto g = out.states.fields();
    for (size_t j = 0; j < g.size(); ++j) *g[j] = r.traces[j];
  }
  return out;
}

}  // namespace soma::detail
