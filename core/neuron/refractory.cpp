#include "core/neuron/refractory.hpp"

#include "core/ops/elementwise.hpp"

namespace soma {

RefractoryGate refractory_gate(const Tensor& z_free, const Tensor& rho, const Surrogate& s) {
  Tensor m = spike_fn(rho, s);
  return {m, (1.0f - m) * z_free};
}

Tensor refractory_hold(const Tensor& v_free, const Tensor& v_old, const RefractoryGate& g) {
  return (1.0f - g.m) * v_free + g.m * v_old;
}

Tensor refractory_count(const Tensor& rho, const RefractoryGate& g, float rho_reset) {
  return (1.0f - g.z) * relu(rho - g.m) + g.z * rho_reset;
}

}  // namespace soma
