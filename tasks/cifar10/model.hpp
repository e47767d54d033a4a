#pragma once
// Norse's cifar10 network, time-first: the image (T, B, 3, 32, 32) as an input current at every
// step -> read-out voltages (T, B, 10).
//   conv 3x3 3 -> c, LIF;  conv c -> 2c, LIF, max-pool 2;  conv 2c -> 4c, LIF, max-pool 2;
//   conv 4c -> 4c, LIF, max-pool 2;  Linear 4c * 4 * 4 -> 10 (no bias), LI.
// Norse: c = 64 (64, 128, 256, 256 channels, Linear 4096 -> 10), every convolution padded by 1,
// the LIF neurons with v_th 0.4 (the other parameters Norse's defaults). Each conv + LIF is one
// fused node over all T steps; the first sees the same image every step, so it convolves it
// once (core/nn/spiking_layers.hpp).
//
// Cost per image and step, c = 64: 189 M multiply-adds in conv2..conv4 (75.5 + 75.5 + 37.7 M),
// conv1 1.8 M once; at Norse's T = 128 that is 24 G forward, about 3x that with the backward.
#include <memory>

#include "core/neuron/surrogate.hpp"
#include "core/nir/export.hpp"
#include "core/nir/load.hpp"
#include "core/nn/spiking_layers.hpp"

namespace soma {

class Cifar10Net : public nn::Module {
 public:
  Cifar10Net(int64_t channels, float v_th, const Surrogate& s, Rng& rng);
  Tensor forward(const Tensor& currents) override;
  // Spikes of the first conv layer, (T, B, c, 32, 32), from the last forward (for rasters).
  Tensor hidden_spikes;
  // The network as a NIR graph: the image (3, 32, 32) as the input current of every step ->
  // read-out voltages (10); conv + LIF, max-pool and the LI read-out map as core/nir/export.hpp.
  void export_nir(nir::Builder& b) const;
  void import_nir(const nir::Loader& l);  // the inverse (--init_from)

 private:
  std::shared_ptr<nn::SpikingConv2d> conv1_, conv2_, conv3_, conv4_;
  std::shared_ptr<nn::SpikingLinear> readout_;
};

}  // namespace soma
