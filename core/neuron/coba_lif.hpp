#pragma once
// Conductance-based LIF (Norse's CobaLIF). State v, g_e, g_i. Feed-forward step with input x:
//   g_e' = g_e (1 - dt tau_syn_exc_inv) + relu(x)
//   g_i' = g_i (1 - dt tau_syn_inh_inv) + relu(-x)
//   v~   = v + dt c_m_inv (g_l (v_rest - v) + g_e' (E_e - v) + g_i' (E_i - v))
//   z    = H(v~ - v_th),   v' = (1 - z) v~ + z v_reset
// The recurrent step takes input spikes z_in and splits each weight by sign (a synapse is either
// excitatory or inhibitory):
//   g_e' = g_e (1 - dt tau_syn_exc_inv) + relu(W_in) z_in + relu(W_rec) z
//   g_i' = g_i (1 - dt tau_syn_inh_inv) + relu(-W_in) z_in + relu(-W_rec) z
// Norse's recurrent step assigns the recurrent conductance over the input one, so its input never
// reaches g; here both are added, which is what the equations say.
//
// Defaults are Norse's: tau_syn_exc_inv = tau_syn_inh_inv = 0.2 (1/5), c_m_inv 5 (1/0.2),
// g_l 0.25, E_e 60, E_i -100, v_rest -20, v_reset -70, v_th -10, dt 1e-3, SuperSpike alpha 100.
// These constants are per-ms style (tau_syn 5, c_m 0.2, tau_m = c_m / g_l = 0.8), unlike the
// LIF's 1/s ones; with dt 1e-3 they give per-step factors of 2e-4 for the conductance decay and
// 1.25e-3 for the leak. We keep them and dt = 1e-3 as they are: the numbers then match Norse, and
// forward Euler stays stable (it needs dt c_m_inv (g_l + g_e + g_i) < 1). Rescaling to 1/s
// (tau_syn_inv 200, c_m_inv 5000) would give a leak factor of 1.25 per step, which overshoots.
// Read in ms, dt = 1e-3 is a 1 us step: conductances decay over ~5000 steps and inputs of order
// 1 drive v to threshold within tens of steps. For ms-scale dynamics set dt = 0.1 (0.1 ms steps).
// Initial state: v = v_rest, g_e = g_i = 0 (and z = 0 for the recurrent form).
#include <array>

#include "core/neuron/rollout.hpp"
#include "core/neuron/surrogate.hpp"
#include "core/nn/neuron_layer.hpp"

namespace soma {

struct CobaLIFParameters {
  float tau_syn_exc_inv = 0.2f;
  float tau_syn_inh_inv = 0.2f;
  float c_m_inv = 5.0f;
  float g_l = 0.25f;
  float e_rev_e = 60.0f;
  float e_rev_i = -100.0f;
  float v_rest = -20.0f;
  float v_reset = -70.0f;
  float v_th = -10.0f;
  Surrogate surrogate{};
  float dt = 1e-3f;
};

struct CobaLIFState {
  Tensor v, g_e, g_i;
  static constexpr std::array<const char*, 3> names{"v", "g_e", "g_i"};
  std::array<Tensor*, 3> fields() { return {&v, &g_e, &g_i}; }
};

struct CobaLIFRecurrentState {
  Tensor z, v, g_e, g_i;
  static constexpr std::array<const char*, 4> names{"z", "v", "g_e", "g_i"};
  std::array<Tensor*, 4> fields() { return {&z, &v, &g_e, &g_i}; }
};

CobaLIFState coba_lif_initial_state(const Shape& shape, const CobaLIFParameters& p);
CobaLIFRecurrentState coba_lif_recurrent_initial_state(const Shape& shape,
                                                       const CobaLIFParameters& p);

struct CobaLIFStep {
  Tensor z;
  CobaLIFState state;
};

// Feed-forward step: x is a current whose positive part is excitatory, negative part inhibitory.
CobaLIFStep coba_lif_step(const Tensor& x, const CobaLIFState& s, const CobaLIFParameters& p);

struct CobaLIFModel {
  using Parameters = CobaLIFParameters;
  using State = CobaLIFState;
  static constexpr auto initial_state = &coba_lif_initial_state;
  static constexpr auto step = &coba_lif_step;
  // All T steps as one fused scan (cell_sequence.hpp); equals the loop over `step`.
  static Sequence<CobaLIFState> sequence(const Tensor& x, const CobaLIFState& s0,
                                         const CobaLIFParameters& p, bool record_states);
};

inline constexpr ModelSequence<CobaLIFModel> coba_lif_sequence{};

struct CobaLIFRecurrentStep {
  Tensor z;
  CobaLIFRecurrentState state;
};

// Recurrent step: z_in (B, I) input spikes, w_in (H, I), w_rec (H, H).
CobaLIFRecurrentStep coba_lif_recurrent_step(const Tensor& z_in, const CobaLIFRecurrentState& s,
                                             const Tensor& w_in, const Tensor& w_rec,
                                             const CobaLIFParameters& p);

Sequence<CobaLIFRecurrentState> coba_lif_recurrent_sequence(const Tensor& z_in,
                                                            const CobaLIFRecurrentState& s0,
                                                            const Tensor& w_in, const Tensor& w_rec,
                                                            const CobaLIFParameters& p,
                                                            bool record_states = false);

// The recurrent layer's model: its own weights input_weights (H, I) ~ N(0, 1/I) and
// recurrent_weights (H, H) ~ N(0, 1/H), as Norse's CobaLIFCell.
struct CobaLIFRecurrentModel {
  using Parameters = CobaLIFParameters;
  using State = CobaLIFRecurrentState;
  static constexpr auto initial_state = &coba_lif_recurrent_initial_state;
  static constexpr auto sequence = &coba_lif_recurrent_sequence;
  static nn::RecurrentInit init(int64_t input_size, int64_t hidden_size);
};

namespace nn {
// (T, B, ...) input currents -> spikes; recorded(): "v", "g_e", "g_i".
using CobaLIF = NeuronLayer<CobaLIFModel>;
// (T, B, I) input spikes -> (T, B, H) spikes; recorded(): "z", "v", "g_e", "g_i". Without
// autapses (the default) the recurrent diagonal stays zero (recurrent_spiking_module.hpp).
using CobaLIFRecurrent = RecurrentNeuronLayer<CobaLIFRecurrentModel>;
}  // namespace nn

}  // namespace soma
