#include "core/neuron/lsnn.hpp"

#include "core/neuron/cell_scan.hpp"
#include "core/neuron/lsnn_cuda.hpp"
#include "core/neuron/rollout.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/linalg.hpp"
#include "core/ops/shape_ops.hpp"

namespace soma {

LSNNState lsnn_initial_state(const Shape& shape, const LSNNParameters& p) {
  return {Tensor::zeros(shape), Tensor::full(shape, p.v_leak), Tensor::zeros(shape),
          Tensor::full(shape, p.v_th)};
}

namespace {

// The composed step; j is the full input current i + x already summed.
LSNNStep composed_step(const Tensor& j, const LSNNState& s, const LSNNParameters& p, bool detach) {
  float am = p.dt * p.tau_mem_inv, as = p.dt * p.tau_syn_inv, ab = p.dt * p.tau_adapt_inv;
  Tensor v_dec = s.v + (p.v_leak - s.v + j) * am;
  Tensor b_dec = s.b + (p.v_th - s.b) * ab;
  Tensor z = spike_fn(v_dec - b_dec, p.surrogate);
  return {
      z,
      {z, reset_voltage(v_dec, detach ? z.detach() : z, p), j * (1.0f - as), b_dec + z * p.beta}};
}

// One LSNN neuron for cell_scan: state (v, i, b); saves v~ and b~.
struct LSNNCell {
  static constexpr int kState = 3, kSaved = 2;
  float am, keep_i, ab, v_leak, v_th, v_reset, beta;
  Reset reset;
  Surrogate surrogate;
  bool detach;  // no gradient through the reset

  float forward(float x, float* s, float* saved) const {
    float j = s[1] + x;
    float vd = s[0] + am * (v_leak - s[0] + j);
    float bd = s[2] + ab * (v_th - s[2]);
    float z = vd - bd > 0.0f ? 1.0f : 0.0f;
    s[0] = reset == Reset::value ? vd + z * (v_reset - vd) : vd - z * v_th;
    s[1] = j * keep_i;
    s[2] = bd + z * beta;
    saved[0] = vd;
    saved[1] = bd;
    return z;
  }
  float backward(const float* saved, float gz, float* gs) const {
    float vd = saved[0], bd = saved[1], u = vd - bd, z = u > 0.0f ? 1.0f : 0.0f;
    float gv = gs[0], gb = gs[2];
    // dv'/dz: v_reset - v~ (value) or -v_th (subtract); dv'/dv~: 1 - z or 1.
    const bool by_value = reset == Reset::value;
    float dv_dz = detach ? 0.0f : by_value ? v_reset - vd : -v_th;
    float gu = (gz + gv * dv_dz + gb * beta) * surrogate.grad(u);
    float gvd = (by_value ? gv * (1.0f - z) : gv) + gu;
    float gj = gvd * am + gs[1] * keep_i;
    gs[0] = gvd * (1.0f - am);
    gs[1] = gj;
    gs[2] = (gb - gu) * (1.0f - ab);
    return gj;
  }
};

LSNNCell make_cell(const LSNNParameters& p, bool detach) {
  return {p.dt * p.tau_mem_inv,
          1.0f - p.dt * p.tau_syn_inv,
          p.dt * p.tau_adapt_inv,
          p.v_leak,
          p.v_th,
          p.v_reset,
          p.beta,
          p.reset,
          p.surrogate,
          detach};
}

LSNNSequence to_sequence(const detail::CellScanResult& r, int64_t steps) {
  LSNNSequence out{r.z, {select(r.z, steps - 1), r.state[0], r.state[1], r.state[2]}, {}, {}, {}};
  if (!r.traces.empty()) out.v = r.traces[0], out.i = r.traces[1], out.b = r.traces[2];
  return out;
}

}  // namespace

LSNNStep lsnn_step(const Tensor& x, const LSNNState& s, const LSNNParameters& p) {
  return composed_step(s.i + x, s, p, false);
}

LSNNStep lsnn_recurrent_step(const Tensor& x_in, const Tensor& w_rec, const LSNNState& s,
                             const LSNNParameters& p) {
  return composed_step(s.i + x_in + linear(s.z, w_rec), s, p, true);
}

LSNNSequence lsnn_sequence(const Tensor& x, const LSNNState& s0, const LSNNParameters& p,
                           bool record_states) {
  if (x.device() == Device::cuda) {  // no fused kernel: Norse's step loop of device ops
    auto step = [&p](const Tensor& xt, const LSNNState& s) { return lsnn_step(xt, s, p); };
    Sequence<LSNNState> r = rollout(x, s0, step, record_states);
    return {r.z, r.state, r.states.v, r.states.i, r.states.b};
  }
  detail::CellScanResult r = detail::cell_scan("lsnn_sequence", make_cell(p, false), x, Tensor(),
                                               Tensor(), {s0.v, s0.i, s0.b}, record_states);
  return to_sequence(r, x.size(0));
}

LSNNSequence lsnn_recurrent_sequence(const Tensor& x_in, const Tensor& w_rec, const LSNNState& s0,
                                     const LSNNParameters& p, bool record_states) {
  if (!w_rec.defined() || !s0.z.defined())
    throw std::invalid_argument("lsnn_recurrent_sequence: needs recurrent weights and z0");
#ifdef SOMA_CUDA
  if (x_in.device() == Device::cuda)
    return detail::lsnn_recurrent_sequence_cuda(x_in, w_rec, s0, p, record_states);
#endif
  detail::CellScanResult r = detail::cell_scan("lsnn_recurrent_sequence", make_cell(p, true), x_in,
                                               w_rec, s0.z, {s0.v, s0.i, s0.b}, record_states);
  return to_sequence(r, x_in.size(0));
}

Sequence<LSNNState> LSNNModel::sequence(const Tensor& x, const LSNNState& s0,
                                        const LSNNParameters& p, bool record_states) {
  LSNNSequence r = lsnn_sequence(x, s0, p, record_states);
  return {r.z, r.state, {Tensor(), r.v, r.i, r.b}};
}

Sequence<LSNNState> LSNNRecurrentModel::sequence(const Tensor& x, const LSNNState& s0,
                                                 const Tensor& w_in, const Tensor& w_rec,
                                                 const LSNNParameters& p, bool record_states) {
  LSNNSequence r = lsnn_recurrent_sequence(linear(x, w_in), w_rec, s0, p, record_states);
  return {r.z, r.state, {Tensor(), r.v, r.i, r.b}};
}

}  // namespace soma
