#pragma once
// One step of the recurrent LSNN layer (core/neuron/lsnn.hpp) for one neuron k = (b, h) of a
// (B, H) step: the recurrent product and the adaptive-threshold update in ONE kernel per step
// (lsnn.cu), as the recurrent LIF (recurrent_body.hpp). Forward, with cur the input current:
//   cur = x_t[b, h] + sum_q z_{t-1}[b, q] W[h, q]
//   j = i + cur,  v~ = v + am (v_leak - v + j),  i' = keep_i j
//   b~ = b + ab (v_th - b),  z = [v~ - b~ > 0]
//   v' = reset_value ? v~ + z (v_reset - v~) : v~ - z v_th,  b' = b~ + beta z
// Adjoint, reverse in t (gv, gi, gb: dL/d(state after the step); sg the surrogate at v~ - b~);
// the reset is detached (no dv'/dz term), the threshold jump is not, as the CPU's LSNNCell:
//   gz_t += sum_j gcur_{t+1}[b, j] W[j, h]
//   gu = (gz + beta gb) sg,  gv~ = (reset_value ? gv (1 - z) : gv) + gu
//   gcur = gj = am gv~ + keep_i gi,  gi <- gj,  gv <- (1 - am) gv~,  gb <- (1 - ab) (gb - gu)
// The weight gradient sum_t gcur_t^T z_{t-1} is one GEMM over all steps afterwards
// (core/neuron/lsnn_cuda.cpp). Saves v~ and b~ per neuron-step (8 bytes), as the CPU.
#include "core/backend/cuda/host_device.hpp"
#include "core/backend/cuda/recurrent_body.hpp"
#include "core/backend/cuda/surrogate_body.hpp"
#include "core/backend/cuda_ops.hpp"

namespace soma::cuda {

// One LSNN step of one neuron with input current cur; returns the spike, leaves v~ and b~.
SOMA_HD inline float lsnn_step(const LsnnParams& p, float cur, float& v, float& i, float& b,
                               float& vd, float& bd) {
  const float j = i + cur;
  vd = v + p.am * (p.v_leak - v + j);
  bd = b + p.ab * (p.v_th - b);
  const float z = vd - bd > 0.0f ? 1.0f : 0.0f;
  v = p.reset_value ? vd + z * (p.v_reset - vd) : vd - z * p.v_th;
  i = j * p.keep_i;
  b = bd + z * p.beta;
  return z;
}

// The adjoint of one step: gv, gi, gb come in as dL/d(state after) and leave as dL/d(state
// before); returns dL/dcur.
SOMA_HD inline float lsnn_step_backward(const LsnnParams& p, float vd, float bd, float gz,
                                        float& gv, float& gi, float& gb) {
  const float u = vd - bd, z = u > 0.0f ? 1.0f : 0.0f;
  const float gu = (gz + gb * p.beta) * surrogate_grad(p.surrogate, p.alpha, u);
  const float gvd = (p.reset_value ? gv * (1.0f - z) : gv) + gu;
  const float gj = gvd * p.am + gi * p.keep_i;
  gv = gvd * (1.0f - p.am);
  gi = gj;
  gb = (gb - gu) * (1.0f - p.ab);
  return gj;
}

SOMA_HD inline void lsnn_forward_neuron(const LsnnParams& p, const LsnnStep& s, int64_t k) {
  const float cur = s.x[k] + recurrent_product(s.z_prev, s.w, s.hidden, k);
  float v = s.v[k], i = s.i[k], b = s.b[k], vd = 0.0f, bd = 0.0f;
  s.z[k] = lsnn_step(p, cur, v, i, b, vd, bd);
  s.v[k] = v;
  s.i[k] = i;
  s.b[k] = b;
  s.v_dec[k] = vd;
  s.b_dec[k] = bd;
}

SOMA_HD inline void lsnn_backward_neuron(const LsnnParams& p, const LsnnStepGrads& g, int64_t k) {
  float gz = g.gz[k];
  if (g.gcur_next) gz += recurrent_adjoint(g.gcur_next, g.w, g.hidden, k);
  float gv = g.gv[k], gi = g.gi[k], gb = g.gb[k];
  g.gcur[k] = lsnn_step_backward(p, g.v_dec[k], g.b_dec[k], gz, gv, gi, gb);
  g.gv[k] = gv;
  g.gi[k] = gi;
  g.gb[k] = gb;
}

}  // namespace soma::cuda
