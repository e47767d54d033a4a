#include "core/neuron/li.hpp"

#include "core/neuron/current_scan.hpp"
#include "core/ops/elementwise.hpp"

namespace soma {

CurrentScanConfig li_scan_config(const LIParameters& p) {
  return {p.dt * p.tau_mem_inv,
          p.box ? 0.0f : 1.0f - p.dt * p.tau_syn_inv,
          p.v_leak,
          0,
          0,
          Reset::value,
          Surrogate{},
          false};
}

LIFState li_initial_state(const Shape& shape, const LIParameters& p) {
  return {Tensor::full(shape, p.v_leak), Tensor::zeros(shape)};
}

LIFState li_step(const Tensor& x, const LIFState& s, const LIParameters& p) {
  Tensor j = p.box ? x : s.i + x;
  Tensor v_new = s.v + (p.v_leak - s.v + j) * (p.dt * p.tau_mem_inv);
  Tensor i_new =
      p.box ? Tensor::zeros(s.i.shape(), s.i.device()) : j * (1.0f - p.dt * p.tau_syn_inv);
  return {v_new, i_new};
}

LISequence li_sequence(const Tensor& x, const LIFState& s0, const LIParameters& p) {
  CurrentScanResult r = current_scan(x, s0.v, s0.i, li_scan_config(p), true);
  return {r.trace, {r.v, r.i}};
}

Sequence<LIFState> LIModel::sequence(const Tensor& x, const LIFState& s0, const LIParameters& p,
                                     bool record_states) {
  LISequence r = li_sequence(x, s0, p);
  Sequence<LIFState> out{r.v, r.state, {}};
  if (record_states)
    out.states = {r.v,
                  p.box ? Tensor() : synaptic_current_trace(x, s0.i, 1.0f - p.dt * p.tau_syn_inv)};
  return out;
}

}  // namespace soma
