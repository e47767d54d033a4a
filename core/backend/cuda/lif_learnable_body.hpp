#pragma once
// One neuron-step of the learnable recurrent LIF layer (core/neuron/lif_learnable.hpp) and its
// adjoint, written once (lif_learnable_step.inl) for both sides: the CPU's fused scan runs them
// in its row loops, compiled per instruction-set level (core/backend/cpu/learnable_isa.inl), the
// GPU one thread per neuron and step (lif_learnable.cu, through learnable_forward_neuron /
// learnable_backward_neuron below).
// Per neuron-step with its own constants a = dt / tau_mem, k = 1 - dt / tau_syn and th, and
// u = v_leak - v + j:
//   j = i + x     v~ = v + a u     z = H(v~ - th)     v' = reset(v~, z)     i' = k j
// and the adjoint (z detached in the reset, as Norse's recurrent step; s = the surrogate at
// v~ - th):
//   g_v~ = g_v' (1 - z) + g_z s  (reset to a value)     g_v~ = g_v' + g_z s  (subtract)
//   g_j = g_v~ a + g_i' k     g_v = g_v~ (1 - a)     g_i = g_x = g_j
//   g_a += g_v~ u     g_k += g_i' j     g_th += -g_z s  (- g_v' z when subtracting)
// It saves v~, u and j (12 bytes per neuron-step; the fixed layer's scan saves 4).
#include "core/backend/cuda/host_device.hpp"
#include "core/backend/cuda/recurrent_body.hpp"
#include "core/backend/cuda/surrogate_body.hpp"

namespace soma::cuda {

#include "core/backend/cuda/lif_learnable_step.inl"  // the step and its adjoint

// Neuron (b, h) = k of a (B, H) step on the GPU: the recurrent product, then the step
// with neuron h's constants.
SOMA_HD inline void learnable_forward_neuron(const LearnableLifParams& p,
                                             const LearnableRecurrentStep& s, int64_t k) {
  const int64_t h = k % p.hidden;
  const float x = s.x[k] + recurrent_product(s.z_prev, s.w, p.hidden, k);
  float v = s.v[k], i = s.i[k], vd, u, j;
  s.z[k] = p.reset_value ? learnable_lif_forward<true>(p.v_leak, p.v_reset, p.a[h], p.k[h], p.th[h],
                                                       x, v, i, vd, u, j)
                         : learnable_lif_forward<false>(p.v_leak, p.v_reset, p.a[h], p.k[h],
                                                        p.th[h], x, v, i, vd, u, j);
  s.v[k] = v, s.i[k] = i;
  s.vd[k] = vd, s.u[k] = u, s.j[k] = j;
}

// Its adjoint: dL/dz_t gets step t + 1's recurrent share; gsum (B, H) each accumulates neuron
// (b, h)'s terms of g_a, g_k, g_th over the steps (a sum over b follows, once).
SOMA_HD inline void learnable_backward_neuron(const LearnableLifParams& p,
                                              const LearnableRecurrentGrads& g, int64_t k) {
  const int64_t h = k % p.hidden;
  float gz = g.gz[k];
  if (g.gcur_next) gz += recurrent_adjoint(g.gcur_next, g.w, p.hidden, k);
  const float th = p.th[h], sg = surrogate_grad(p.surrogate, p.alpha, g.vd[k] - th);
  float gv = g.gv[k], gi = g.gi[k], ga, gk, gth;
  g.gcur[k] = p.reset_value ? learnable_lif_backward<true>(p.a[h], p.k[h], th, g.vd[k], g.u[k],
                                                           g.j[k], sg, gz, gv, gi, ga, gk, gth)
                            : learnable_lif_backward<false>(p.a[h], p.k[h], th, g.vd[k], g.u[k],
                                                            g.j[k], sg, gz, gv, gi, ga, gk, gth);
  g.gv[k] = gv, g.gi[k] = gi;
  g.ga[k] += ga, g.gk[k] += gk, g.gth[k] += gth;
}

}  // namespace soma::cuda
