#pragma once
// Refractory LIF layer (Norse's LIFRefrac) over (T, B, ...) input currents; see
// core/neuron/lif_refrac.hpp. recorded(): "v", "i", "rho".
#include "core/neuron/lif_refrac.hpp"
#include "core/nn/spiking_module.hpp"

namespace soma::nn {

class LIFRefrac : public SpikingModule {
 public:
  explicit LIFRefrac(LIFRefracParameters p = {}) : p(p) {}
  Tensor forward(const Tensor& x) override;
  LIFRefracParameters p;
  LIFRefracState state;
};

}  // namespace soma::nn
