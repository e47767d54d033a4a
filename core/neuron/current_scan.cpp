#include "core/neuron/current_scan.hpp"

#include <stdexcept>

#include "core/autograd/node.hpp"

namespace soma {

CurrentScanConfig lif_scan_config(const LIFParameters& p, bool box, bool spiking) {
  return {p.dt * p.tau_mem_inv,
          box ? 0.0f : 1.0f - p.dt * p.tau_syn_inv,
          p.v_leak,
          p.v_th,
          p.v_reset,
          p.reset,
          p.surrogate,
          spiking};
}

namespace {

struct Extent {
  int64_t steps, width;  // T and the number of neurons per step
};

// Forward scan; v and i hold the state and are updated in place. Each neuron runs its whole
// time loop in one thread: neurons are independent, time is sequential.
void forward_scan(const CurrentScanConfig& c, Extent e, const float* x, float* v, float* i,
                  float* z, float* v_dec, float* trace) {
#pragma omp parallel for schedule(static) if (e.width >= 4096)
  for (int64_t k = 0; k < e.width; ++k) {
    float vk = v[k], ik = i[k];
    for (int64_t t = 0; t < e.steps; ++t) {
      int64_t o = t * e.width + k;
      float j = ik + x[o];
      float vd = vk + c.am * (c.v_leak - vk + j);
      ik = j * c.keep_i;
      vk = vd;
      if (c.spiking) {
        float zk = vd > c.v_th ? 1.0f : 0.0f;
        vk = c.reset == Reset::value ? vd + zk * (c.v_reset - vd) : vd - zk * c.v_th;
        z[o] = zk;
        v_dec[o] = vd;
      }
      if (trace) trace[o] = vk;
    }
    v[k] = vk;
    i[k] = ik;
  }
}

struct ScanGrads {
  const float* gz;      // (T, width) or null
  const float* gtrace;  // (T, width) or null
  float* gx;            // (T, width)
  float* gv;            // (width): in dL/dv_T, out dL/dv_0
  float* gi;            // (width): in dL/di_T, out dL/di_0
};

// The exact adjoint of forward_scan, with the surrogate in place of H'.
void backward_scan(const CurrentScanConfig& c, Extent e, const float* v_dec, ScanGrads g) {
#pragma omp parallel for schedule(static) if (e.width >= 4096)
  for (int64_t k = 0; k < e.width; ++k) {
    float gv = g.gv[k], gi = g.gi[k];
    for (int64_t t = e.steps - 1; t >= 0; --t) {
      int64_t o = t * e.width + k;
      if (g.gtrace) gv += g.gtrace[o];
      float gvd = gv;
      if (c.spiking) {
        float vd = v_dec[o], zk = vd > c.v_th ? 1.0f : 0.0f;
        float sg = c.surrogate.grad(vd - c.v_th), gz = g.gz[o];
        gvd = c.reset == Reset::value ? gv * (1.0f - zk) + (gv * (c.v_reset - vd) + gz) * sg
                                      : gv + (gz - gv * c.v_th) * sg;
      }
      float gj = gvd * c.am + gi * c.keep_i;
      g.gx[o] = gj;
      gi = gj;
      gv = gvd * (1.0f - c.am);
    }
    g.gv[k] = gv;
    g.gi[k] = gi;
  }
}

}  // namespace

CurrentScanResult current_scan(const Tensor& x, const Tensor& v0, const Tensor& i0,
                               const CurrentScanConfig& c, bool record_trace) {
  if (x.dim() < 1) throw std::invalid_argument("neuron scan: input needs a time dimension");
  Shape step_shape(x.shape().begin() + 1, x.shape().end());
  if (v0.shape() != step_shape || i0.shape() != step_shape)
    throw std::invalid_argument("neuron scan: state " + to_string(v0.shape()) +
                                " does not match input steps " + to_string(step_shape));
  record_trace = record_trace || !c.spiking;
  Extent e{x.size(0), numel_of(step_shape)};
  Tensor z = c.spiking ? Tensor::zeros(x.shape()) : Tensor();
  Tensor v_dec = c.spiking ? Tensor::zeros(x.shape()) : Tensor();
  Tensor trace = record_trace ? Tensor::zeros(x.shape()) : Tensor();
  Tensor v = v0.clone(), i = i0.clone();
  forward_scan(c, e, x.data(), v.data(), i.data(), c.spiking ? z.data() : nullptr,
               c.spiking ? v_dec.data() : nullptr, record_trace ? trace.data() : nullptr);
  Tensors outs{v, i};
  if (c.spiking) outs.push_back(z);
  if (record_trace) outs.push_back(trace);
  Shape xs = x.shape();
  outs = record_multi("current_scan", outs, {x, v0, i0}, [c, e, v_dec, xs](const Tensors& g) {
    Tensor gx = Tensor::zeros(xs), gv = g[0].clone(), gi = g[1].clone();
    const float* gz = c.spiking ? g[2].data() : nullptr;
    const float* gtrace = g.size() > (c.spiking ? 3u : 2u) ? g.back().data() : nullptr;
    backward_scan(c, e, c.spiking ? v_dec.data() : nullptr,
                  {gz, gtrace, gx.data(), gv.data(), gi.data()});
    return Tensors{gx, gv, gi};
  });
  CurrentScanResult r{Tensor(), outs[0], outs[1], Tensor()};
  if (c.spiking) r.z = outs[2];
  if (record_trace) r.trace = outs.back();
  return r;
}

}  // namespace soma
