#pragma once
// The neuron models of core/neuron/ behind one interface, for the `neurons` demo: a population of
// n independent neurons of one model, each fed its own constant input, stepped a chunk at a time
// with the state carried over (Norse's functional API with an explicit state, no gradients).
//
// Each kind has Norse's default parameters and its own step length and input range: LIF-family
// models step 1 ms (dt 1e-3 s); Izhikevich steps dt * tau_inv = 0.25 ms of its figures' time
// (its preset's); CobaLIF's constants are per ms, so it runs at dt 0.1 (0.1 ms steps) instead of
// Norse's 1e-3 (1 us steps: a spike a second would need thousands of steps; see coba_lif.hpp).
// The input range (current_max) spans silence to fast firing at the defaults, measured with the
// demo itself (tests/tasks/test_neurons.cpp checks both ends).
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/tensor/tensor.hpp"

namespace soma {

struct PopulationChunk {
  Tensor z, v;   // (T, n) spikes and membrane voltages after each step
  Tensor extra;  // (T, n) the kind's `extra` state variable; undefined without one
};

class NeuronPopulation {
 public:
  virtual ~NeuronPopulation() = default;
  // x (T, n): the input of every neuron at each step.
  virtual PopulationChunk run(const Tensor& x) = 0;
};

struct NeuronKind {
  const char* name;
  const char* about;    // one line: what the model adds
  double current_max;   // the sweep's top input, in the model's input units
  const char* input;    // what the input is, for the axis: "input current x"
  const char* voltage;  // v's unit, for the axis
  const char* extra;    // the state variable shown beside v ("b", "a", "u"); null: none
  // n neurons; `preset` names an Izhikevich behaviour (others ignore it). step_ms is set.
  std::function<std::unique_ptr<NeuronPopulation>(int64_t n, const std::string& preset,
                                                  double& step_ms)>
      make;
};

const std::vector<NeuronKind>& neuron_kinds();
std::vector<std::string> neuron_kind_names();
// Throws std::invalid_argument naming the known kinds.
const NeuronKind& neuron_kind(const std::string& name);

}  // namespace soma
