#pragma once
// The exponential LIF (lif_ex.hpp) and adaptive exponential LIF (lif_adex.hpp) as fused-scan
// cells: one neuron's Euler step and its exact adjoint, run by the CPU's cell_scan and the GPU's
// (cell_scan.cu). The arithmetic follows the step functions op for op, so the CPU's fused scan
// equals the step loop bit for bit in its values. Forward, e = exp((v - v_th) / Delta_T) at the
// old v:
//   j = i + x,  v~ = v + am ((v_leak - v) + j + Delta_T e - a),  i' = keep_i j
//   a~ = a + aa (A (v - v_leak) - a),  z = H(v~ - v_th),  v' = reset(v~, z),  a' = a~ + b z
// (LIF-Ex: no a.) Adjoint (g.: dL/d(state after) in, dL/d(state before) out; sg the surrogate
// at v~ - v_th):
//   gv~ = gv' dv'/dv~ + (gz + ga' b + gv' dv'/dz) sg,  gd = am gv~
//   gv = gv~ + gd (e - 1) + A aa ga',  ga = (1 - aa) ga' - gd,  gi = dL/dx = gd + keep_i gi'
// Saves v and v~ per neuron-step (e is recomputed from v).
#include "core/backend/cuda/host_device.hpp"
#include "core/backend/cuda/reset_body.hpp"
#include "core/backend/cuda/surrogate_body.hpp"

namespace soma::cuda {

// The sub-threshold update shared by both models and the refractory AdEx (refractory_body.hpp).
struct ExpIntegrate {
  float am, keep_i, v_leak, v_th, delta_t, inv_delta_t;  // inv_delta_t = 1 / Delta_T
  float adaptation, aa;                                  // A and dt tau_ada_inv (AdEx only)

  SOMA_HD float exp_term(float v) const { return expf((v - v_th) * inv_delta_t); }
  // Returns v~; i and a (when `adapt`) are updated in place.
  SOMA_HD float forward(float x, float v, float& i, float* a) const {
    const float j = i + x;
    float drive = (v_leak - v) + j + delta_t * exp_term(v);
    if (a) drive = drive - *a;
    const float vd = v + drive * am;
    if (a) *a = *a + (adaptation * (v - v_leak) - *a) * aa;
    i = j * keep_i;
    return vd;
  }
  // gvd: dL/dv~; gi: dL/di' in, dL/di out; ga (when adapting): dL/da~ in, dL/da out. Returns
  // dL/dv through the update; dL/dx equals the new gi.
  SOMA_HD float backward(float v, float gvd, float& gi, float* ga) const {
    const float gd = gvd * am;
    float gv = gvd - gd + gd * exp_term(v);
    if (ga) {
      gv += *ga * aa * adaptation;
      *ga = *ga - *ga * aa - gd;
    }
    gi = gd + gi * keep_i;
    return gv;
  }
};

struct LifExCell {
  static constexpr int kState = 2, kSaved = 2;  // state (v, i); saved (v, v~)
  static constexpr const char* kName = "lif_ex scan";
  ExpIntegrate in;
  ResetRule reset;
  int surrogate;  // int(SurrogateMethod)
  float alpha;

  SOMA_HD float forward(float x, float* s, float* saved) const {
    saved[0] = s[0];
    const float vd = in.forward(x, s[0], s[1], nullptr), z = heaviside(vd - in.v_th);
    s[0] = reset.apply(vd, z);
    saved[1] = vd;
    return z;
  }
  SOMA_HD float backward(const float* saved, float gz, float* gs) const {
    const float vd = saved[1], z = heaviside(vd - in.v_th);
    const float sg = surrogate_grad(surrogate, alpha, vd - in.v_th);
    const float gvd = gs[0] * reset.d_vd(z) + (gz + gs[0] * reset.d_z(vd)) * sg;
    gs[0] = in.backward(saved[0], gvd, gs[1], nullptr);
    return gs[1];
  }
};

struct AdExCell {
  static constexpr int kState = 3, kSaved = 2;  // state (v, i, a); saved (v, v~)
  static constexpr const char* kName = "lif_adex scan";
  ExpIntegrate in;
  ResetRule reset;
  float adaptation_spike;  // b
  int surrogate;
  float alpha;

  SOMA_HD float forward(float x, float* s, float* saved) const {
    saved[0] = s[0];
    const float vd = in.forward(x, s[0], s[1], &s[2]), z = heaviside(vd - in.v_th);
    s[0] = reset.apply(vd, z);
    s[2] = s[2] + z * adaptation_spike;
    saved[1] = vd;
    return z;
  }
  SOMA_HD float backward(const float* saved, float gz, float* gs) const {
    const float vd = saved[1], z = heaviside(vd - in.v_th);
    const float sg = surrogate_grad(surrogate, alpha, vd - in.v_th);
    const float gzt = gz + gs[2] * adaptation_spike + gs[0] * reset.d_z(vd);
    const float gvd = gs[0] * reset.d_vd(z) + gzt * sg;
    gs[0] = in.backward(saved[0], gvd, gs[1], &gs[2]);
    return gs[1];
  }
};

}  // namespace soma::cuda
