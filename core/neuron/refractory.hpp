#pragma once
// Refractoriness shared by the refractory LIF and AdEx models (Norse's refractory update). A
// refractory counter rho (in steps) gates the free model's step:
//   m    = H(rho)                                   (through the surrogate, as Norse)
//   z    = (1 - m) z_free                           spikes are masked
//   v'   = (1 - m) v_free + m v                     v is held at its pre-step value
//   rho' = (1 - z) relu(rho - m) + rho_reset z
// A spike sets rho to rho_reset, which then counts down one per step, so rho_reset = 5 gives
// exactly 5 dead steps after each spike. Other state (i, a) evolves freely.
#include "core/neuron/surrogate.hpp"

namespace soma {

struct RefractoryGate {
  Tensor m;  // H(rho)
  Tensor z;  // masked spikes
};

RefractoryGate refractory_gate(const Tensor& z_free, const Tensor& rho, const Surrogate& s);
Tensor refractory_hold(const Tensor& v_free, const Tensor& v_old, const RefractoryGate& g);
Tensor refractory_count(const Tensor& rho, const RefractoryGate& g, float rho_reset);

}  // namespace soma
