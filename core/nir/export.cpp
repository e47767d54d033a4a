#include "core/nir/export.hpp"

#include <stdexcept>

#include "core/neuron/lif_learnable.hpp"
#include "core/nir/neurons.hpp"
#include "core/ops/ops.hpp"

namespace soma::nir {
namespace {

using Kind = Array::Kind;

Array ints(std::initializer_list<double> v) {
  return Array::vector(v, Kind::i64);
}

Array scaled(const Tensor& t, float gain) {
  return Array::of(gain == 1 ? t : t * gain);
}

// A learnable layer's own constants per neuron (as the step uses them: sigmoids, clamp), in
// float64 so that --init_from gets the logits back to within a float step. w_in = tau_syn / dt
// keeps the input gain r w_in dt / tau_syn at 1.
void per_neuron_constants(const nn::LIFRecurrentLearnable& m, Node& n) {
  const nn::LIFRecurrentLearnable::Constants c = m.constants();
  std::vector<double> w_in;
  for (double tau : c.tau_syn) w_in.push_back(tau / double(m.p.dt));
  n.fields["tau_syn"] = Array::vector(c.tau_syn, Kind::f64);
  n.fields["tau_mem"] = Array::vector(c.tau_mem, Kind::f64);
  n.fields["w_in"] = Array::vector(w_in, Kind::f64);
  n.fields["v_threshold"] = Array::vector(c.v_th, Kind::f64);
}

}  // namespace

void Builder::unsupported(const std::string& name, const std::string& type,
                          const std::string& why) {
  throw std::invalid_argument("layer '" + name + "' (" + type + ") has no NIR equivalent: " + why);
}

std::string Builder::input(const Dims& shape) {
  graph.add(
      "input",
      Node{"Input",
           {{"shape", Array{{int64_t(shape.size())}, {shape.begin(), shape.end()}, Kind::i64}}}});
  return "input";
}

void Builder::output(const std::string& from, const Dims& shape) {
  graph.add(
      "output",
      Node{"Output",
           {{"shape", Array{{int64_t(shape.size())}, {shape.begin(), shape.end()}, Kind::i64}}}});
  graph.connect(from, "output");
}

std::string Builder::spiking_linear(const std::string& name, const nn::SpikingLinear& m,
                                    const std::string& from) {
  const nn::Linear& l = *m.synapse;
  Node syn{l.bias.defined() ? "Affine" : "Linear", {{"weight", scaled(l.weight, m.gain)}}};
  if (l.bias.defined()) syn.fields["bias"] = scaled(l.bias, m.gain);
  graph.add(name + ".synapse", syn);
  graph.connect(from, name + ".synapse");
  try {
    graph.add(name, neuron_node(m.neuron, dt_, {l.out_features()}));
  } catch (const std::invalid_argument& e) {
    unsupported(name, "SpikingLinear", e.what());
  }
  graph.connect(name + ".synapse", name);
  return name;
}

std::string Builder::spiking_conv(const std::string& name, const nn::SpikingConv2d& m,
                                  const std::string& from, const Dims& in, Dims& out) {
  const nn::Conv2d& c = *m.synapse;
  const Conv2dOptions& o = c.options();
  const int64_t k = c.weight.size(2);
  out = {c.weight.size(0), (in.at(1) + 2 * o.padding - k) / o.stride + 1,
         (in.at(2) + 2 * o.padding - k) / o.stride + 1};
  Node conv{"Conv2d",
            {{"weight", scaled(c.weight, m.gain)},
             {"stride", ints({double(o.stride), double(o.stride)})},
             {"padding", ints({double(o.padding), double(o.padding)})},
             {"dilation", ints({1, 1})},
             {"groups", Array::scalar(1, Kind::i64)},
             {"input_shape", ints({double(in[1]), double(in[2])})}}};
  conv.fields["bias"] =
      c.bias.defined() ? scaled(c.bias, m.gain) : Array::full({c.weight.size(0)}, 0, Kind::f32);
  graph.add(name + ".synapse", conv);
  graph.connect(from, name + ".synapse");
  try {
    graph.add(name, neuron_node(m.neuron, dt_, out));
  } catch (const std::invalid_argument& e) {
    unsupported(name, "SpikingConv2d", e.what());
  }
  graph.connect(name + ".synapse", name);
  return name;
}

std::string Builder::lif_recurrent(const std::string& name, const nn::LIFRecurrent& m,
                                   const std::string& from) {
  if (m.p.reset == Reset::subtract) unsupported(name, "LIFRecurrent", "reset by subtraction");
  Tensor rec = m.recurrent_weights.detach().cpu().clone();  // the mask is written on the host
  if (!m.autapses())
    for (int64_t k = 0; k < rec.size(0); ++k) rec.at({k, k}) = 0;  // the mask Soma applies
  graph.add(name + ".input", Node{"Linear", {{"weight", Array::of(m.input_weights)}}});
  graph.add(name + ".recurrent", Node{"Linear", {{"weight", Array::of(rec)}}});
  const LIFParameters& p = m.p;
  Node n = neuron_node(lif_scan_config(p, false, true), p.dt, {m.hidden_size()});
  // From the inverse constants themselves, so that --init_from gets them back to the bit.
  const Dims shape{m.hidden_size()};
  n.fields["tau_syn"] = Array::full(shape, 1.0 / double(p.tau_syn_inv));
  n.fields["tau_mem"] = Array::full(shape, 1.0 / double(p.tau_mem_inv));
  n.fields["w_in"] = Array::full(shape, 1.0 / (double(p.dt) * double(p.tau_syn_inv)));
  if (auto* learned = dynamic_cast<const nn::LIFRecurrentLearnable*>(&m))
    per_neuron_constants(*learned, n);
  graph.add(name, n);
  graph.connect(from, name + ".input");
  graph.connect(name + ".input", name);
  graph.connect(name, name + ".recurrent");
  graph.connect(name + ".recurrent", name);
  return name;
}

std::string Builder::max_pool_spikes(const std::string& name, const std::string& from, Dims& shape,
                                     int k) {
  const double kk = double(k);
  graph.add(name, Node{"SumPool2d",
                       {{"kernel_size", ints({kk, kk})},
                        {"stride", ints({kk, kk})},
                        {"padding", ints({0, 0})}}});
  shape = {shape.at(0), shape.at(1) / k, shape.at(2) / k};
  graph.add(name + ".any", Node{"Threshold", {{"threshold", Array::full(shape, 0.5, Kind::f32)}}});
  graph.connect(from, name);
  graph.connect(name, name + ".any");
  return name + ".any";
}

std::string Builder::flatten(const std::string& name, const std::string& from, const Dims& shape) {
  graph.add(name,
            Node{"Flatten",
                 {{"start_dim", Array::scalar(0, Kind::i64)},
                  {"end_dim", Array::scalar(-1, Kind::i64)},
                  {"input_type",
                   Array{{int64_t(shape.size())}, {shape.begin(), shape.end()}, Kind::i64}}}});
  graph.connect(from, name);
  return name;
}

}  // namespace soma::nir
