#include "core/neuron/lsnn.hpp"

#include "core/neuron/cell_scan.hpp"
#include "core/neuron/cell_scan_cuda.hpp"
#include "core/neuron/lsnn_cell.hpp"
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
  const Tensors s0s{s0.v, s0.i, s0.b};
  detail::CellScanResult r =
      x.device() == Device::cuda
          ? detail::cell_scan_cuda("lsnn_sequence", detail::lsnn_cell(p, false), x, s0s,
                                   record_states)
          : detail::cell_scan("lsnn_sequence", detail::lsnn_cell(p, false), x, Tensor(), Tensor(),
                              s0s, record_states);
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
  detail::CellScanResult r =
      detail::cell_scan("lsnn_recurrent_sequence", detail::lsnn_cell(p, true), x_in, w_rec, s0.z,
                        {s0.v, s0.i, s0.b}, record_states);
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
