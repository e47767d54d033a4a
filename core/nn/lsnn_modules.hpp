#pragma once
// LSNN neuron layers (adaptive threshold; core/neuron/lsnn.hpp), as Norse's LSNN and
// LSNNRecurrent. Forward maps (T, B, ...) to spikes (T, B, ...) from the initial state (b = v_th)
// and keeps the final state in `state`; with record_states, recorded() holds "v", "i" and "b",
// each (T, B, ...).
#include "core/neuron/lsnn.hpp"
#include "core/nn/recurrent_spiking_module.hpp"

namespace soma::nn {

class LSNN : public SpikingModule {
 public:
  explicit LSNN(LSNNParameters p = {}) : p(p) {}
  Tensor forward(const Tensor& x) override;  // input currents -> spikes
  LSNNParameters p;
  LSNNState state;
};

// x (T, B, I) -> (T, B, H) spikes through input_weights and recurrent_weights (no autapses by
// default; see recurrent_spiking_module.hpp).
class LSNNRecurrent : public RecurrentSpikingModule {
 public:
  LSNNRecurrent(int64_t input_size, int64_t hidden_size, Rng& rng, LSNNParameters p = {},
                bool autapses = false)
      : RecurrentSpikingModule(input_size, hidden_size, rng, autapses), p(p) {}
  Tensor forward(const Tensor& x) override;
  LSNNParameters p;
  LSNNState state;
};

}  // namespace soma::nn
