#pragma once
// NEST 2.16's iaf_psc_delta and pp_psc_delta, one exact-integration step on a grid of h ms, with
// the parameters the DSQN seed ("5-Load-in-NEST", Nestwork) sets. Units as NEST: mV, ms, pF, pA;
// with C_m = 1 pF, dV/dt = I in mV/ms, so 1 ms of simulation matches one SQN step.
//
// Propagator (both models):  P33 = exp(-h / tau_m),  P30 = (tau_m / C_m) (1 - P33), computed with
// plain exp as NEST does: at tau_m = 1e10 ms, P30 = 0.1 with a relative error near 1e-5.
//
// iaf_psc_delta, per step:
//   not refractory: V <- P30 (y0 + I_e) + P33 V + (spike weights due now), clamped at V_min
//   refractory:     the due spikes are dropped; the counter counts down
//   V >= V_th (strict > with `strict`): spike in this step, V <- V_reset (or V - (V_th - V_reset)
//                   with `subtract_reset`), counter <- round(t_ref / h)
//   y0 <- the current due now, so a current acts from the NEXT step.
// The seed's hidden layers: V_th 1, V_reset 0, E_L 0, t_ref 0, C_m 1, tau_m 1e10, V_min -inf.
// (NEST's own defaults: E_L -70, C_m 250, tau_m 10, t_ref 2, V_th -55, V_reset -70.)
//
// pp_psc_delta, per step:
//   V <- P30 (y0 + I_e) + P33 V + (spike weights due now)    (every step, dead or not)
//   E_sfa <- E_sfa exp(-h / tau_sfa)
//   not dead: V' = V - E_sfa, rate = c_1 V' + c_2 exp(c_3 V') Hz; if rate > 0 a spike with
//             probability 1 - exp(-rate h 1e-3) (dead_time > 0); after one: dead for
//             round(dead_time / h) steps, E_sfa += q_sfa, V <- 0 only with_reset
//   dead:     the counter counts down
//   y0 <- the current due now.
// The seed's values: c_1 1e10, c_2 10, c_3 5, q_sfa 1, tau_sfa 1e10, dead_time 1e-8 ms (NEST
// raises a dead time below h to h: one step, so at most one spike every 2 steps), with_reset
// false (reset by subtraction through the adaptive threshold). E_sfa starts at 0, not at 1, so
// the k-th spike comes once V exceeds about k - 1: one spike earlier than the SQN's rule.
// `E_sfa_initial = 1` is the "fixed" variant without that offset. At V' = 0 the rate is c_2 =
// 10 Hz, so a silent neuron at rest fires spontaneously (p = 1e-3 per 0.1 ms step).
#include <cstdint>
#include <limits>

#include "core/random/rng.hpp"

namespace soma::sim {

struct Propagator {
  double p33 = 1, p30 = 0;
  static Propagator of(double h, double tau_m, double c_m);
};

struct IafPscDeltaParams {
  double C_m = 1, tau_m = 1e10, t_ref = 0;
  double V_th = 1, V_reset = 0;  // relative to E_L = 0
  double V_min = -std::numeric_limits<double>::infinity();
  bool strict = false;          // spike on V > V_th (Brian, the SQN) instead of NEST's >=
  bool subtract_reset = false;  // V -= V_th - V_reset instead of V = V_reset (the SQN's rule)
};

struct PpPscDeltaParams {
  double C_m = 1, tau_m = 1e10;
  double q_sfa = 1, tau_sfa = 1e10, E_sfa_initial = 0;
  double dead_time = 1e-8;
  double c_1 = 1e10, c_2 = 10, c_3 = 5;
  bool with_reset = false;
};

// One neuron's state; `refractory` counts the remaining dead or refractory steps.
struct NeuronState {
  double v = 0, y0 = 0, e_sfa = 0;
  int64_t refractory = 0;
};

class IafPscDelta {
 public:
  IafPscDelta(const IafPscDeltaParams& p, double h);
  void reset(NeuronState& s) const { s = NeuronState{}; }
  // One step with `input` (the summed spike weights due now) and the neuron's I_e; returns the
  // number of spikes emitted (0 or 1). The caller sets s.y0 afterwards.
  int step(NeuronState& s, double input, double i_e) const;

 private:
  IafPscDeltaParams p_;
  Propagator prop_;
  int64_t ref_steps_;
};

class PpPscDelta {
 public:
  PpPscDelta(const PpPscDeltaParams& p, double h);
  void reset(NeuronState& s) const { s = NeuronState{0, 0, p_.E_sfa_initial, 0}; }
  int step(NeuronState& s, double input, double i_e, Rng& rng) const;

 private:
  PpPscDeltaParams p_;
  Propagator prop_;
  double h_, sfa_decay_;
  int64_t dead_steps_;
};

}  // namespace soma::sim
