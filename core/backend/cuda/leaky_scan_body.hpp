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

// The steps go in chunks of kScanChunk whose loads are all issued before the chunk's arithmetic:
// a thread's next load does not depend on its state, but the compiler may not move it above the
// previous step's stores (the arrays may alias: the backward writes gx over gz in place). Step by
// step, each step would wait out one memory latency; by estimate (not yet timed on a GPU: no
// machine was lent) ~0.5 us a step, 0.25 ms of each pass of n = 512's T = 500 scan, whose 8192
// threads are too few to hide it. In place stays correct: a thread reads a chunk's elements
// before it writes them, and no other thread touches its neuron.
constexpr int kScanChunk = 8;

// All steps of neuron k. x_step: the distance between a neuron's inputs of consecutive steps;
// width for an input per step, 0 for a constant input (the constant-current encoder reads one x
// per neuron).
SOMA_HD inline void leaky_forward_neuron(const LeakyScanParams& p, const LeakyScanArrays& a,
                                         int64_t k, int64_t x_step) {
  float v = a.v[k], i = a.i[k], vd = 0.0f;
  for (int64_t t0 = 0; t0 < p.steps; t0 += kScanChunk) {
    const int64_t n = p.steps - t0 < kScanChunk ? p.steps - t0 : kScanChunk;
    float xs[kScanChunk];
    SOMA_UNROLL
    for (int u = 0; u < kScanChunk; ++u)
      if (u < n) xs[u] = a.x[(t0 + u) * x_step + k];
    SOMA_UNROLL
    for (int u = 0; u < kScanChunk; ++u) {
      if (u >= n) break;
      const int64_t o = (t0 + u) * p.width + k;
      const float z = leaky_step(p, xs[u], v, i, vd);
      if (p.spiking) {
        if (a.z) a.z[o] = z;
        if (a.v_dec) a.v_dec[o] = vd;
      }
      if (a.trace) a.trace[o] = v;
    }
  }
  a.v[k] = v;
  a.i[k] = i;
}

// The reverse scan of neuron k, in chunks of kScanChunk steps from the last, each chunk's
// v_dec, gz and gtrace loaded before its arithmetic.
SOMA_HD inline void leaky_backward_neuron(const LeakyScanParams& p, const LeakyScanGrads& g,
                                          int64_t k) {
  float gv = g.gv[k], gi = g.gi[k];
  for (int64_t t1 = p.steps; t1 > 0; t1 -= kScanChunk) {
    const int64_t n = t1 < kScanChunk ? t1 : kScanChunk, t0 = t1 - n;  // steps [t0, t1)
    float vd[kScanChunk], gz[kScanChunk], gt[kScanChunk];
    SOMA_UNROLL
    for (int u = 0; u < kScanChunk; ++u)
      if (u < n) {
        const int64_t o = (t0 + u) * p.width + k;
        vd[u] = p.spiking ? g.v_dec[o] : 0.0f;
        gz[u] = g.gz ? g.gz[o] : 0.0f;
        gt[u] = g.gtrace ? g.gtrace[o] : 0.0f;
      }
    SOMA_UNROLL
    for (int u = kScanChunk - 1; u >= 0; --u)
      if (u < n) g.gx[(t0 + u) * p.width + k] = leaky_step_backward(p, vd[u], gz[u], gt[u], gv, gi);
  }
  g.gv[k] = gv;
  g.gi[k] = gi;
}

}  // namespace soma::cuda
