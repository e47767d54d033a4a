#pragma once
// LIF-family neuron layers, as Norse's LIF, LIFBox, LI, LIFRecurrent and LIFMC modules. Each
// forward maps a time-first input (T, B, ...) to spikes (T, B, ...) (LI: to voltages), starts
// from the model's initial state and keeps the final one in `state`. With record_states,
// recorded() holds "v" and, where the model has it, "i", each (T, B, ...) after every step.
// The equations and defaults are in core/neuron/ (lif.hpp, lif_box.hpp, li.hpp,
// lif_recurrent.hpp, lif_mc.hpp).
#include "core/neuron/li.hpp"
#include "core/neuron/lif.hpp"
#include "core/neuron/lif_box.hpp"
#include "core/neuron/lif_recurrent.hpp"
#include "core/nn/recurrent_spiking_module.hpp"

namespace soma::nn {

class LIF : public SpikingModule {
 public:
  explicit LIF(LIFParameters p = {}) : p(p) {}
  Tensor forward(const Tensor& x) override;  // input currents -> spikes
  LIFParameters p;
  LIFState state;
};

class LIFBox : public SpikingModule {
 public:
  explicit LIFBox(LIFBoxParameters p = {}) : p(p) {}
  Tensor forward(const Tensor& x) override;
  LIFBoxParameters p;
  Tensor state;  // v
};

class LI : public SpikingModule {
 public:
  explicit LI(LIParameters p = {}) : p(p) {}
  Tensor forward(const Tensor& x) override;  // input currents -> voltages
  LIParameters p;
  LIFState state;
};

// x (T, B, I) spikes -> (T, B, H) spikes, through input_weights and recurrent_weights.
class LIFRecurrent : public RecurrentSpikingModule {
 public:
  LIFRecurrent(int64_t input_size, int64_t hidden_size, Rng& rng, LIFParameters p = {},
               bool autapses = false)
      : RecurrentSpikingModule(input_size, hidden_size, rng, autapses), p(p) {}
  Tensor forward(const Tensor& x) override;
  LIFParameters p;
  LIFRecurrentState state;
};

// Multi-compartment LIF over H compartments; the coupling g (H, H) is a parameter drawn as
// randn / sqrt(H). x (T, B, H) currents -> spikes.
class LIFMC : public SpikingModule {
 public:
  LIFMC(int64_t hidden_size, Rng& rng, LIFParameters p = {});
  Tensor forward(const Tensor& x) override;
  LIFParameters p;
  Tensor g;
  LIFState state;
};

// The synaptic current after every step, i_t = (i_{t-1} + x_t)(1 - dt tau_syn_inv), for
// record_states of the models whose current does not depend on v (LIF, LI, LIFMC).
Tensor synaptic_current_trace(const Tensor& x, const Tensor& i0, float keep_i);

}  // namespace soma::nn
