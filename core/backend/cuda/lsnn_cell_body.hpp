#pragma once
// One LSNN neuron's Euler step and its exact adjoint, written once for every side: the CPU's
// fused scans (core/neuron/cell_scan.hpp runs LsnnCell, feed-forward and recurrent), the GPU's
// fused feed-forward scan (cell_scan.cu, through cell_scan_body.hpp) and the recurrent layer's
// step kernel (lsnn_body.hpp). Forward, x the input current of the step (the recurrent layer's
// includes z_{t-1} W^T):
//   j = i + x,  v~ = v + am (v_leak - v + j),  b~ = b + ab (v_th - b),  z = [v~ - b~ > 0]
//   v' = reset_value ? v~ + z (v_reset - v~) : v~ - z v_th,  i' = keep_i j,  b' = b~ + beta z
// Adjoint (gv, gi, gb: dL/d(state after) in, dL/d(state before) out; sg the surrogate at
// u = v~ - b~; dv'/dz is 0 with detach, as Norse's recurrent LSNN, else v_reset - v~ or -v_th):
//   gu = (gz + gv dv'/dz + gb beta) sg,  gv~ = (reset_value ? gv (1 - z) : gv) + gu
//   dL/dx = gj = am gv~ + keep_i gi,  gv <- (1 - am) gv~,  gi <- gj,  gb <- (1 - ab) (gb - gu)
// Saves v~ and b~ per neuron-step.
#include "core/backend/cuda/host_device.hpp"
#include "core/backend/cuda/surrogate_body.hpp"

namespace soma::cuda {

struct LsnnCell {
  static constexpr int kState = 3, kSaved = 2;  // state (v, i, b); saved (v~, b~)
  static constexpr const char* kName = "lsnn scan";
  float am, keep_i, ab, v_leak, v_th, v_reset, beta;
  bool reset_value;  // Reset::value, else subtract
  int surrogate;     // int(SurrogateMethod)
  float alpha;
  bool detach;  // no gradient through the reset

  SOMA_HD float forward(float x, float* s, float* saved) const {
    const float j = s[1] + x;
    const float vd = s[0] + am * (v_leak - s[0] + j);
    const float bd = s[2] + ab * (v_th - s[2]);
    const float z = vd - bd > 0.0f ? 1.0f : 0.0f;
    s[0] = reset_value ? vd + z * (v_reset - vd) : vd - z * v_th;
    s[1] = j * keep_i;
    s[2] = bd + z * beta;
    saved[0] = vd;
    saved[1] = bd;
    return z;
  }
  SOMA_HD float backward(const float* saved, float gz, float* gs) const {
    const float vd = saved[0], bd = saved[1], u = vd - bd, z = u > 0.0f ? 1.0f : 0.0f;
    const float gv = gs[0], gb = gs[2];
    const float dv_dz = detach ? 0.0f : reset_value ? v_reset - vd : -v_th;
    const float gu = (gz + gv * dv_dz + gb * beta) * surrogate_grad(surrogate, alpha, u);
    const float gvd = (reset_value ? gv * (1.0f - z) : gv) + gu;
    const float gj = gvd * am + gs[1] * keep_i;
    gs[0] = gvd * (1.0f - am);
    gs[1] = gj;
    gs[2] = (gb - gu) * (1.0f - ab);
    return gj;
  }
};

}  // namespace soma::cuda
