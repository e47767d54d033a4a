#pragma once
// Base of the neuron-layer modules (the NeuronLayer template of neuron_layer.hpp, SpikingLinear,
// SpikingConv2d): a Module that maps a time-first sequence (T, B, ...) to a sequence of the same
// length, as Norse's LIF / LIFRecurrent modules.
//
// Each forward starts from the model's initial state (Norse's state=None) and keeps the final
// state in the subclass's typed `state` member; code that carries state across calls uses the
// functional sequence API of core/neuron/ with an explicit state. With record_states, every
// state variable over time is kept by name ("v", "i", "b", ...), each (T, B, ...), as Norse's
// record_states=True.
#include "core/nn/module.hpp"

namespace soma::nn {

class SpikingModule : public Module {
 public:
  bool record_states = false;
  const NamedTensors& recorded() const { return recorded_; }

 protected:
  NamedTensors recorded_;  // refilled by each forward when record_states is on
};

}  // namespace soma::nn
