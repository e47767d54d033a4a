#pragma once
// Multi-compartment refractory LIF (Norse's lif_mc_refrac): the compartments of lif_mc.hpp, whose
// voltages leak into each other through a coupling matrix g (H x H), with the refractory counter
// of refractory.hpp. One step, m = H(rho) through the surrogate (as Norse):
//   v~   = v + (1 - m) dt tau_mem_inv (v_leak - v + i) + g v      (per batch row: + v g^T)
//   i'   = i (1 - dt tau_syn_inv) + x
//   z    = H(v~ - v_th)
//   v'   = (1 - z) v~ + z v_reset           (or v~ - z v_th with Reset::subtract)
//   rho' = (1 - z) relu(rho - m) + rho_reset z
// Norse's equations, kept as they are so that trajectories match; they differ from lif_mc and
// lif_refrac in three ways a user porting a model should know:
//   - the input lands in i and reaches v one step later (Norse's issue #370; lif_mc's input
//     reaches v the same step, as LIF after PR #326);
//   - the coupling g v is NOT multiplied by dt (lif_mc's is dt g v) and is not gated by m, so a
//     refractory compartment still moves with its neighbours;
//   - z is NOT masked while refractory: a neighbour can push a refractory compartment over the
//     threshold, which fires and restarts its count.
// With Norse's default g = randn(H, H) / sqrt(H) and no dt, the coupling is of order one per step;
// scale g down (or give your own) for stable dynamics.
// Defaults: rho_reset 5 plus the LIF ones. Initial state: v = v_leak, i = 0, rho = 0.
#include "core/neuron/lif_mc.hpp"
#include "core/neuron/lif_refrac.hpp"

namespace soma {
class Rng;
}

namespace soma {

// One feed-forward step (Norse's lif_mc_refrac_feed_forward_step). x and the state are
// (..., H), g is (H, H).
LIFRefracStep lif_mc_refrac_step(const Tensor& x, const LIFRefracState& s, const Tensor& g,
                                 const LIFRefracParameters& p);

// The recurrent step (Norse's lif_mc_refrac_step): the input current is x w_in^T + z_prev w_rec^T,
// with x (B, I), w_in (H, I), w_rec (H, H) and z_prev the previous step's spikes (B, H).
LIFRefracStep lif_mc_refrac_recurrent_step(const Tensor& x, const Tensor& z_prev,
                                           const LIFRefracState& s, const Tensor& w_in,
                                           const Tensor& w_rec, const Tensor& g,
                                           const LIFRefracParameters& p);

// All T steps of x (T, ..., H), the loop over the step: the coupling mixes the whole layer's v
// every step, which a per-neuron fused scan cannot do. Gradients reach x, g and s0.
Sequence<LIFRefracState> lif_mc_refrac_sequence(const Tensor& x, const LIFRefracState& s0,
                                                const Tensor& g, const LIFRefracParameters& p,
                                                bool record_states = false);

// The recurrent layer's state: the last spikes (the next step's recurrent input) and the rest.
struct LIFMCRefracRecurrentState {
  Tensor z;
  LIFRefracState refrac;
  static constexpr std::array<const char*, 3> names{"v", "i", "rho"};  // recorded
  std::array<Tensor*, 3> fields() { return {&refrac.lif.v, &refrac.lif.i, &refrac.rho}; }
};

namespace nn {

// Norse's LIFMCRefracRecurrentCell over a sequence: x (T, B, I) -> spikes (T, B, H), the input
// projected by input_weights in one GEMM, then a loop of lif_mc_refrac_recurrent_step. Weights
// as Norse's recurrent cells, g as LIFMC's (of order one per step here: see above).
// recorded(): "v", "i", "rho".
class LIFMCRefracRecurrent : public RecurrentSpikingModule {
 public:
  LIFMCRefracRecurrent(int64_t input_size, int64_t hidden_size, Rng& rng,
                       LIFRefracParameters p = {}, bool autapses = false);
  Tensor forward(const Tensor& x) override;
  Tensor g;
  LIFRefracParameters p;
  LIFMCRefracRecurrentState state;  // after the last forward
};

// Multi-compartment refractory LIF layer over H compartments; the coupling g (H, H) is a
// parameter drawn as Norse's, randn / sqrt(H). x (T, B, H) currents -> spikes;
// recorded(): "v", "i", "rho".
class LIFMCRefrac : public NeuronLayer<LIFRefracModel> {
 public:
  LIFMCRefrac(int64_t hidden_size, Rng& rng, LIFRefracParameters p = {});
  Tensor g;

 protected:
  Sequence<LIFRefracState> run(const Tensor& x, const LIFRefracState& s0) const override;
};

}  // namespace nn

}  // namespace soma
