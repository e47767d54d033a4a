#include "core/nir/load.hpp"

#include <stdexcept>

#include "core/autograd/grad_mode.hpp"
#include "core/neuron/lif_learnable.hpp"
#include "core/nir/neurons.hpp"
#include "core/ops/ops.hpp"

namespace soma::nir {
namespace {

std::string shape_text(const std::vector<int64_t>& s) {
  return to_string(Shape(s.begin(), s.end()));
}

// The neuron node's input gain as one number (Soma's layers scale all neurons alike).
double uniform_gain(const std::string& name, const ImportedNeuron& n) {
  const float g = n.gain.data()[0];
  for (int64_t k = 1; k < n.gain.numel(); ++k)
    if (n.gain.data()[k] != g)
      throw std::runtime_error("node '" + name +
                               "': its input gain (r w_in) differs between neurons; Soma's "
                               "layers scale all neurons alike");
  return double(g);
}

// Neuron k's value of a per-neuron constant, or the one shared value.
float neuron_value(const Tensor& per, float all, int64_t k) {
  return per.defined() ? per.data()[k] : all;
}

ImportedNeuron uniform_neuron(const std::string& name, const Node& node, float dt) {
  ImportedNeuron n = import_neuron(name, node, dt);
  n.require_uniform(name);
  return n;
}

}  // namespace

const Node& Loader::node(const std::string& name, std::initializer_list<const char*> types) const {
  auto it = g_.nodes.find(name);
  if (it == g_.nodes.end())
    throw std::runtime_error("the NIR graph has no node '" + name + "', which this model needs");
  std::string list;
  for (const char* t : types) {
    if (it->second.type == t) return it->second;
    list += (list.empty() ? "" : " or ") + std::string(t);
  }
  throw std::runtime_error("node '" + name + "' is a " + it->second.type + "; this model needs " +
                           list + " there");
}

void Loader::load(const std::string& name, const std::string& field, Tensor& want,
                  double scale) const {
  const Node& n = g_.nodes.at(name);
  const Array& a = n.at(name, field);
  Shape have(a.shape.begin(), a.shape.end());
  if (have != want.shape())
    throw std::runtime_error("node '" + name + "': " + field + " has shape " + shape_text(a.shape) +
                             ", the model's is " + to_string(want.shape()) +
                             " (were the model flags different?)");
  std::vector<float> v(a.values.size());
  for (size_t k = 0; k < v.size(); ++k) v[k] = float(a.values[k] * scale);
  NoGrad no_grad;
  want.copy_(Tensor::from(want.shape(), std::move(v)));
}

void Loader::spiking_linear(const std::string& name, nn::SpikingLinear& m) const {
  const Node& syn = node(name + ".synapse", {m.synapse->bias.defined() ? "Affine" : "Linear"});
  (void)syn;
  ImportedNeuron n = uniform_neuron(name, node(name, {"CubaLIF", "CubaLI", "LIF", "LI"}), dt_);
  if (n.scan.spiking != m.neuron.spiking)
    throw std::runtime_error("node '" + name + "' is a " + g_.nodes.at(name).type +
                             (m.neuron.spiking ? "; this model needs a spiking neuron there"
                                               : "; this model needs a leaky integrator there"));
  const double scale = uniform_gain(name, n) / double(m.gain);
  load(name + ".synapse", "weight", m.synapse->weight, scale);
  if (m.synapse->bias.defined()) load(name + ".synapse", "bias", m.synapse->bias, scale);
  n.scan.surrogate = m.neuron.surrogate;
  m.neuron = n.scan;
}

void Loader::spiking_conv(const std::string& name, nn::SpikingConv2d& m) const {
  node(name + ".synapse", {"Conv2d"});
  ImportedNeuron n = uniform_neuron(name, node(name, {"CubaLIF", "LIF"}), dt_);
  const double scale = uniform_gain(name, n) / double(m.gain);
  load(name + ".synapse", "weight", m.synapse->weight, scale);
  if (m.synapse->bias.defined()) load(name + ".synapse", "bias", m.synapse->bias, scale);
  n.scan.surrogate = m.neuron.surrogate;
  m.neuron = n.scan;
}

void Loader::lif_recurrent(const std::string& name, nn::LIFRecurrent& m) const {
  node(name + ".input", {"Linear"});
  node(name + ".recurrent", {"Linear"});
  if (auto* learnable = dynamic_cast<nn::LIFRecurrentLearnable*>(&m))
    return lif_recurrent_learnable(name, *learnable);
  ImportedNeuron n = uniform_neuron(name, node(name, {"CubaLIF"}), dt_);
  const double gain = uniform_gain(name, n);
  load(name + ".input", "weight", m.input_weights, gain);
  load(name + ".recurrent", "weight", m.recurrent_weights, gain);
  // LIFParameters hold the inverse time constants.
  const Node& cuba = g_.nodes.at(name);
  m.p.tau_syn_inv = float(1.0 / cuba.at(name, "tau_syn").uniform(name, "tau_syn"));
  m.p.tau_mem_inv = float(1.0 / cuba.at(name, "tau_mem").uniform(name, "tau_mem"));
  m.p.v_leak = n.scan.v_leak;
  m.p.v_th = n.scan.v_th;
  m.p.v_reset = n.scan.v_reset;
  m.p.reset = Reset::value;
  m.p.dt = dt_;
}

// As lif_recurrent, with the constants per neuron (import_neuron reads them); the input gain
// r w_in dt / tau_syn must still be one number (all neurons share the weights' scale).
void Loader::lif_recurrent_learnable(const std::string& name, nn::LIFRecurrentLearnable& m) const {
  ImportedNeuron n = import_neuron(name, node(name, {"CubaLIF"}), dt_);
  const int64_t h = m.hidden_size();
  if (numel_of(n.shape) != h)
    throw std::runtime_error("node '" + name + "' has " + shape_text(n.shape) +
                             " neurons, the model's layer " + std::to_string(h));
  const double gain = uniform_gain(name, n);
  load(name + ".input", "weight", m.input_weights, gain);
  load(name + ".recurrent", "weight", m.recurrent_weights, gain);
  std::vector<float> mem, syn, th;
  for (int64_t k = 0; k < h; ++k) {
    mem.push_back(neuron_value(n.am, n.scan.am, k));
    syn.push_back(1 - neuron_value(n.keep_i, n.scan.keep_i, k));
    th.push_back(neuron_value(n.v_th, n.scan.v_th, k));
  }
  try {
    m.set_constants(mem, syn, th);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error("node '" + name + "': " + e.what() + " (a learnable layer's range)");
  }
  m.p.v_leak = n.scan.v_leak;
  m.p.v_reset = n.scan.v_reset;
  m.p.reset = Reset::value;
  m.p.dt = dt_;
}

}  // namespace soma::nir
