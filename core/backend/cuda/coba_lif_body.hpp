#pragma once
// The conductance-based LIF (coba_lif.hpp, feed-forward) as a fused-scan cell, op for op as
// coba_lif_step: the input x splits into an excitatory relu(x) and an inhibitory relu(-x)
// conductance,
//   g_e' = keep_e g_e + relu(x),  g_i' = keep_i g_i + relu(-x)
//   c = g_l (v_rest - v) + g_e' (E_e - v) + g_i' (E_i - v),  v~ = v + k c   (k = dt / C_m)
//   z = H(v~ - v_th),  v' = (1 - z) v~ + z v_reset
// Adjoint (gv', gge', ggi' in; sg the surrogate at v~ - v_th):
//   gv~ = gv' (1 - z) + (gz + gv' (v_reset - v~)) sg,  gc = k gv~
//   gv = gv~ - gc (g_l + g_e' + g_i'),  Ge = gge' + gc (E_e - v),  Gi = ggi' + gc (E_i - v)
//   dL/dx = Ge [x > 0] - Gi [x < 0],  gg_e = keep_e Ge,  gg_i = keep_i Gi
// Saves v, v~, x, g_e' and g_i' per neuron-step.
#include "core/backend/cuda/host_device.hpp"
#include "core/backend/cuda/reset_body.hpp"
#include "core/backend/cuda/surrogate_body.hpp"

namespace soma::cuda {

struct CobaLifCell {
  static constexpr int kState = 3, kSaved = 5;  // state (v, g_e, g_i); saved (v, v~, x, g_e', g_i')
  static constexpr const char* kName = "coba_lif scan";
  float keep_e, keep_i, g_l, v_rest, e_rev_e, e_rev_i, k;
  ResetRule reset;  // Reset::value (CobaLIF has no subtract)
  int surrogate;    // int(SurrogateMethod)
  float alpha;

  SOMA_HD float forward(float x, float* s, float* saved) const {
    const float v = s[0], nx = -x;
    const float ge = s[1] * keep_e + (x > 0.0f ? x : 0.0f);
    const float gi = s[2] * keep_i + (nx > 0.0f ? nx : 0.0f);
    const float c = (v_rest - v) * g_l + ge * (e_rev_e - v) + gi * (e_rev_i - v);
    const float vd = v + c * k, z = heaviside(vd - reset.v_th);
    s[0] = reset.apply(vd, z);
    s[1] = ge;
    s[2] = gi;
    saved[0] = v;
    saved[1] = vd;
    saved[2] = x;
    saved[3] = ge;
    saved[4] = gi;
    return z;
  }
  SOMA_HD float backward(const float* saved, float gz, float* gs) const {
    const float v = saved[0], vd = saved[1], x = saved[2], z = heaviside(vd - reset.v_th);
    const float sg = surrogate_grad(surrogate, alpha, vd - reset.v_th);
    const float gvd = gs[0] * reset.d_vd(z) + (gz + gs[0] * reset.d_z(vd)) * sg;
    const float gc = gvd * k;
    const float ge = gs[1] + gc * (e_rev_e - v), gi = gs[2] + gc * (e_rev_i - v);
    gs[0] = gvd - gc * g_l - gc * saved[3] - gc * saved[4];
    gs[1] = ge * keep_e;
    gs[2] = gi * keep_i;
    return (x > 0.0f ? ge : 0.0f) - (-x > 0.0f ? gi : 0.0f);
  }
};

}  // namespace soma::cuda
