#include "core/neuron/lif_box.hpp"

#include "core/neuron/current_scan.hpp"
#include "core/ops/elementwise.hpp"

namespace soma {

CurrentScanConfig lif_box_scan_config(const LIFBoxParameters& p) {
  return {p.dt * p.tau_mem_inv, 0.0f, p.v_leak, p.v_th, p.v_reset, p.reset, p.surrogate, true};
}

VoltageState lif_box_initial_state(const Shape& shape, const LIFBoxParameters& p) {
  return {Tensor::full(shape, p.v_leak)};
}

LIFBoxStep lif_box_step(const Tensor& x, const Tensor& v, const LIFBoxParameters& p) {
  Tensor v_dec = v + (x + p.v_leak - v) * (p.dt * p.tau_mem_inv);
  Tensor z = spike_fn(v_dec - p.v_th, p.surrogate);
  return {z, reset_voltage(v_dec, z, p)};
}

LIFBoxSequence lif_box_sequence(const Tensor& x, const Tensor& v0, const LIFBoxParameters& p,
                                bool record_states) {
  CurrentScanResult r = current_scan(x, v0, Tensor::zeros(v0.shape(), v0.device()),
                                     lif_box_scan_config(p), record_states);
  return {r.z, r.v, r.trace};
}

Sequence<VoltageState> LIFBoxModel::sequence(const Tensor& x, const VoltageState& s0,
                                             const LIFBoxParameters& p, bool record_states) {
  LIFBoxSequence r = lif_box_sequence(x, s0.v, p, record_states);
  return {r.z, {r.v}, {r.trace}};
}

}  // namespace soma
