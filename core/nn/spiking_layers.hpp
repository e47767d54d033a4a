#pragma once
// Synapses followed by current-based neurons, all T steps as ONE fused autograd node
// (core/neuron/ff_layer.hpp): the fast way to build feed-forward spiking networks.
//   SpikingLinear   Linear(in, out) -> LIF / LIF-box / LI      x (T, B, in) -> (T, B, out)
//   SpikingConv2d   Conv2d(...) -> LIF / LIF-box / LI          x (T, B, C, H, W) -> (T, B, C', H',
//   W')
// Norse's LILinearCell is SpikingLinear with an LI neuron (the task read-outs). The output is the
// spikes, or the voltage for LI; each forward starts from the neuron's initial state (v = v_leak,
// i = 0). `gain` multiplies the synaptic currents (Norse's ConvNet scales its second convolution
// by 10). Spike inputs take the sparse path automatically (Linear only).
#include <memory>

#include "core/neuron/current_scan.hpp"
#include "core/nn/conv.hpp"
#include "core/nn/linear.hpp"
#include "core/nn/spiking_module.hpp"

namespace soma::nn {

class SpikingLinear : public SpikingModule {
 public:
  SpikingLinear(int64_t in, int64_t out, const CurrentScanConfig& neuron, bool bias, Rng& rng);
  Tensor forward(const Tensor& x) override;
  std::shared_ptr<Linear> synapse;
  CurrentScanConfig neuron;
  float gain = 1;
  LIFState state;  // after the last forward
};

// Norse's LILinearCell, the usual read-out: Linear(in, out, no bias) into leaky integrators
// with the default LI parameters; forward returns the voltages.
std::shared_ptr<SpikingLinear> li_linear(int64_t in, int64_t out, Rng& rng);

class SpikingConv2d : public SpikingModule {
 public:
  SpikingConv2d(int64_t in_channels, int64_t out_channels, int kernel,
                const CurrentScanConfig& neuron, Rng& rng, int stride = 1, int padding = 0);
  Tensor forward(const Tensor& x) override;
  // max_pool_sequence(forward(x), kernel). An input constant over time (an image fed as a
  // current) into a spiking neuron with kernel 2 and no record_states takes the fused path of
  // constant_current_pool.hpp, which never holds the unpooled spikes: `spikes`, when given,
  // receives them anyway (T, B, C', H', W'), at the cost of writing them.
  Tensor forward_pooled(const Tensor& x, int kernel, Tensor* spikes = nullptr);
  std::shared_ptr<Conv2d> synapse;
  CurrentScanConfig neuron;
  float gain = 1;
  LIFState state;
};

}  // namespace soma::nn
