#pragma once
// Multi-compartment LIF (Norse's lif_mc): H compartments whose voltages leak into each other
// through a coupling matrix g (H x H) before the LIF step of lif.hpp:
//   v_c = v + dt g v        (per batch row: v_c = v + dt v g^T)
//   then the LIF step from (v_c, i) with input current x.
// Parameters as LIF; Norse draws g as randn(H, H) / sqrt(H) (see nn::LIFMC). Initial state as
// LIF: v = v_leak, i = 0.
#include "core/neuron/lif.hpp"
#include "core/neuron/lif_recurrent.hpp"
#include "core/nn/recurrent_spiking_module.hpp"

namespace soma {
class Rng;
}

namespace soma {

// One step composed from ops. x and the state are (..., H), g is (H, H).
LIFStep lif_mc_step(const Tensor& x, const LIFState& s, const Tensor& g, const LIFParameters& p);

// All T steps of x (T, ..., H). A loop of T steps, each one GEMM plus a one-step fused LIF scan
// (three nodes per step): the coupling mixes the whole layer's v every step, which the
// per-neuron current_scan cannot do. Gradients reach x, g and s0.
LIFSequence lif_mc_sequence(const Tensor& x, const LIFState& s0, const Tensor& g,
                            const LIFParameters& p, bool record_states = false);

// The coupling current v g^T for v (..., H) and g (H, H); throws when g does not fit v.
Tensor coupling(const Tensor& v, const Tensor& g);

// Norse's coupling g (H, H), drawn as randn / sqrt(H), registered on m as "g".
Tensor register_coupling(nn::Module& m, int64_t hidden_size, Rng& rng);

// The recurrent step (Norse's lif_mc_step, the step of its LIFMCRecurrentCell): the coupling,
// then the recurrent LIF step of lif_recurrent.hpp from (v_c, i), its input current
// x_in + z_{t-1} w_rec^T and its detached reset. x_in is the projected input (..., H).
LIFRecurrentStep lif_mc_recurrent_step(const Tensor& x_in, const Tensor& w_rec, const Tensor& g,
                                       const LIFRecurrentState& s, const LIFParameters& p);

namespace nn {

// Norse's LIFMCRecurrentCell over a sequence: x (T, B, I) -> spikes (T, B, H), the input
// projected by input_weights in one GEMM, then a loop of lif_mc_recurrent_step (the coupling
// mixes the layer every step). Weights as Norse's recurrent cells (randn sqrt(2 / H), no
// autapses unless asked), g as LIFMC's. recorded(): "v", "i".
class LIFMCRecurrent : public RecurrentSpikingModule {
 public:
  LIFMCRecurrent(int64_t input_size, int64_t hidden_size, Rng& rng, LIFParameters p = {},
                 bool autapses = false);
  Tensor forward(const Tensor& x) override;
  Tensor g;
  LIFParameters p;
  LIFRecurrentState state;  // after the last forward
};

// Multi-compartment LIF layer over H compartments; the coupling g (H, H) is a parameter drawn as
// randn / sqrt(H). x (T, B, H) currents -> spikes; recorded(): "v", "i".
class LIFMC : public NeuronLayer<LIFModel> {
 public:
  LIFMC(int64_t hidden_size, Rng& rng, LIFParameters p = {});
  Tensor g;

 protected:
  Sequence<LIFState> run(const Tensor& x, const LIFState& s0) const override;
};

}  // namespace nn

}  // namespace soma
