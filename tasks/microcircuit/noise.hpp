#pragma once
// Apical noise xi_k of the hidden layers, resampled every dtxi and held in between.
// Which layers: the active one for the phased rules (DTPDRL, LDRL; the others are reset to 0,
// where the seed's uP mode left stale noise), every hidden layer for PAL.
// Standard deviation per neuron, by noise_mode (s = noise_scale of the layer):
//   uP:           s |uP_i|
//   vapi:         s |vapi_i|
//   uP_adaptive:  s eps_LO |uP_i| if eps_LO > (1 - cos(noise_deg))/2, else 0, where
//                 eps = (1 - cos(u_breve_k, BPP_k r_top))/2 and eps_LO += dt/taueps (eps - eps_LO)
//                 at each resampling (seed default)
//   const:        s (PAL)
// noise_type white: xi = std N(0,1); OU (PAL): xi += (-dtxi xi + sqrt(dtxi tauxi) std
// N(0,1))/tauxi, whose stationary std is std/sqrt(2) for dtxi << tauxi.
#include "tasks/microcircuit/model.hpp"

namespace soma::mc {

void resample_noise(Model& m, Rng& rng);
// The cosine of two vectors (0 when either is zero).
double cosine(const Vec& a, const Vec& b);

}  // namespace soma::mc
