#include "core/neuron/lif_recurrent.hpp"

#include <stdexcept>

#include "core/autograd/node.hpp"
#include "core/backend/gemm.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/linalg.hpp"
#include "core/ops/shape_ops.hpp"

namespace soma {

LIFRecurrentState lif_recurrent_initial_state(const Shape& shape, const LIFParameters& p) {
  return {Tensor::zeros(shape), Tensor::full(shape, p.v_leak), Tensor::zeros(shape)};
}

LIFRecurrentStep lif_recurrent_step(const Tensor& x_in, const Tensor& w_rec,
                                    const LIFRecurrentState& s, const LIFParameters& p) {
  float am = p.dt * p.tau_mem_inv, as = p.dt * p.tau_syn_inv;
  Tensor j = s.i + x_in + linear(s.z, w_rec);
  Tensor v_dec = s.v + (p.v_leak - s.v + j) * am;
  Tensor z = spike_fn(v_dec - p.v_th, p.surrogate);
  Tensor zd = z.detach();
  Tensor v_new =
      p.reset == Reset::value ? (1.0f - zd) * v_dec + zd * p.v_reset : v_dec - zd * p.v_th;
  return {z, {z, v_new, j * (1.0f - as)}};
}

namespace {

struct Dims {
  int64_t steps, batch, hidden;
  int64_t width() const { return batch * hidden; }
};

// One time step for all neurons; x holds the full input current for this step.
void step_forward(const LIFParameters& p, int64_t n, const float* x, float* v, float* i, float* z,
                  float* v_dec, float* trace) {
  const float am = p.dt * p.tau_mem_inv, keep_i = 1.0f - p.dt * p.tau_syn_inv;
  for (int64_t k = 0; k < n; ++k) {
    float j = i[k] + x[k];
    float vd = v[k] + am * (p.v_leak - v[k] + j);
    float zk = vd > p.v_th ? 1.0f : 0.0f;
    i[k] = j * keep_i;
    v[k] = p.reset == Reset::value ? vd + zk * (p.v_reset - vd) : vd - zk * p.v_th;
    z[k] = zk;
    v_dec[k] = vd;
    if (trace) trace[k] = v[k];
  }
}

// Adjoint of step_forward with the reset detached; gz already includes the recurrent part.
void step_backward(const LIFParameters& p, int64_t n, const float* v_dec, const float* gz,
                   const float* gtrace, float* gx, float* gv, float* gi) {
  const float am = p.dt * p.tau_mem_inv, keep_i = 1.0f - p.dt * p.tau_syn_inv;
  for (int64_t k = 0; k < n; ++k) {
    float g_v = gv[k] + (gtrace ? gtrace[k] : 0.0f);
    float vd = v_dec[k], zk = vd > p.v_th ? 1.0f : 0.0f;
    float gvd =
        (p.reset == Reset::value ? g_v * (1.0f - zk) : g_v) + gz[k] * p.surrogate.grad(vd - p.v_th);
    float gj = gvd * am + gi[k] * keep_i;
    gx[k] = gj;
    gi[k] = gj;
    gv[k] = gvd * (1.0f - am);
  }
}

}  // namespace

namespace {

struct Saved {
  Tensor w, z0, z, v_dec;  // detached
  Dims d;
  LIFParameters p;
};

// Reverse scan. gX_t feeds z_{t-1} through W_rec, so one small GEMM per step; the weight
// gradient is two GEMMs over all steps at the end.
Tensors recurrent_backward(const Saved& s, const Tensors& g, bool has_trace) {
  const Dims& d = s.d;
  const int64_t n = d.width(), B = d.batch, H = d.hidden;
  Tensor gx = Tensor::zeros(s.z.shape()), gw = Tensor::zeros({H, H}), gz0 = Tensor::zeros({B, H});
  Tensor gv = g[1].clone(), gi = g[2].clone();
  std::vector<float> gz(static_cast<size_t>(n));
  for (int64_t t = d.steps - 1; t >= 0; --t) {
    std::copy(g[0].data() + t * n, g[0].data() + (t + 1) * n, gz.begin());
    if (t + 1 < d.steps)
      gemm(false, false, B, H, H, 1, gx.data() + (t + 1) * n, s.w.data(), 1, gz.data());
    step_backward(s.p, n, s.v_dec.data() + t * n, gz.data(),
                  has_trace ? g[3].data() + t * n : nullptr, gx.data() + t * n, gv.data(),
                  gi.data());
  }
  gemm(false, false, B, H, H, 1, gx.data(), s.w.data(), 0, gz0.data());
  gemm(true, false, H, H, B, 1, gx.data(), s.z0.data(), 0, gw.data());
  if (d.steps > 1)
    gemm(true, false, H, H, (d.steps - 1) * B, 1, gx.data() + n, s.z.data(), 1, gw.data());
  return {gx, gw, gz0, gv, gi};
}

void check_shapes(const Tensor& x_in, const Tensor& w_rec, const LIFRecurrentState& s0) {
  if (x_in.dim() != 3 || w_rec.dim() != 2 || w_rec.size(0) != x_in.size(2) ||
      w_rec.size(1) != x_in.size(2))
    throw std::invalid_argument("lif_recurrent_sequence: input " + to_string(x_in.shape()) +
                                " (T, B, H) does not fit recurrent weights " +
                                to_string(w_rec.shape()) + " (H, H)");
  Shape step{x_in.size(1), x_in.size(2)};
  if (s0.z.shape() != step || s0.v.shape() != step || s0.i.shape() != step)
    throw std::invalid_argument("lif_recurrent_sequence: state " + to_string(s0.v.shape()) +
                                " does not match " + to_string(step));
}

}  // namespace

LIFRecurrentSequence lif_recurrent_sequence(const Tensor& x_in, const Tensor& w_rec,
                                            const LIFRecurrentState& s0, const LIFParameters& p,
                                            bool record_states) {
  check_shapes(x_in, w_rec, s0);
  Dims d{x_in.size(0), x_in.size(1), x_in.size(2)};
  const int64_t n = d.width();
  Tensor z = Tensor::zeros(x_in.shape()), v_dec = Tensor::zeros(x_in.shape());
  Tensor trace = record_states ? Tensor::zeros(x_in.shape()) : Tensor();
  Tensor v = s0.v.clone(), i = s0.i.clone();
  std::vector<float> cur(static_cast<size_t>(n));
  for (int64_t t = 0; t < d.steps; ++t) {
    const float* z_prev = t == 0 ? s0.z.data() : z.data() + (t - 1) * n;
    std::copy(x_in.data() + t * n, x_in.data() + (t + 1) * n, cur.begin());
    gemm(false, true, d.batch, d.hidden, d.hidden, 1, z_prev, w_rec.data(), 1, cur.data());
    step_forward(p, n, cur.data(), v.data(), i.data(), z.data() + t * n, v_dec.data() + t * n,
                 record_states ? trace.data() + t * n : nullptr);
  }
  Tensors outs{z, v, i};
  if (record_states) outs.push_back(trace);
  Saved saved{w_rec.detach(), s0.z.detach(), z.detach(), v_dec, d, p};
  outs = record_multi("lif_recurrent_sequence", outs, {x_in, w_rec, s0.z, s0.v, s0.i},
                      [saved, record_states](const Tensors& g) {
                        return recurrent_backward(saved, g, record_states);
                      });
  Tensor z_last = select(outs[0], d.steps - 1);
  return {outs[0], {z_last, outs[1], outs[2]}, record_states ? outs[3] : Tensor()};
}

}  // namespace soma
