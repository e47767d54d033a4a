#pragma once
// One step of the recurrent LIF layer (core/neuron/lif_recurrent.hpp) for one neuron (b, h) of
// a (B, H) step: the recurrent product and the LIF update in ONE kernel per step
// (recurrent.cu), instead of a GEMM launch, an add and a scan launch:
//   cur = x_t[b, h] + sum_k z_{t-1}[b, k] W[h, k]     (W: (H, H), as linear(z, W))
//   (v, i, z_t, v_dec) = leaky_step(cur)               (leaky_scan_body.hpp)
// and its adjoint, reverse in t, with gcur_t = dL/dcur_t:
//   gz_t[b, h] += sum_j gcur_{t+1}[b, j] W[j, h]       (z_t feeds cur_{t+1})
//   gcur_t = leaky_step_backward(gz_t), the reset detached as Norse's recurrent step
// The weight gradient sum_t gcur_t^T z_{t-1} is one GEMM over all steps afterwards.
// Each thread reads a row of z (or gcur) and a row (column) of W: at the MNIST model's
// H = 100 these 40 KB stay in L1/L2; spikes are 0 or 1, so the forward skips the zeros.
#include "core/backend/cuda/host_device.hpp"
#include "core/backend/cuda/leaky_scan_body.hpp"
#include "core/backend/cuda_ops.hpp"

namespace soma::cuda {

// sum_q z_prev[b, q] W[h, q] for neuron k = (b, h); shared with the LSNN step (lsnn_body.hpp).
SOMA_HD inline float recurrent_product(const float* z_prev, const float* w, int64_t hidden,
                                       int64_t k) {
  const int64_t h = k % hidden, b = k / hidden;
  const float* zr = z_prev + b * hidden;
  const float* wr = w + h * hidden;
  float acc = 0.0f;
  for (int64_t q = 0; q < hidden; ++q)
    if (zr[q] != 0.0f) acc += zr[q] * wr[q];
  return acc;
}

// sum_j gcur_next[b, j] W[j, h] for neuron k = (b, h): what z_t gets from step t + 1.
SOMA_HD inline float recurrent_adjoint(const float* gcur_next, const float* w, int64_t hidden,
                                       int64_t k) {
  const int64_t h = k % hidden, b = k / hidden;
  const float* gr = gcur_next + b * hidden;
  float acc = 0.0f;
  for (int64_t j = 0; j < hidden; ++j) acc += gr[j] * w[j * hidden + h];
  return acc;
}

SOMA_HD inline void recurrent_forward_neuron(const LeakyScanParams& p, const RecurrentStep& s,
                                             int64_t k) {
  const float acc = recurrent_product(s.z_prev, s.w, s.hidden, k);
  float v = s.v[k], i = s.i[k], vd = 0.0f;
  s.z[k] = leaky_step(p, s.x[k] + acc, v, i, vd);
  s.v[k] = v;
  s.i[k] = i;
  s.v_dec[k] = vd;
}

SOMA_HD inline void recurrent_backward_neuron(const LeakyScanParams& p, const RecurrentStepGrads& g,
                                              int64_t k) {
  float gz = g.gz[k];
  if (g.gcur_next) gz += recurrent_adjoint(g.gcur_next, g.w, g.hidden, k);
  float gv = g.gv[k], gi = g.gi[k];
  g.gcur[k] = leaky_step_backward(p, g.v_dec[k], gz, 0.0f, gv, gi);
  g.gv[k] = gv;
  g.gi[k] = gi;
}

}  // namespace soma::cuda
