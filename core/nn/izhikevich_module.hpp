#pragma once
// Izhikevich layer over (T, B, ...) input currents; see core/neuron/izhikevich.hpp. Every
// forward starts from v = v0, u = u0 (by default -70 and b v0). recorded(): "v", "u".
#include "core/neuron/izhikevich_presets.hpp"
#include "core/nn/spiking_module.hpp"

namespace soma::nn {

class Izhikevich : public SpikingModule {
 public:
  explicit Izhikevich(IzhikevichParameters p = {}, float v0 = -70.0f)
      : p(p), v0(v0), u0(p.b * v0) {}
  // A behaviour of izhikevich_presets.hpp: its parameters and initial state.
  explicit Izhikevich(const IzhikevichPreset& preset) : p(preset.p), v0(preset.v0), u0(preset.u0) {}
  Tensor forward(const Tensor& x) override;
  IzhikevichParameters p;
  float v0, u0;
  IzhikevichState state;
};

}  // namespace soma::nn
