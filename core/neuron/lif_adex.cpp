#include "core/neuron/lif_adex.hpp"

#include "core/neuron/cell_sequence.hpp"
#include "core/neuron/lif_ex.hpp"
#include "core/neuron/model_cells.hpp"
#include "core/ops/elementwise.hpp"

namespace soma {

LIFAdExState lif_adex_initial_state(const Shape& shape, const LIFAdExParameters& p) {
  return {Tensor::full(shape, p.v_leak), Tensor::zeros(shape), Tensor::zeros(shape)};
}

LIFAdExState lif_adex_integrate(const Tensor& x, const LIFAdExState& s,
                                const LIFAdExParameters& p) {
  Tensor j = s.i + x;
  Tensor drive = lif_ex_drive(s.v, j, p.v_leak, p.v_th, p.delta_t) - s.a;
  Tensor v_dec = s.v + drive * (p.dt * p.tau_mem_inv);
  Tensor a_dec = s.a + (p.adaptation_current * (s.v - p.v_leak) - s.a) * (p.dt * p.tau_ada_inv);
  return {v_dec, j * (1.0f - p.dt * p.tau_syn_inv), a_dec};
}

LIFAdExState lif_adex_fire(const LIFAdExState& pre, const Tensor& z, const LIFAdExParameters& p) {
  return {reset_voltage(pre.v, z, p), pre.i, pre.a + z * p.adaptation_spike};
}

LIFAdExStep lif_adex_step(const Tensor& x, const LIFAdExState& s, const LIFAdExParameters& p) {
  LIFAdExState pre = lif_adex_integrate(x, s, p);
  Tensor z = spike_fn(pre.v - p.v_th, p.surrogate);
  return {z, lif_adex_fire(pre, z, p)};
}

Sequence<LIFAdExState> LIFAdExModel::sequence(const Tensor& x, const LIFAdExState& s0,
                                              const LIFAdExParameters& p, bool record_states) {
  return detail::cell_sequence("lif_adex_sequence", detail::adex_cell(p), x, s0, record_states);
}

}  // namespace soma
