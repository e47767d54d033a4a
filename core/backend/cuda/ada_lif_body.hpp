#pragma once
// The adaptive LIF (ada_lif.hpp) as a fused-scan cell, op for op as ada_lif_step:
//   j = i + x,  v~ = v + am ((v_leak - v) + j - b),  b~ = keep_b b,  z = H(v~ - v_th)
//   v' = reset(v~, z),  i' = keep_i j,  b' = b~ + beta z
// Adjoint (g.: dL/d(state after) in, dL/d(state before) out; sg the surrogate at v~ - v_th):
//   gv~ = gv' dv'/dv~ + (gz + beta gb' + gv' dv'/dz) sg,  gd = am gv~
//   gv = gv~ - gd,  gb = keep_b gb' - gd,  gi = dL/dx = gd + keep_i gi'
// Saves v~ per neuron-step.
#include "core/backend/cuda/host_device.hpp"
#include "core/backend/cuda/reset_body.hpp"
#include "core/backend/cuda/surrogate_body.hpp"

namespace soma::cuda {

struct AdaLifCell {
  static constexpr int kState = 3, kSaved = 1;  // state (v, i, b); saved v~
  static constexpr const char* kName = "ada_lif scan";
  float am, keep_i, keep_b, v_leak, v_th, beta;
  ResetRule reset;
  int surrogate;  // int(SurrogateMethod)
  float alpha;

  SOMA_HD float forward(float x, float* s, float* saved) const {
    const float j = s[1] + x;
    const float vd = s[0] + ((v_leak - s[0]) + j - s[2]) * am, z = heaviside(vd - v_th);
    s[0] = reset.apply(vd, z);
    s[1] = j * keep_i;
    s[2] = s[2] * keep_b + z * beta;
    saved[0] = vd;
    return z;
  }
  SOMA_HD float backward(const float* saved, float gz, float* gs) const {
    const float vd = saved[0], z = heaviside(vd - v_th);
    const float sg = surrogate_grad(surrogate, alpha, vd - v_th);
    const float gvd = gs[0] * reset.d_vd(z) + (gz + gs[2] * beta + gs[0] * reset.d_z(vd)) * sg;
    const float gd = gvd * am;
    gs[0] = gvd - gd;
    gs[2] = gs[2] * keep_b - gd;
    gs[1] = gd + gs[1] * keep_i;
    return gs[1];
  }
};

}  // namespace soma::cuda
