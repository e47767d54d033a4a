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

// One step of one neuron: advances (v, i) by input x; returns the spike (0 for non-spiking
// models) and leaves the pre-reset voltage in vd.
SOMA_HD inline float leaky_step(const LeakyScanParams& p, float x, float& v, float& i, float& vd) {
  const float j = i + x;
  vd = v + p.am * (p.v_leak - v + j);
  i = j * p.keep_i;
  float z = 0.0f;
  v = vd;
  if (p.spiking) {
    z = vd > p.v_th ? 1.0f : 0.0f;
    v = p.reset_value ? vd + z * (p.v_reset - vd) : vd - z * p.v_th;
  }
  return z;
}

// The adjoint of one step: gv, gi hold dL/d(state after the step) and leave with dL/d(state
// before it); gz and gtrace are the step's output gradients; returns dL/dx. With detach_reset
// the reset term carries no gradient (Norse's recurrent LIF).
SOMA_HD inline float leaky_step_backward(const LeakyScanParams& p, float vd, float gz, float gtrace,
                                         float& gv, float& gi) {
  const float g = gv + gtrace;
  float gvd = g;
  if (p.spiking) {
    const float z = vd > p.v_th ? 1.0f : 0.0f;
    const float sg = surrogate_grad(p.surrogate, p.alpha, vd - p.v_th);
    if (p.detach_reset)
      gvd = p.reset_value ? g * (1.0f - z) + gz * sg : g + gz * sg;
    else
      gvd = p.reset_value ? g * (1.0f - z) + (g * (p.v_reset - vd) + gz) * sg
                          : g + (gz - g * p.v_th) * sg;
  }
  const float gj = gvd * p.am + gi * p.keep_i;
  gi = gj;
  gv = gvd * (1.0f - p.am);
  return gj;
}

// All steps of neuron k. x_step: the distance between a neuron's inputs of consecutive steps;
// width for an input per step, 0 for a constant input (the constant-current encoder reads one x
// per neuron).
SOMA_HD inline void leaky_forward_neuron(const LeakyScanParams& p, const LeakyScanArrays& a,
                                         int64_t k, int64_t x_step) {
  float v = a.v[k], i = a.i[k], vd = 0.0f;
  for (int64_t t = 0; t < p.steps; ++t) {
    const int64_t o = t * p.width + k;
    const float z = leaky_step(p, a.x[t * x_step + k], v, i, vd);
    if (p.spiking) {
      if (a.z) a.z[o] = z;
      if (a.v_dec) a.v_dec[o] = vd;
    }
    if (a.trace) a.trace[o] = v;
  }
  a.v[k] = v;
  a.i[k] = i;
}

SOMA_HD inline void leaky_backward_neuron(const LeakyScanParams& p, const LeakyScanGrads& g,
                                          int64_t k) {
  float gv = g.gv[k], gi = g.gi[k];
  for (int64_t t = p.steps - 1; t >= 0; --t) {
    const int64_t o = t * p.width + k;
    g.gx[o] = leaky_step_backward(p, p.spiking ? g.v_dec[o] : 0.0f, g.gz ? g.gz[o] : 0.0f,
                                  g.gtrace ? g.gtrace[o] : 0.0f, gv, gi);
  }
  g.gv[k] = gv;
  g.gi[k] = gi;
}

}  // namespace soma::cuda
