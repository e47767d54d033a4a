#include "core/neuron/lif.hpp"

#include "core/neuron/current_scan.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/shape_ops.hpp"

namespace soma {

Tensor reset_voltage(const Tensor& v_dec, const Tensor& z, const ThresholdParameters& p) {
  return p.reset == Reset::value ? (1.0f - z) * v_dec + z * p.v_reset : v_dec - z * p.v_th;
}

LIFState lif_initial_state(const Shape& shape, const LIFParameters& p) {
  return {Tensor::full(shape, p.v_leak), Tensor::zeros(shape)};
}

LIFStep lif_step(const Tensor& x, const LIFState& s, const LIFParameters& p) {
  float am = p.dt * p.tau_mem_inv, as = p.dt * p.tau_syn_inv;
  Tensor j = s.i + x;
  Tensor v_dec = s.v + (p.v_leak - s.v + j) * am;
  Tensor z = spike_fn(v_dec - p.v_th, p.surrogate);
  return {z, {reset_voltage(v_dec, z, p), j * (1.0f - as)}};
}

LIFSequence lif_sequence(const Tensor& x, const LIFState& s0, const LIFParameters& p,
                         bool record_states) {
  CurrentScanResult r = current_scan(x, s0.v, s0.i, lif_scan_config(p, false, true), record_states);
  return {r.z, {r.v, r.i}, r.trace};
}

Sequence<LIFState> lif_layer_sequence(const LIFSequence& r, const Tensor& x, const LIFState& s0,
                                      const LIFParameters& p, bool record_states) {
  Sequence<LIFState> out{r.z, r.state, {}};
  if (record_states)
    out.states = {r.v, synaptic_current_trace(x, s0.i, 1.0f - p.dt * p.tau_syn_inv)};
  return out;
}

Sequence<LIFState> LIFModel::sequence(const Tensor& x, const LIFState& s0, const LIFParameters& p,
                                      bool record_states) {
  return lif_layer_sequence(lif_sequence(x, s0, p, record_states), x, s0, p, record_states);
}

}  // namespace soma
