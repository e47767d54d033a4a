#pragma once
// The refractory LIF (lif_refrac.hpp) and refractory AdEx (lif_adex_refrac.hpp) as fused-scan
// cells, op for op as their step functions. The gate (refractory.hpp), m = H(rho) through the
// surrogate:
//   z = (1 - m) z_free,  v' = (1 - m) v_free + m v,  rho' = (1 - z) relu(rho - m) + rho_reset z
// LIF-refrac: v_free = reset(v~, z_free) (lif_step's spike); AdEx-refrac: v_free = reset(v~, z)
// (the masked spike resets) and a' = a~ + b z. The sub-threshold updates are the LIF's
// (v~ = v + am ((v_leak - v) + j)) and ExpIntegrate's (lif_ex_body.hpp).
// Adjoint of the gate, from gv', grho' and gz (everything that reaches z = the masked spike):
//   gz += grho' (rho_reset - relu(rho - m)),  gr = grho' (1 - z) [rho - m > 0]
//   gv_free = (1 - m) gv',  gv_old = m gv',  gm = gv' (v - v_free) - gz z_free - gr
//   gz_free = (1 - m) gz,  grho = gr + gm sg(rho)
// Saves v, v~ and rho per neuron-step.
#include "core/backend/cuda/lif_ex_body.hpp"

namespace soma::cuda {

struct RefractoryGate {
  float rho_reset;

  // z and rho' from z_free and rho; m = H(rho).
  SOMA_HD float spike(float z_free, float m) const { return (1.0f - m) * z_free; }
  SOMA_HD float count(float rho, float m, float z) const {
    const float r = rho - m;
    return (1.0f - z) * (r > 0.0f ? r : 0.0f) + z * rho_reset;
  }
  SOMA_HD float hold(float v_free, float v, float m) const { return (1.0f - m) * v_free + m * v; }

  // gm and grho from the count: gz gets the count's term, returns dL/drho through relu.
  SOMA_HD float count_backward(float grho1, float rho, float m, float z, float& gz,
                               float& gm) const {
    const float r = rho - m, relu_r = r > 0.0f ? r : 0.0f;
    gz += grho1 * (rho_reset - relu_r);
    const float gr = r > 0.0f ? grho1 * (1.0f - z) : 0.0f;
    gm -= gr;
    return gr;
  }
};

struct LifRefracCell {
  static constexpr int kState = 3, kSaved = 3;  // state (v, i, rho); saved (v, v~, rho)
  static constexpr const char* kName = "lif_refrac scan";
  float am, keep_i, v_leak;
  ResetRule reset;  // its v_th is the spike threshold too
  RefractoryGate gate;
  int surrogate;  // int(SurrogateMethod), for both the spike and the gate
  float alpha;

  SOMA_HD float forward(float x, float* s, float* saved) const {
    const float v = s[0], rho = s[2], j = s[1] + x;
    const float vd = v + ((v_leak - v) + j) * am, z_free = heaviside(vd - reset.v_th);
    const float m = heaviside(rho), z = gate.spike(z_free, m);
    s[0] = gate.hold(reset.apply(vd, z_free), v, m);
    s[1] = j * keep_i;
    s[2] = gate.count(rho, m, z);
    saved[0] = v;
    saved[1] = vd;
    saved[2] = rho;
    return z;
  }
  SOMA_HD float backward(const float* saved, float gz, float* gs) const {
    const float v = saved[0], vd = saved[1], rho = saved[2];
    const float z_free = heaviside(vd - reset.v_th), m = heaviside(rho), z = gate.spike(z_free, m);
    const float v_free = reset.apply(vd, z_free);
    float gm = gs[0] * (v - v_free);
    const float gr = gate.count_backward(gs[2], rho, m, z, gz, gm);
    gm -= gz * z_free;
    const float gv_free = gs[0] * (1.0f - m), gz_free = gz * (1.0f - m);
    const float gvd =
        gv_free * reset.d_vd(z_free) +
        (gz_free + gv_free * reset.d_z(vd)) * surrogate_grad(surrogate, alpha, vd - reset.v_th);
    const float gd = gvd * am;
    gs[2] = gr + gm * surrogate_grad(surrogate, alpha, rho);
    gs[0] = gs[0] * m + gvd - gd;
    gs[1] = gd + gs[1] * keep_i;
    return gs[1];
  }
};

struct AdExRefracCell {
  static constexpr int kState = 4, kSaved = 3;  // state (v, i, a, rho); saved (v, v~, rho)
  static constexpr const char* kName = "lif_adex_refrac scan";
  ExpIntegrate in;
  ResetRule reset;
  float adaptation_spike;  // b
  RefractoryGate gate;
  int surrogate;
  float alpha;

  SOMA_HD float forward(float x, float* s, float* saved) const {
    const float v = s[0], rho = s[3];
    const float vd = in.forward(x, v, s[1], &s[2]), z_free = heaviside(vd - in.v_th);
    const float m = heaviside(rho), z = gate.spike(z_free, m);
    s[0] = gate.hold(reset.apply(vd, z), v, m);
    s[2] = s[2] + z * adaptation_spike;
    s[3] = gate.count(rho, m, z);
    saved[0] = v;
    saved[1] = vd;
    saved[2] = rho;
    return z;
  }
  SOMA_HD float backward(const float* saved, float gz, float* gs) const {
    const float v = saved[0], vd = saved[1], rho = saved[2];
    const float z_free = heaviside(vd - in.v_th), m = heaviside(rho), z = gate.spike(z_free, m);
    const float v_free = reset.apply(vd, z);
    float gm = gs[0] * (v - v_free);
    const float gr = gate.count_backward(gs[3], rho, m, z, gz, gm);
    const float gv_free = gs[0] * (1.0f - m);
    gz += gs[2] * adaptation_spike + gv_free * reset.d_z(vd);
    gm -= gz * z_free;
    const float gvd =
        gv_free * reset.d_vd(z) + gz * (1.0f - m) * surrogate_grad(surrogate, alpha, vd - in.v_th);
    gs[3] = gr + gm * surrogate_grad(surrogate, alpha, rho);
    const float hold = gs[0] * m;
    gs[0] = hold + in.backward(v, gvd, gs[1], &gs[2]);
    return gs[1];
  }
};

}  // namespace soma::cuda
