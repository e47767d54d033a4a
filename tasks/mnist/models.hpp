#pragma once
// The MNIST classifiers, time-first: input spikes (T, B, 1, 28, 28) -> read-out voltages
// (T, B, 10). Both decode as Norse's task does: max over time of the LI voltage.
//   conv  Norse's ConvNet4: conv 1->32 k5, LIF (v_th 0.7), max-pool 2, 10 x conv 32->64 k5,
//         LIF (v_th 0.7), max-pool 2, Linear 1024->1024, LIF, Linear 1024->10, LI.
//   rec   Norse's notebook model: 784 -> recurrent LIF (hidden, 100) -> Linear -> 10 LI.
// Each synapse + neuron layer is one fused node over all T steps (core/nn/spiking_layers.hpp).
#include <memory>

#include "core/nn/lif_modules.hpp"
#include "core/nn/spiking_layers.hpp"

namespace soma {

class MnistModel : public nn::Module {
 public:
  // Spikes of the first hidden layer, (T, B, ...), from the last forward (for rasters).
  Tensor hidden_spikes;
};

class ConvNet4 : public MnistModel {
 public:
  ConvNet4(const Surrogate& s, Rng& rng);
  Tensor forward(const Tensor& spikes) override;

 private:
  std::shared_ptr<nn::SpikingConv2d> conv1_, conv2_;
  std::shared_ptr<nn::SpikingLinear> fc1_, readout_;
};

class RecurrentNet : public MnistModel {
 public:
  RecurrentNet(int64_t hidden, float v_th, const Surrogate& s, Rng& rng);
  Tensor forward(const Tensor& spikes) override;

 private:
  std::shared_ptr<nn::LIFRecurrent> rec_;
  std::shared_ptr<nn::SpikingLinear> readout_;
};

}  // namespace soma
