#pragma once
// LSNN: LIF neurons with an adaptive threshold b (Bellec et al. 2018; Norse's LSNN). One Euler step
// with input current x:
//   j  = i + x
//   v~ = v + dt tau_mem_inv (v_leak - v + j)
//   i' = j (1 - dt tau_syn_inv)
//   b~ = b + dt tau_adapt_inv (v_th - b)
//   z  = H(v~ - b~)
//   v' = (1 - z) v~ + z v_reset
//   b' = b~ + beta z
// Defaults: tau_adapt_inv 1/800 /s, beta 1.8, plus the LIF ones (dt 1e-3 s, tau_syn_inv 200 /s,
// tau_mem_inv 100 /s, v_leak 0, v_th 1, v_reset 0, SuperSpike with alpha 100). Initial state:
// z = 0, v = v_leak, i = 0, b = v_th. Reset::subtract resets to v~ - z v_th (Norse's LSNN has
// value reset only).
//
// Fixed with respect to Norse: Norse's LSNN integrates v with the OLD current and adds the input
// to i afterwards (v~ uses i, i' = i (1 - dt tau_syn_inv) + x), so an input reaches v one step
// late (Norse issue #370), unlike its LIF since PR #326. Here the input reaches v in the same
// step, exactly as lif.hpp; with beta = 0 and tau_adapt_inv = 0 an LSNN is a LIF.
//
// Recurrent form (Norse's lsnn_step): x_t = W_in z_in,t + W_rec z_{t-1}, and z is detached in the
// reset, as Norse. Fixed with respect to Norse: its lsnn_step also detaches z in the threshold
// jump b' = b~ + beta z, which cuts the one gradient path that spans the adaptation time
// constant: a spike now raising the threshold seconds later is exactly what lets an LSNN
// remember (Bellec et al. train it through b), and with the jump detached the store/recall
// memory task stayed at chance. Here the jump keeps its gradient. The feed-forward form keeps
// both gradients, as Norse's lsnn_feed_forward_step.
//
// Memory of the fused sequences: they save v~ and b~, 8 bytes per neuron-step; the recurrent one
// also keeps a reference to its spike output for the weight gradient.
#include "core/neuron/lif.hpp"

namespace soma {

struct LSNNParameters : LIFParameters {
  float tau_adapt_inv = 1.0f / 800.0f;
  float beta = 1.8f;
};

// z is the last step's spikes: the recurrent input of the next step (the feed-forward steps
// ignore it and only set it).
struct LSNNState {
  Tensor z, v, i, b;
  static constexpr std::array<const char*, 3> names{"v", "i", "b"};  // recorded
  std::array<Tensor*, 3> fields() { return {&v, &i, &b}; }
};

LSNNState lsnn_initial_state(const Shape& shape, const LSNNParameters& p);

struct LSNNStep {
  Tensor z;
  LSNNState state;
};

// One step composed from ops: the reference for the fused sequences. x is the input current.
LSNNStep lsnn_step(const Tensor& x, const LSNNState& s, const LSNNParameters& p);
// The recurrent step: x_in is the projected input current (B, H), w_rec (H, H).
LSNNStep lsnn_recurrent_step(const Tensor& x_in, const Tensor& w_rec, const LSNNState& s,
                             const LSNNParameters& p);

struct LSNNSequence {
  Tensor z;         // (T, ...) spikes
  LSNNState state;  // after the last step
  Tensor v, i, b;   // (T, ...) after each step (v after reset); only with record_states
};

// All T steps of x (T, ...) as ONE autograd node with a reverse-scan backward.
LSNNSequence lsnn_sequence(const Tensor& x, const LSNNState& s0, const LSNNParameters& p,
                           bool record_states = false);
// The recurrent sequence as ONE node with inputs x_in (T, B, H), w_rec (H, H) and s0.
LSNNSequence lsnn_recurrent_sequence(const Tensor& x_in, const Tensor& w_rec, const LSNNState& s0,
                                     const LSNNParameters& p, bool record_states = false);

// The layers' models: feed-forward (x input currents) and recurrent (x (T, B, I) input spikes,
// projected by w_in (H, I) in one GEMM). Both record "v", "i", "b".
struct LSNNModel {
  using Parameters = LSNNParameters;
  using State = LSNNState;
  static constexpr auto initial_state = &lsnn_initial_state;
  static Sequence<LSNNState> sequence(const Tensor& x, const LSNNState& s0, const LSNNParameters& p,
                                      bool record_states);
};

struct LSNNRecurrentModel {
  using Parameters = LSNNParameters;
  using State = LSNNState;
  static constexpr auto initial_state = &lsnn_initial_state;
  static Sequence<LSNNState> sequence(const Tensor& x, const LSNNState& s0, const Tensor& w_in,
                                      const Tensor& w_rec, const LSNNParameters& p,
                                      bool record_states);
};

namespace nn {
using LSNN = NeuronLayer<LSNNModel>;                             // input currents -> spikes
using LSNNRecurrent = RecurrentNeuronLayer<LSNNRecurrentModel>;  // no autapses by default
}  // namespace nn

}  // namespace soma
