#pragma once
// Integrate-and-fire layer (core/neuron/iaf.hpp), as Norse's IAF: (T, B, ...) charges -> spikes,
// final voltage in `state`; with record_states (Norse issue #407) recorded() holds "v" (T, B, ...).
#include "core/neuron/iaf.hpp"
#include "core/nn/spiking_module.hpp"

namespace soma::nn {

class IAF : public SpikingModule {
 public:
  explicit IAF(IAFParameters p = {}) : p(p) {}
  Tensor forward(const Tensor& x) override;
  IAFParameters p;
  Tensor state;  // v
};

}  // namespace soma::nn
