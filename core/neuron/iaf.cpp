#include "core/neuron/iaf.hpp"

#include <utility>

#include "core/neuron/cell_scan.hpp"
#include "core/neuron/rollout.hpp"
#include "core/ops/elementwise.hpp"

namespace soma {

Tensor iaf_initial_state(const Shape& shape, const IAFParameters& p) {
  return Tensor::full(shape, p.v_reset);
}

IAFStep iaf_step(const Tensor& x, const Tensor& v, const IAFParameters& p) {
  Tensor v_dec = v + x;
  Tensor z = spike_fn(v_dec - p.v_th, p.surrogate);
  return {z, reset_voltage(v_dec, z, p)};
}

namespace {

// One IAF neuron for cell_scan: state v, saves v~.
struct IAFCell {
  static constexpr int kState = 1, kSaved = 1;
  IAFParameters p;

  float forward(float x, float* s, float* saved) const {
    float vd = s[0] + x, z = vd > p.v_th ? 1.0f : 0.0f;
    s[0] = p.reset == Reset::value ? vd + z * (p.v_reset - vd) : vd - z * p.v_th;
    saved[0] = vd;
    return z;
  }
  float backward(const float* saved, float gz, float* gs) const {
    float vd = saved[0], z = vd > p.v_th ? 1.0f : 0.0f, gv = gs[0];
    float sg = p.surrogate.grad(vd - p.v_th);
    gs[0] = p.reset == Reset::value ? gv * (1.0f - z) + (gv * (p.v_reset - vd) + gz) * sg
                                    : gv + (gz - gv * p.v_th) * sg;
    return gs[0];
  }
};

}  // namespace

IAFSequence iaf_sequence(const Tensor& x, const Tensor& v0, const IAFParameters& p,
                         bool record_states) {
  if (x.device() == Device::cuda) {  // no fused kernel: Norse's step loop of device ops
    auto step = [&p](const Tensor& xt, const VoltageState& s) {
      IAFStep r = iaf_step(xt, s.v, p);
      return std::pair{r.z, VoltageState{r.v}};
    };
    Sequence<VoltageState> r = rollout(x, VoltageState{v0}, step, record_states);
    return {r.z, r.state.v, r.states.v};
  }
  detail::CellScanResult r =
      detail::cell_scan("iaf_sequence", IAFCell{p}, x, Tensor(), Tensor(), {v0}, record_states);
  return {r.z, r.state[0], record_states ? r.traces[0] : Tensor()};
}

Sequence<VoltageState> IAFModel::sequence(const Tensor& x, const VoltageState& s0,
                                          const IAFParameters& p, bool record_states) {
  IAFSequence r = iaf_sequence(x, s0.v, p, record_states);
  return {r.z, {r.v}, {r.trace}};
}

}  // namespace soma
