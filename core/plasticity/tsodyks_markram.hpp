#pragma once
// Tsodyks-Markram short-term synaptic plasticity (Norse's stp_step), one Euler step per
// pre-synaptic spike train z in {0, 1}:
//   u' = u - dt tau_f_inv u + U (1 - u) z       utilisation: decays to 0, jumps at a spike
//   x' = x + dt tau_d_inv (1 - x) - u' x z      resources: recover to 1, a spike uses u' x
//   out = u' x z                                 efficacy of this step's spike
// Ordering: u is updated first and the spike uses the NEW u with the OLD x, i.e. u+ x- in the
// notation of Tsodyks & Wu (Scholarpedia, "Short-term synaptic plasticity"), which Norse cites:
// the spike first raises the release probability (facilitation acts on the spike that causes
// it) and then releases that fraction of the resources available before it. From rest the first
// spike gives out = U, the fixed release fraction U_SE of the depressing model of Tsodyks &
// Markram (PNAS 1997). The decay terms use the old u and x (explicit Euler).
// Defaults as Norse (depressing): tau_f_inv = 20 /s (50 ms), tau_d_inv = 1/0.75 /s (750 ms),
// U = 0.45, dt 1e-3 s. A facilitating synapse has small U, slow facilitation and fast recovery,
// e.g. U = 0.15, tau_f_inv = 1/0.75, tau_d_inv = 20. Initial state: u = 0, x = 1.
// Composed from differentiable ops (z may carry a surrogate gradient); also fine under NoGrad.
#include "core/tensor/tensor.hpp"

namespace soma {

struct TsodyksMarkramParameters {
  float tau_f_inv = 20.0f;
  float tau_d_inv = 1.0f / 0.75f;
  float U = 0.45f;
  float dt = 1e-3f;
};

struct TsodyksMarkramState {
  Tensor u, x;
};

TsodyksMarkramState tsodyks_markram_initial_state(const Shape& shape);

struct TsodyksMarkramStep {
  Tensor out;  // u' x z
  TsodyksMarkramState state;
};

TsodyksMarkramStep tsodyks_markram_step(const Tensor& z, const TsodyksMarkramState& s,
                                        const TsodyksMarkramParameters& p = {});

}  // namespace soma
