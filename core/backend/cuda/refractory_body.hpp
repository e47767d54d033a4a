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

  // The spikes of a step: the free model's, the mask m = H(rho), and the masked ones.
  struct Spikes {
    float free, m, z;
  };
  SOMA_HD Spikes spikes(float u, float rho) const {  // u = v~ - v_th
    const float free = heaviside(u), m = heaviside(rho);
    return {free, m, (1.0f - m) * free};
  }
  // Both cells save (v, v~, rho) per neuron-step.
  SOMA_HD static void save(float* saved, float v, float vd, float rho) {
    saved[0] = v;
    saved[1] = vd;
    saved[2] = rho;
  }
  SOMA_HD float hold(float v_free, float v, float m) const { return (1.0f - m) * v_free + m * v; }
  SOMA_HD float count(float rho, float m, float z) const {
    const float r = rho - m;
    return (1.0f - z) * (r > 0.0f ? r : 0.0f) + z * rho_reset;
  }

  // The adjoint of hold and count from gv' and grho': what reaches v_free, the held old v, m and
  // rho (through relu), and the count's term of dL/dz.
  struct Grads {
    float v_free, v_old, m, rho, z;
  };
  SOMA_HD Grads hold_count_backward(float gv1, float grho1, float v, float v_free, float rho,
                                    const Spikes& k) const {
    const float r = rho - k.m, gr = r > 0.0f ? grho1 * (1.0f - k.z) : 0.0f;
    return {gv1 * (1.0f - k.m), gv1 * k.m, gv1 * (v - v_free) - gr, gr,
            grho1 * (rho_reset - (r > 0.0f ? r : 0.0f))};
  }
  // The mask's adjoint once gz (all of dL/dz) is known: returns dL/dz_free; g.rho gets m's
  // gradient through the surrogate's sg_rho.
  SOMA_HD float mask_backward(Grads& g, float gz, const Spikes& k, float sg_rho) const {
    g.rho += (g.m - gz * k.free) * sg_rho;
    return gz * (1.0f - k.m);
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
    const float vd = v + ((v_leak - v) + j) * am;
    const RefractoryGate::Spikes k = gate.spikes(vd - reset.v_th, rho);
    s[0] = gate.hold(reset.apply(vd, k.free), v, k.m);
    s[1] = j * keep_i;
    s[2] = gate.count(rho, k.m, k.z);
    RefractoryGate::save(saved, v, vd, rho);
    return k.z;
  }
  SOMA_HD float backward(const float* saved, float gz, float* gs) const {
    const float v = saved[0], vd = saved[1], rho = saved[2];
    const RefractoryGate::Spikes k = gate.spikes(vd - reset.v_th, rho);
    RefractoryGate::Grads g =
        gate.hold_count_backward(gs[0], gs[2], v, reset.apply(vd, k.free), rho, k);
    const float gz_free = gate.mask_backward(g, gz + g.z, k, surrogate_grad(surrogate, alpha, rho));
    const float gvd =
        g.v_free * reset.d_vd(k.free) +
        (gz_free + g.v_free * reset.d_z(vd)) * surrogate_grad(surrogate, alpha, vd - reset.v_th);
    const float gd = gvd * am;
    gs[0] = g.v_old + gvd - gd;
    gs[1] = gd + gs[1] * keep_i;
    gs[2] = g.rho;
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
    const float vd = in.forward(x, v, s[1], &s[2]);
    const RefractoryGate::Spikes k = gate.spikes(vd - in.v_th, rho);
    s[0] = gate.hold(reset.apply(vd, k.z), v, k.m);
    s[2] = s[2] + k.z * adaptation_spike;
    s[3] = gate.count(rho, k.m, k.z);
    RefractoryGate::save(saved, v, vd, rho);
    return k.z;
  }
  // The masked spike resets v and adapts a, so both add to dL/dz before the mask's adjoint.
  SOMA_HD float backward(const float* saved, float gz, float* gs) const {
    const float v = saved[0], vd = saved[1], rho = saved[2];
    const RefractoryGate::Spikes k = gate.spikes(vd - in.v_th, rho);
    RefractoryGate::Grads g =
        gate.hold_count_backward(gs[0], gs[3], v, reset.apply(vd, k.z), rho, k);
    const float gzt = gz + g.z + gs[2] * adaptation_spike + g.v_free * reset.d_z(vd);
    const float gz_free = gate.mask_backward(g, gzt, k, surrogate_grad(surrogate, alpha, rho));
    const float gvd =
        g.v_free * reset.d_vd(k.z) + gz_free * surrogate_grad(surrogate, alpha, vd - in.v_th);
    gs[3] = g.rho;
    gs[0] = g.v_old + in.backward(v, gvd, gs[1], &gs[2]);
    return gs[1];
  }
};

}  // namespace soma::cuda
