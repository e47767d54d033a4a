#pragma once
// The Izhikevich neuron (izhikevich.hpp) as a fused-scan cell, op for op as izhikevich_step:
//   v~ = v + h ((((sq v^2 + mn v) + bias) - u) + I),  u~ = u + h a (b (w - v_u) - u_leak u)
//   (w = v~ semi-implicit, else v),  z = H(v~ - v_th),  v' = (1 - z) v~ + z c,  u' = u~ + z d
// Adjoint (gv', gu' in; sg the surrogate at v~ - v_th; ha = h a):
//   gv~ = gv' (1 - z) + (gz + d gu' + (c - v~) gv') sg (+ ha b gu' when semi-implicit)
//   gI = h gv~,  gv = gv~ + gI (2 sq v + mn) (+ ha b gu' when explicit),
//   gu = gu' - ha u_leak gu' - gI
// Saves v and v~ per neuron-step.
#include "core/backend/cuda/host_device.hpp"
#include "core/backend/cuda/reset_body.hpp"
#include "core/backend/cuda/surrogate_body.hpp"

namespace soma::cuda {

struct IzhikevichCell {
  static constexpr int kState = 2, kSaved = 2;  // state (v, u); saved (v, v~)
  static constexpr const char* kName = "izhikevich scan";
  float h, ha, sq, mn, bias, b, v_u, u_leak, v_th, c, d;  // h = dt tau_inv, ha = h a
  bool semi_implicit;
  int surrogate;  // int(SurrogateMethod)
  float alpha;

  SOMA_HD float forward(float x, float* s, float* saved) const {
    const float v = s[0], u = s[1];
    const float vd = v + ((((v * v) * sq + v * mn) + bias) - u + x) * h;
    const float w = semi_implicit ? vd : v;
    const float ud = u + ((w - v_u) * b - u * u_leak) * ha, z = heaviside(vd - v_th);
    s[0] = (1.0f - z) * vd + z * c;
    s[1] = ud + z * d;
    saved[0] = v;
    saved[1] = vd;
    return z;
  }
  SOMA_HD float backward(const float* saved, float gz, float* gs) const {
    const float v = saved[0], vd = saved[1], z = heaviside(vd - v_th);
    const float sg = surrogate_grad(surrogate, alpha, vd - v_th);
    const float gu = gs[1], gw = gu * ha * b;
    float gvd = gs[0] * (1.0f - z) + (gz + gu * d + gs[0] * (c - vd)) * sg;
    if (semi_implicit) gvd += gw;
    const float gi = gvd * h;
    gs[0] = gvd + gi * (2.0f * v * sq + mn) + (semi_implicit ? 0.0f : gw);
    gs[1] = gu - gu * ha * u_leak - gi;
    return gi;
  }
};

}  // namespace soma::cuda
