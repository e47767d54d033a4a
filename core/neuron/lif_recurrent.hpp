#pragma once
// Recurrent LIF (Norse's lif_step / LIFRecurrent): the LIF update of lif.hpp with input current
//   x_t = W_in z_in,t + W_rec z_{t-1}
// and, as Norse, the reset uses a detached z (no gradient through the reset term). The input
// projection W_in z_in is one GEMM over all T * B rows done by the caller (soma::linear); the
// recurrent product needs z_{t-1} and so runs once per step inside the fused op.
#include "core/neuron/lif.hpp"

namespace soma {

struct LIFRecurrentState {
  Tensor z, v, i;
  static constexpr std::array<const char*, 2> names{"v", "i"};  // recorded
  std::array<Tensor*, 2> fields() { return {&v, &i}; }
};

LIFRecurrentState lif_recurrent_initial_state(const Shape& shape, const LIFParameters& p);
// The same on `device`, z included (state_on moves only the recorded v and i): for the layers
// that step it as composed ops (LIFMCRecurrent, LIFRecurrentLearnable).
LIFRecurrentState lif_recurrent_state_on(const Shape& shape, const LIFParameters& p, Device device);

struct LIFRecurrentStep {
  Tensor z;
  LIFRecurrentState state;
};

// One step composed from ops; x_in is the already projected input current (B, H).
LIFRecurrentStep lif_recurrent_step(const Tensor& x_in, const Tensor& w_rec,
                                    const LIFRecurrentState& s, const LIFParameters& p);

struct LIFRecurrentSequence {
  Tensor z;                 // (T, B, H)
  LIFRecurrentState state;  // after the last step
  Tensor v, i;              // (T, B, H) after each step (v after reset); only with record_states
};

// All T steps of x_in (T, B, H) as ONE autograd node with inputs x_in, w_rec (H, H) and the
// initial state (a cell_scan). Saves the pre-reset voltage (4 bytes per neuron-step) and keeps a
// reference to the spike output, which the weight gradient needs.
LIFRecurrentSequence lif_recurrent_sequence(const Tensor& x_in, const Tensor& w_rec,
                                            const LIFRecurrentState& s0, const LIFParameters& p,
                                            bool record_states = false);

// The layer's model: x (T, B, I) input spikes, projected by w_in (H, I) in one GEMM.
struct LIFRecurrentModel {
  using Parameters = LIFParameters;
  using State = LIFRecurrentState;
  static constexpr auto initial_state = &lif_recurrent_initial_state;
  static Sequence<LIFRecurrentState> sequence(const Tensor& x, const LIFRecurrentState& s0,
                                              const Tensor& w_in, const Tensor& w_rec,
                                              const LIFParameters& p, bool record_states);
};

namespace nn {
using LIFRecurrent = RecurrentNeuronLayer<LIFRecurrentModel>;  // records "v", "i"
}

}  // namespace soma
