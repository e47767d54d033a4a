#pragma once
// The MNIST classifiers, time-first: input spikes (T, B, 1, 28, 28) -> read-out voltages
// (T, B, 10). Both decode as Norse's task does: max over time of the LI voltage.
//   conv  Norse's ConvNet4: conv 1->32 k5, LIF (v_th 0.7), max-pool 2, 10 x conv 32->64 k5,
//         LIF (v_th 0.7), max-pool 2, Linear 1024->1024, LIF, Linear 1024->10, LI.
//   rec   Norse's notebook model: 784 -> recurrent LIF (hidden, 100) -> Linear -> 10 LI.
// Each synapse + neuron layer is one fused node over all T steps (core/nn/spiking_layers.hpp).
#include <memory>

#include "core/nir/export.hpp"
#include "core/nir/load.hpp"
#include "core/nn/lif_modules.hpp"
#include "core/nn/spiking_layers.hpp"

namespace soma {

class MnistModel : public nn::Module {
 public:
  // Spikes of the first hidden layer, (T, B, ...), from the last forward (for rasters). conv:
  // conv1's spikes (T, B, 32, 24, 24) in eval mode, their max-pool (T, B, 32, 12, 12) while
  // training (the fused layer does not write the others).
  Tensor hidden_spikes;
  // The network as a NIR graph: input spikes (1, 28, 28) per step -> read-out voltages (10).
  virtual void export_nir(nir::Builder& b) const = 0;
  virtual void import_nir(const nir::Loader& l) = 0;  // the inverse (--init_from)
  // Norse's state_dict module names where they differ from Soma's (ConvNet4's read-out is "out").
  virtual std::map<std::string, std::string> norse_module_names() const { return {}; }
};

class ConvNet4 : public MnistModel {
 public:
  ConvNet4(const Surrogate& s, Rng& rng);
  Tensor forward(const Tensor& spikes) override;
  void export_nir(nir::Builder& b) const override;
  void import_nir(const nir::Loader& l) override;
  std::map<std::string, std::string> norse_module_names() const override {
    return {{"readout", "out"}};
  }

 private:
  std::shared_ptr<nn::SpikingConv2d> conv1_, conv2_;
  std::shared_ptr<nn::SpikingLinear> fc1_, readout_;
};

class RecurrentNet : public MnistModel {
 public:
  // learn_neuron_params: the layer is LIFRecurrentLearnable (per-neuron tau_mem, tau_syn, v_th).
  RecurrentNet(int64_t hidden, float v_th, const Surrogate& s, Rng& rng,
               bool learn_neuron_params = false);
  Tensor forward(const Tensor& spikes) override;
  void export_nir(nir::Builder& b) const override;
  void import_nir(const nir::Loader& l) override;

 private:
  std::shared_ptr<nn::LIFRecurrent> rec_;
  std::shared_ptr<nn::SpikingLinear> readout_;
};

}  // namespace soma
