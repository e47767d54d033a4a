#pragma once
// One step of the recurrent LSNN layer (core/neuron/lsnn.hpp) for one neuron k = (b, h) of a
// (B, H) step: the recurrent product and the adaptive-threshold update in ONE kernel per step
// (lsnn.cu), as the recurrent LIF (recurrent_body.hpp). Forward, with cur the input current:
//   cur = x_t[b, h] + sum_q z_{t-1}[b, q] W[h, q]
//   j = i + cur,  v~ = v + am (v_leak - v + j),  i' = keep_i j
//   b~ = b + ab (v_th - b),  z = [v~ - b~ > 0]
//   v' = reset_value ? v~ + z (v_reset - v~) : v~ - z v_th,  b' = b~ + beta z
// Adjoint, reverse in t (gv, gi, gb: dL/d(state after the step); sg the surrogate at v~ - b~);
// the reset is detached (no dv'/dz term), the threshold jump is not, as LsnnCell
// (lsnn_cell_body.hpp):
//   gz_t += sum_j gcur_{t+1}[b, j] W[j, h]
//   gu = (gz + beta gb) sg,  gv~ = (reset_value ? gv (1 - z) : gv) + gu
//   gcur = gj = am gv~ + keep_i gi,  gi <- gj,  gv <- (1 - am) gv~,  gb <- (1 - ab) (gb - gu)
// The weight gradient sum_t gcur_t^T z_{t-1} is one GEMM over all steps afterwards
// (core/neuron/lsnn_cuda.cpp). Saves v~ and b~ per neuron-step (8 bytes), as the CPU. The
// neuron's step and adjoint are LsnnCell's (lsnn_cell_body.hpp), which the CPU's scans run.
#include "core/backend/cuda/host_device.hpp"
#include "core/backend/cuda/lsnn_cell_body.hpp"
#include "core/backend/cuda/recurrent_body.hpp"
#include "core/backend/cuda/surrogate_body.hpp"
#include "core/backend/cuda_ops.hpp"

namespace soma::cuda {

// One LSNN step of one neuron with input current cur; returns the spike, leaves v~ and b~.
SOMA_HD inline float lsnn_step(const LsnnParams& p, float cur, float& v, float& i, float& b,
                               float& vd, float& bd) {
  float s[3] = {v, i, b}, saved[2];
  const float z = p.cell.forward(cur, s, saved);
  v = s[0], i = s[1], b = s[2], vd = saved[0], bd = saved[1];
  return z;
}

// The adjoint of one step: gv, gi, gb come in as dL/d(state after) and leave as dL/d(state
// before); returns dL/dcur.
SOMA_HD inline float lsnn_step_backward(const LsnnParams& p, float vd, float bd, float gz,
                                        float& gv, float& gi, float& gb) {
  const float saved[2] = {vd, bd};
  float gs[3] = {gv, gi, gb};
  const float gcur = p.cell.backward(saved, gz, gs);
  gv = gs[0], gi = gs[1], gb = gs[2];
  return gcur;
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
