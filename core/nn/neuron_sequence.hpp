#pragma once
// What the neuron-layer modules built on core/neuron/rollout.hpp share: the initial-state shape
// of an input sequence, and keeping a sequence's final state and recorded states.
#include "core/neuron/rollout.hpp"
#include "core/nn/module.hpp"

namespace soma::nn {

// The shape of one time step of x (T, B, ...).
inline Shape step_shape(const Tensor& x) {
  return Shape(x.shape().begin() + 1, x.shape().end());
}

// Stores r's final state and, when `record`, its states by name; returns the spikes.
template <class State>
Tensor keep_sequence(const Sequence<State>& r, State& state, bool record, NamedTensors& recorded) {
  state = r.state;
  recorded = record ? named_states(r.states) : NamedTensors{};
  return r.z;
}

}  // namespace soma::nn
