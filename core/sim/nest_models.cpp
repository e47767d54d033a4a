#include "core/sim/nest_models.hpp"

#include <cmath>
#include <stdexcept>

namespace soma::sim {

Propagator Propagator::of(double h, double tau_m, double c_m) {
  if (!(h > 0) || !(tau_m > 0) || !(c_m > 0))
    throw std::invalid_argument("nest models: h, tau_m and C_m must be positive");
  Propagator p;
  p.p33 = std::exp(-h / tau_m);
  p.p30 = 1 / c_m * (1 - p.p33) * tau_m;  // NEST's expression, rounding included
  return p;
}

IafPscDelta::IafPscDelta(const IafPscDeltaParams& p, double h)
    : p_(p), prop_(Propagator::of(h, p.tau_m, p.C_m)), ref_steps_(std::llround(p.t_ref / h)) {}

int IafPscDelta::step(NeuronState& s, double input, double i_e) const {
  if (s.refractory == 0) {
    s.v = prop_.p30 * (s.y0 + i_e) + prop_.p33 * s.v + input;
    if (s.v < p_.V_min) s.v = p_.V_min;
  } else {
    --s.refractory;
  }
  const bool fire = p_.strict ? s.v > p_.V_th : s.v >= p_.V_th;
  if (!fire) return 0;
  s.refractory = ref_steps_;
  s.v = p_.subtract_reset ? s.v - (p_.V_th - p_.V_reset) : p_.V_reset;
  return 1;
}

PpPscDelta::PpPscDelta(const PpPscDeltaParams& p, double h)
    : p_(p),
      prop_(Propagator::of(h, p.tau_m, p.C_m)),
      h_(h),
      sfa_decay_(std::exp(-h / p.tau_sfa)),
      // NEST raises a positive dead time shorter than the resolution to one step.
      dead_steps_(p.dead_time > 0 ? std::max<int64_t>(1, std::llround(p.dead_time / h)) : 0) {
  if (p.dead_time <= 0)
    throw std::invalid_argument("pp_psc_delta: only dead_time > 0 is modelled (the seed's 1e-8)");
}

int PpPscDelta::step(NeuronState& s, double input, double i_e, Rng& rng) const {
  s.v = prop_.p30 * (s.y0 + i_e) + prop_.p33 * s.v + input;
  s.e_sfa *= sfa_decay_;
  if (s.refractory > 0) {
    --s.refractory;
    return 0;
  }
  const double v_eff = s.v - s.e_sfa;
  const double rate = p_.c_1 * v_eff + p_.c_2 * std::exp(p_.c_3 * v_eff);
  if (!(rate > 0)) return 0;
  const double p_spike = -std::expm1(-rate * h_ * 1e-3);
  if (!(double(rng.uniform()) < p_spike)) return 0;
  s.refractory = dead_steps_;
  s.e_sfa += p_.q_sfa;
  if (p_.with_reset) s.v = 0;
  return 1;
}

}  // namespace soma::sim
