#include "core/neuron/lif.hpp"

#include <stdexcept>

#include "core/autograd/node.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/shape_ops.hpp"

namespace soma {

LIFState lif_initial_state(const Shape& shape, const LIFParameters& p) {
  return {Tensor::full(shape, p.v_leak), Tensor::zeros(shape)};
}

LIFStep lif_step(const Tensor& x, const LIFState& s, const LIFParameters& p) {
  float am = p.dt * p.tau_mem_inv, as = p.dt * p.tau_syn_inv;
  Tensor j = s.i + x;
  Tensor v_dec = s.v + (p.v_leak - s.v + j) * am;
  Tensor i_new = j * (1.0f - as);
  Tensor z = spike_fn(v_dec - p.v_th, p.surrogate);
  Tensor v_new = p.reset == Reset::value ? (1.0f - z) * v_dec + z * p.v_reset : v_dec - z * p.v_th;
  return {z, {v_new, i_new}};
}

namespace {

struct Scan {
  int64_t steps, width;  // T and the number of neurons per step (B * N)
};

// Forward scan over T for `width` independent neurons; fills z, v_dec (saved for backward)
// and, if given, the voltage trace. v and i hold the state and are updated in place.
void lif_forward_scan(const LIFParameters& p, Scan sc, const float* x, float* v, float* i, float* z,
                      float* v_dec, float* v_trace) {
  const float am = p.dt * p.tau_mem_inv, keep_i = 1.0f - p.dt * p.tau_syn_inv;
  const bool by_value = p.reset == Reset::value;
#pragma omp parallel for schedule(static) if (sc.width >= 4096)
  for (int64_t k = 0; k < sc.width; ++k) {
    float vk = v[k], ik = i[k];
    for (int64_t t = 0; t < sc.steps; ++t) {
      int64_t o = t * sc.width + k;
      float j = ik + x[o];
      float vd = vk + am * (p.v_leak - vk + j);
      ik = j * keep_i;
      float zk = vd > p.v_th ? 1.0f : 0.0f;
      vk = by_value ? vd + zk * (p.v_reset - vd) : vd - zk * p.v_th;
      z[o] = zk;
      v_dec[o] = vd;
      if (v_trace) v_trace[o] = vk;
    }
    v[k] = vk;
    i[k] = ik;
  }
}

struct ScanGrads {
  const float* gz;      // (T, width)
  const float* gtrace;  // (T, width) or null
  float* gx;            // (T, width)
  float* gv;            // (width): in: dL/dv_T, out: dL/dv_0
  float* gi;            // (width): in: dL/di_T, out: dL/di_0
};

// Reverse scan: the exact adjoint of lif_forward_scan with the surrogate in place of H'.
void lif_backward_scan(const LIFParameters& p, Scan sc, const float* v_dec, ScanGrads g) {
  const float am = p.dt * p.tau_mem_inv, keep_i = 1.0f - p.dt * p.tau_syn_inv;
  const bool by_value = p.reset == Reset::value;
#pragma omp parallel for schedule(static) if (sc.width >= 4096)
  for (int64_t k = 0; k < sc.width; ++k) {
    float gv = g.gv[k], gi = g.gi[k];
    for (int64_t t = sc.steps - 1; t >= 0; --t) {
      int64_t o = t * sc.width + k;
      if (g.gtrace) gv += g.gtrace[o];
      float vd = v_dec[o], zk = vd > p.v_th ? 1.0f : 0.0f;
      float sg = p.surrogate.grad(vd - p.v_th);
      float gvd = by_value ? gv * (1.0f - zk) + (gv * (p.v_reset - vd) + g.gz[o]) * sg
                           : gv + (g.gz[o] - gv * p.v_th) * sg;
      float gj = gvd * am + gi * keep_i;
      g.gx[o] = gj;
      gi = gj;
      gv = gvd * (1.0f - am);
    }
    g.gv[k] = gv;
    g.gi[k] = gi;
  }
}

}  // namespace

LIFSequence lif_sequence(const Tensor& x, const LIFState& s0, const LIFParameters& p,
                         bool record_states) {
  if (x.dim() < 1) throw std::invalid_argument("lif_sequence: input needs a time dimension");
  Shape step_shape(x.shape().begin() + 1, x.shape().end());
  if (s0.v.shape() != step_shape || s0.i.shape() != step_shape)
    throw std::invalid_argument("lif_sequence: state " + to_string(s0.v.shape()) +
                                " does not match input steps " + to_string(step_shape));
  Scan sc{x.size(0), numel_of(step_shape)};
  Tensor z = Tensor::zeros(x.shape()), v_dec = Tensor::zeros(x.shape());
  Tensor v = s0.v.clone(), i = s0.i.clone();
  Tensor trace = record_states ? Tensor::zeros(x.shape()) : Tensor();
  lif_forward_scan(p, sc, x.data(), v.data(), i.data(), z.data(), v_dec.data(),
                   record_states ? trace.data() : nullptr);
  Tensors outs{z, v, i};
  if (record_states) outs.push_back(trace);
  outs = record_multi(
      "lif_sequence", outs, {x, s0.v, s0.i}, [p, sc, v_dec, record_states](const Tensors& g) {
        Tensor gx = Tensor::zeros(v_dec.shape());
        Tensor gv = g[1].clone(), gi = g[2].clone();
        lif_backward_scan(
            p, sc, v_dec.data(),
            {g[0].data(), record_states ? g[3].data() : nullptr, gx.data(), gv.data(), gi.data()});
        return Tensors{gx, gv, gi};
      });
  return {outs[0], {outs[1], outs[2]}, record_states ? outs[3] : Tensor()};
}

}  // namespace soma
