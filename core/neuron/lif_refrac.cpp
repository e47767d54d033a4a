#include "core/neuron/lif_refrac.hpp"

#include "core/neuron/cell_sequence.hpp"
#include "core/neuron/model_cells.hpp"
#include "core/neuron/refractory.hpp"

namespace soma {

LIFRefracState lif_refrac_initial_state(const Shape& shape, const LIFRefracParameters& p) {
  return {lif_initial_state(shape, p.lif), Tensor::zeros(shape)};
}

LIFRefracStep lif_refrac_step(const Tensor& x, const LIFRefracState& s,
                              const LIFRefracParameters& p) {
  LIFStep free = lif_step(x, s.lif, p.lif);
  RefractoryGate g = refractory_gate(free.z, s.rho, p.lif.surrogate);
  Tensor v = refractory_hold(free.state.v, s.lif.v, g);
  return {g.z, {{v, free.state.i}, refractory_count(s.rho, g, p.rho_reset)}};
}

Sequence<LIFRefracState> LIFRefracModel::sequence(const Tensor& x, const LIFRefracState& s0,
                                                  const LIFRefracParameters& p,
                                                  bool record_states) {
  return detail::cell_sequence("lif_refrac_sequence", detail::lif_refrac_cell(p), x, s0,
                               record_states);
}

}  // namespace soma
