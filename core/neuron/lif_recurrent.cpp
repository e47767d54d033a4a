#include "core/neuron/lif_recurrent.hpp"

#include <stdexcept>

#include "core/neuron/cell_scan.hpp"
#include "core/neuron/current_scan.hpp"
#include "core/neuron/lif_recurrent_cuda.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/linalg.hpp"
#include "core/ops/shape_ops.hpp"

namespace soma {

LIFRecurrentState lif_recurrent_initial_state(const Shape& shape, const LIFParameters& p) {
  return {Tensor::zeros(shape), Tensor::full(shape, p.v_leak), Tensor::zeros(shape)};
}

LIFRecurrentState lif_recurrent_state_on(const Shape& shape, const LIFParameters& p,
                                         Device device) {
  LIFRecurrentState s = lif_recurrent_initial_state(shape, p);
  for (Tensor* t : {&s.z, &s.v, &s.i}) *t = t->to(device);
  return s;
}

LIFRecurrentStep lif_recurrent_step(const Tensor& x_in, const Tensor& w_rec,
                                    const LIFRecurrentState& s, const LIFParameters& p) {
  float am = p.dt * p.tau_mem_inv, as = p.dt * p.tau_syn_inv;
  Tensor j = s.i + x_in + linear(s.z, w_rec);
  Tensor v_dec = s.v + (p.v_leak - s.v + j) * am;
  Tensor z = spike_fn(v_dec - p.v_th, p.surrogate);
  return {z, {z, reset_voltage(v_dec, z.detach(), p), j * (1.0f - as)}};
}

namespace {

// One LIF neuron for cell_scan: state (v, i), saves the pre-reset voltage. With detach_reset the
// reset term carries no gradient, as Norse's recurrent step.
struct LIFCell {
  static constexpr int kState = 2, kSaved = 1;
  float am, keep_i, v_leak, v_th, v_reset;
  Reset reset;
  Surrogate surrogate;
  bool detach_reset;

  // A row of neurons per call: one step of current_scan's kernels (the same arithmetic as
  // forward/backward below, SuperSpike inlined), compiled per instruction-set level. On the AMD
  // EPYC (rec epoch, one thread, bench_mnist_epoch --quick) the step's backward went from
  // 12.7-13.3 ms to 7.7-8.2 ms in the portable build (v4) and from 11.8-12.4 to 8.8-9.3 ms in
  // the -march=native one: the per-neuron loop with its out-of-line Surrogate::grad call did
  // not vectorise at any level.
  CurrentScanConfig config() const {
    return {am, keep_i, v_leak, v_th, v_reset, reset, surrogate, true};
  }
  void forward_row(int64_t n, const float* x, float* const* s, float* const* saved,
                   float* z) const {
    scan_forward_range(config(), {1, n}, 0, n, x, s[0], s[1], z, saved[0], nullptr);
  }
  // A step of `rows` rows of n neurons that also lists the spikes (cell_scan.hpp SpikeRowCell).
  int64_t forward_row_spikes(int64_t rows, int64_t n, const float* x, float* const* s,
                             float* const* saved, float* z, int64_t* row_end, int32_t* out) const {
    return scan_step_spikes(config(), rows, n, x, s[0], s[1], z, saved[0], row_end, out);
  }
  void backward_row(int64_t n, const float* const* saved, const float* gz, float* const* gs,
                    float* gx) const {
    scan_backward_range(config(), {1, n}, 0, n, saved[0], {gz, nullptr, gx, gs[0], gs[1]},
                        detach_reset);
  }

  float forward(float x, float* s, float* saved) const {
    float j = s[1] + x;
    float vd = s[0] + am * (v_leak - s[0] + j);
    float z = vd > v_th ? 1.0f : 0.0f;
    s[0] = reset == Reset::value ? vd + z * (v_reset - vd) : vd - z * v_th;
    s[1] = j * keep_i;
    saved[0] = vd;
    return z;
  }
  float backward(const float* saved, float gz, float* gs) const {
    float vd = saved[0], z = vd > v_th ? 1.0f : 0.0f, gv = gs[0];
    float sg = surrogate.grad(vd - v_th), gvd;
    if (reset == Reset::value)
      gvd = gv * (1.0f - z) + (gz + (detach_reset ? 0.0f : gv * (v_reset - vd))) * sg;
    else
      gvd = gv + (gz - (detach_reset ? 0.0f : gv * v_th)) * sg;
    float gj = gvd * am + gs[1] * keep_i;
    gs[0] = gvd * (1.0f - am);
    gs[1] = gj;
    return gj;
  }
};

}  // namespace

namespace {

// x_scratch: x_in was made for this call alone and may take the recurrent input in place
// (cell_scan).
LIFRecurrentSequence recurrent_scan(const Tensor& x_in, const Tensor& w_rec,
                                    const LIFRecurrentState& s0, const LIFParameters& p,
                                    bool record_states, bool x_scratch) {
  if (!w_rec.defined() || !s0.z.defined())
    throw std::invalid_argument("lif_recurrent_sequence: needs recurrent weights and z0");
#ifdef SOMA_CUDA
  if (x_in.device() == Device::cuda)
    return detail::lif_recurrent_sequence_cuda(x_in, w_rec, s0, p, record_states);
#endif
  LIFCell cell{p.dt * p.tau_mem_inv,
               1.0f - p.dt * p.tau_syn_inv,
               p.v_leak,
               p.v_th,
               p.v_reset,
               p.reset,
               p.surrogate,
               true};
  detail::CellScanResult r = detail::cell_scan("lif_recurrent_sequence", cell, x_in, w_rec, s0.z,
                                               {s0.v, s0.i}, record_states, x_scratch);
  LIFRecurrentSequence out{r.z, {select(r.z, x_in.size(0) - 1), r.state[0], r.state[1]}, {}, {}};
  if (record_states) out.v = r.traces[0], out.i = r.traces[1];
  return out;
}

}  // namespace

LIFRecurrentSequence lif_recurrent_sequence(const Tensor& x_in, const Tensor& w_rec,
                                            const LIFRecurrentState& s0, const LIFParameters& p,
                                            bool record_states) {
  return recurrent_scan(x_in, w_rec, s0, p, record_states, false);
}

Sequence<LIFRecurrentState> LIFRecurrentModel::sequence(const Tensor& x,
                                                        const LIFRecurrentState& s0,
                                                        const Tensor& w_in, const Tensor& w_rec,
                                                        const LIFParameters& p,
                                                        bool record_states) {
  // The projection is this call's own: the scan may add the recurrent input into it.
  LIFRecurrentSequence r = recurrent_scan(linear(x, w_in), w_rec, s0, p, record_states, true);
  return {r.z, r.state, {Tensor(), r.v, r.i}};
}

}  // namespace soma
