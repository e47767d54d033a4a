#pragma once
// Writing Soma's layers as NIR nodes (graph.hpp; the neuron mapping is in neurons.hpp). A model
// exports itself by chaining these from the graph's Input: each returns the name of the node
// that carries its output. Node names follow the model's parameter names ("conv1",
// "conv1.synapse"), so a NIR file reads like the Soma checkpoint.
//   SpikingLinear   Affine (or Linear without bias) -> CubaLIF / CubaLI / LIF / LI
//   SpikingConv2d   Conv2d -> CubaLIF ...                     (gain folded into the weights)
//   LIFRecurrent    Linear(input_weights) -> CubaLIF, and CubaLIF -> Linear(recurrent_weights)
//                   -> the same CubaLIF: a cycle, so the recurrent input arrives one step late
//   max_pool2d of spikes   SumPool2d -> Threshold(0.5): the same for 0/1 inputs (NIR has no max
//                   pooling)
// Models without a NIR equivalent (LSNN's adaptive threshold, reset by subtraction) are a
// std::invalid_argument naming the layer and its type.
#include <string>

#include "core/nir/graph.hpp"
#include "core/nn/lif_modules.hpp"
#include "core/nn/spiking_layers.hpp"

namespace soma::nir {

using Dims = std::vector<int64_t>;

class Builder {
 public:
  explicit Builder(float dt = 1e-3f) : dt_(dt) {}
  Graph graph;

  std::string input(const Dims& shape);
  void output(const std::string& from, const Dims& shape);
  std::string spiking_linear(const std::string& name, const nn::SpikingLinear& m,
                             const std::string& from);
  // in_shape (C, H, W) per sample; out_shape receives the layer's (C', H', W').
  std::string spiking_conv(const std::string& name, const nn::SpikingConv2d& m,
                           const std::string& from, const Dims& in_shape, Dims& out_shape);
  std::string lif_recurrent(const std::string& name, const nn::LIFRecurrent& m,
                            const std::string& from);
  // 2 x 2 (k x k) max pooling of spikes; shape (C, H, W) in, (C, H/k, W/k) out.
  std::string max_pool_spikes(const std::string& name, const std::string& from, Dims& shape,
                              int k = 2);
  std::string flatten(const std::string& name, const std::string& from, const Dims& shape);
  // Wrong-kind layers: a std::invalid_argument "layer 'name' (type) has no NIR equivalent: why".
  [[noreturn]] static void unsupported(const std::string& name, const std::string& type,
                                       const std::string& why);

 private:
  float dt_;
};

}  // namespace soma::nir
