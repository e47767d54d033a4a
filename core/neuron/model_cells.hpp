#pragma once
// The fused-scan cells of the step-loop models, built from their parameters: the one place that
// turns each model's parameters into the constants its cell steps with (the cells' bodies are in
// core/backend/cuda/*_body.hpp, see cell_list.hpp). Each constant is computed as the model's
// step function computes it (dt * tau_mem_inv, 1 - dt * tau_syn_inv, ...), so the fused scan
// rounds as the step loop does.
#include "core/backend/cuda/cell_list.hpp"
#include "core/neuron/ada_lif.hpp"
#include "core/neuron/coba_lif.hpp"
#include "core/neuron/izhikevich.hpp"
#include "core/neuron/lif_adex_refrac.hpp"
#include "core/neuron/lif_refrac.hpp"

namespace soma::detail {

static_assert(int(SurrogateMethod::super) == 0 && int(SurrogateMethod::logistic) == 6,
              "the cells number the surrogates as SurrogateMethod (surrogate_body.hpp)");

inline cuda::ResetRule reset_rule(const ThresholdParameters& p) {
  return {p.reset == Reset::value, p.v_reset, p.v_th};
}

// LIF-Ex's update; with adapt, AdEx's adaptation too.
inline cuda::ExpIntegrate exp_integrate(const LIFExParameters& p, float adaptation = 0.0f,
                                        float tau_ada_inv = 0.0f) {
  return {p.dt * p.tau_mem_inv,
          1.0f - p.dt * p.tau_syn_inv,
          p.v_leak,
          p.v_th,
          p.delta_t,
          1.0f / p.delta_t,
          adaptation,
          p.dt * tau_ada_inv};
}

inline cuda::LifExCell lif_ex_cell(const LIFExParameters& p) {
  return {exp_integrate(p), reset_rule(p), int(p.surrogate.method), p.surrogate.alpha};
}

inline cuda::AdExCell adex_cell(const LIFAdExParameters& p) {
  return {exp_integrate(p, p.adaptation_current, p.tau_ada_inv), reset_rule(p), p.adaptation_spike,
          int(p.surrogate.method), p.surrogate.alpha};
}

inline cuda::AdaLifCell ada_lif_cell(const AdaLIFParameters& p) {
  return {p.dt * p.tau_mem_inv,
          1.0f - p.dt * p.tau_syn_inv,
          1.0f - p.dt * p.tau_adapt_inv,
          p.v_leak,
          p.v_th,
          p.beta,
          reset_rule(p),
          int(p.surrogate.method),
          p.surrogate.alpha};
}

inline cuda::IzhikevichCell izhikevich_cell(const IzhikevichParameters& p) {
  const float h = p.dt * p.tau_inv;
  return {h,
          h * p.a,
          p.sq,
          p.mn,
          p.bias,
          p.b,
          p.v_u,
          p.u_leak,
          p.v_th,
          p.c,
          p.d,
          p.semi_implicit,
          int(p.surrogate.method),
          p.surrogate.alpha};
}

inline cuda::LifRefracCell lif_refrac_cell(const LIFRefracParameters& p) {
  const LIFParameters& l = p.lif;
  return {l.dt * l.tau_mem_inv, 1.0f - l.dt * l.tau_syn_inv, l.v_leak,         reset_rule(l),
          {p.rho_reset},        int(l.surrogate.method),     l.surrogate.alpha};
}

inline cuda::AdExRefracCell adex_refrac_cell(const LIFAdExRefracParameters& p) {
  const LIFAdExParameters& a = p.adex;
  return {exp_integrate(a, a.adaptation_current, a.tau_ada_inv),
          reset_rule(a),
          a.adaptation_spike,
          {p.rho_reset},
          int(a.surrogate.method),
          a.surrogate.alpha};
}

inline cuda::CobaLifCell coba_lif_cell(const CobaLIFParameters& p) {
  return {1.0f - p.dt * p.tau_syn_exc_inv,
          1.0f - p.dt * p.tau_syn_inh_inv,
          p.g_l,
          p.v_rest,
          p.e_rev_e,
          p.e_rev_i,
          p.dt * p.c_m_inv,
          {true, p.v_reset, p.v_th},
          int(p.surrogate.method),
          p.surrogate.alpha};
}

}  // namespace soma::detail
