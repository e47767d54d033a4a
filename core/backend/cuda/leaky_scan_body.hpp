#pragma once
// One neuron's walk through the T steps of the current-based leaky scan (LIF, LIF-box, LI) and
// of its adjoint: the bodies of leaky_scan.cu's kernels, one thread per neuron with (v, i) in
// registers. The recurrence of core/neuron/current_scan.cpp (equations in lif.hpp):
//   j = i + x_t,  v_dec = v + am (v_leak - v + j),  i' = keep_i j
//   z = [v_dec > v_th],  v' = reset_value ? v_dec + z (v_reset - v_dec) : v_dec - z v_th
// and its reverse scan (gv, gi: dL/d(state) flowing backwards; sg the surrogate at v_dec - v_th)
//   gvd = reset_value ? gv (1 - z) + (gv (v_reset - v_dec) + gz) sg : gv + (gz - gv v_th) sg
//   gx_t = gj = am gvd + keep_i gi,  gi <- gj,  gv <- (1 - am) gvd
// Arrays are (steps, width), time-major, so the threads of a step touch neighbouring floats.
#include "core/backend/cuda/host_device.hpp"
#include "core/backend/cuda/surrogate_body.hpp"
#include "core/backend/cuda_ops.hpp"

namespace soma::cuda {

// x_step: the distance between a neuron's inputs of consecutive steps; width for an input per
// step, 0 for a constant input (the constant-current encoder reads one x per neuron).
SOMA_HD inline void leaky_forward_neuron(const LeakyScanParams& p, const LeakyScanArrays& a,
                                         int64_t k, int64_t x_step) {
  float v = a.v[k], i = a.i[k];
  for (int64_t t = 0; t < p.steps; ++t) {
    const int64_t o = t * p.width + k;
    const float j = i + a.x[t * x_step + k];
    const float vd = v + p.am * (p.v_leak - v + j);
    i = j * p.keep_i;
    float vn = vd;
    if (p.spiking) {
      const float z = vd > p.v_th ? 1.0f : 0.0f;
      vn = p.reset_value ? vd + z * (p.v_reset - vd) : vd - z * p.v_th;
      if (a.z) a.z[o] = z;
      if (a.v_dec) a.v_dec[o] = vd;
    }
    v = vn;
    if (a.trace) a.trace[o] = vn;
  }
  a.v[k] = v;
  a.i[k] = i;
}

SOMA_HD inline void leaky_backward_neuron(const LeakyScanParams& p, const LeakyScanGrads& g,
                                          int64_t k) {
  float gv_next = g.gv[k], gi = g.gi[k];
  for (int64_t t = p.steps - 1; t >= 0; --t) {
    const int64_t o = t * p.width + k;
    float gv = gv_next;
    if (g.gtrace) gv += g.gtrace[o];
    float gvd = gv;
    if (p.spiking) {
      const float vd = g.v_dec[o], z = vd > p.v_th ? 1.0f : 0.0f;
      const float sg = surrogate_grad(p.surrogate, p.alpha, vd - p.v_th);
      const float gz = g.gz ? g.gz[o] : 0.0f;
      gvd = p.reset_value ? gv * (1.0f - z) + (gv * (p.v_reset - vd) + gz) * sg
                          : gv + (gz - gv * p.v_th) * sg;
    }
    const float gj = gvd * p.am + gi * p.keep_i;
    g.gx[o] = gj;
    gi = gj;
    gv_next = gvd * (1.0f - p.am);
  }
  g.gv[k] = gv_next;
  g.gi[k] = gi;
}

}  // namespace soma::cuda
