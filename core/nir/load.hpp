#pragma once
// The inverse of export.hpp: sets a Soma model's layers from the NIR nodes of the same names
// (`--init_from FILE.nir`, and `soma import-nir` for files Soma wrote). Weights are copied in
// place; neuron constants come from the neuron nodes through neurons.hpp, and a node's input gain
// (r w_in dt / tau_syn, 1 for what Soma wrote) is folded into the weights before it. A missing
// node, a node of another type, or a weight of another shape is a std::runtime_error naming the
// node, what the file holds and what the model needs.
#include <string>

#include "core/nir/graph.hpp"
#include "core/nn/lif_modules.hpp"
#include "core/nn/spiking_layers.hpp"

namespace soma::nn {
class LIFRecurrentLearnable;
}

namespace soma::nir {

class Loader {
 public:
  explicit Loader(const Graph& g, float dt = 1e-3f) : g_(g), dt_(dt) {}
  void spiking_linear(const std::string& name, nn::SpikingLinear& m) const;
  void spiking_conv(const std::string& name, nn::SpikingConv2d& m) const;
  // Into a LIFRecurrentLearnable, each neuron's own tau_syn, tau_mem and v_threshold (the
  // fixed layer needs them alike in all neurons).
  void lif_recurrent(const std::string& name, nn::LIFRecurrent& m) const;

 private:
  void lif_recurrent_learnable(const std::string& name, nn::LIFRecurrentLearnable& m) const;
  const Node& node(const std::string& name, std::initializer_list<const char*> types) const;
  // The weight `field` of node `name`, checked against `want`'s shape, times `scale`.
  void load(const std::string& name, const std::string& field, Tensor& want, double scale) const;
  const Graph& g_;
  float dt_;
};

}  // namespace soma::nir
