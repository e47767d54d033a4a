#include "core/neuron/ada_lif.hpp"

#include "core/neuron/cell_sequence.hpp"
#include "core/neuron/model_cells.hpp"
#include "core/ops/elementwise.hpp"

namespace soma {

AdaLIFState ada_lif_initial_state(const Shape& shape, const AdaLIFParameters& p) {
  return {Tensor::full(shape, p.v_leak), Tensor::zeros(shape), Tensor::zeros(shape)};
}

AdaLIFStep ada_lif_step(const Tensor& x, const AdaLIFState& s, const AdaLIFParameters& p) {
  Tensor j = s.i + x;
  Tensor v_dec = s.v + (p.v_leak - s.v + j - s.b) * (p.dt * p.tau_mem_inv);
  Tensor b_dec = s.b * (1.0f - p.dt * p.tau_adapt_inv);
  Tensor z = spike_fn(v_dec - p.v_th, p.surrogate);
  return {z, {reset_voltage(v_dec, z, p), j * (1.0f - p.dt * p.tau_syn_inv), b_dec + z * p.beta}};
}

Sequence<AdaLIFState> AdaLIFModel::sequence(const Tensor& x, const AdaLIFState& s0,
                                            const AdaLIFParameters& p, bool record_states) {
  return detail::cell_sequence("ada_lif_sequence", detail::ada_lif_cell(p), x, s0, record_states);
}

}  // namespace soma
