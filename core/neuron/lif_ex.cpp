#include "core/neuron/lif_ex.hpp"

#include "core/neuron/cell_sequence.hpp"
#include "core/neuron/model_cells.hpp"
#include "core/ops/elementwise.hpp"

namespace soma {

LIFExState lif_ex_initial_state(const Shape& shape, const LIFExParameters& p) {
  return {Tensor::full(shape, p.v_leak), Tensor::zeros(shape)};
}

Tensor lif_ex_drive(const Tensor& v, const Tensor& j, float v_leak, float v_th, float delta_t) {
  return (v_leak - v) + j + delta_t * exp((v - v_th) / delta_t);
}

LIFExStep lif_ex_step(const Tensor& x, const LIFExState& s, const LIFExParameters& p) {
  Tensor j = s.i + x;
  Tensor v_dec = s.v + lif_ex_drive(s.v, j, p.v_leak, p.v_th, p.delta_t) * (p.dt * p.tau_mem_inv);
  Tensor z = spike_fn(v_dec - p.v_th, p.surrogate);
  return {z, {reset_voltage(v_dec, z, p), j * (1.0f - p.dt * p.tau_syn_inv)}};
}

Sequence<LIFExState> LIFExModel::sequence(const Tensor& x, const LIFExState& s0,
                                          const LIFExParameters& p, bool record_states) {
  return detail::cell_sequence("lif_ex_sequence", detail::lif_ex_cell(p), x, s0, record_states);
}

}  // namespace soma
