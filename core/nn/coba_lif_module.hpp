#pragma once
// Conductance-based LIF layers (Norse's CobaLIF); see core/neuron/coba_lif.hpp.
//   CobaLIF:          (T, B, ...) input currents -> spikes; recorded(): "v", "g_e", "g_i".
//   CobaLIFRecurrent: (T, B, I) input spikes -> (T, B, H) spikes with its own weights
//                     input_weights (H, I) ~ N(0, 1/I) and recurrent_weights (H, H) ~ N(0, 1/H)
//                     (Norse's CobaLIFCell); recorded(): "z", "v", "g_e", "g_i".
// Without autapses (the default) the recurrent diagonal starts at zero and the forward pass
// masks it, so it also gets no gradient and stays zero.
#include "core/neuron/coba_lif.hpp"
#include "core/nn/spiking_module.hpp"

namespace soma {
class Rng;
}

namespace soma::nn {

class CobaLIF : public SpikingModule {
 public:
  explicit CobaLIF(CobaLIFParameters p = {}) : p(p) {}
  Tensor forward(const Tensor& x) override;
  CobaLIFParameters p;
  CobaLIFState state;
};

class CobaLIFRecurrent : public SpikingModule {
 public:
  CobaLIFRecurrent(int64_t input_size, int64_t hidden_size, Rng& rng, CobaLIFParameters p = {},
                   bool autapses = false);
  Tensor forward(const Tensor& x) override;
  CobaLIFParameters p;
  CobaLIFRecurrentState state;
  Tensor input_weights, recurrent_weights;

 private:
  Tensor off_diagonal_;  // (H, H) ones with a zero diagonal; undefined with autapses
};

}  // namespace soma::nn
