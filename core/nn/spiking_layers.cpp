#include "core/nn/spiking_layers.hpp"

#include <stdexcept>

#include "core/neuron/ff_layer.hpp"
#include "core/neuron/li.hpp"
#include "core/ops/elementwise.hpp"

namespace soma::nn {
namespace {

LIFState initial_state(const Shape& shape, const CurrentScanConfig& c) {
  return {Tensor::full(shape, c.v_leak), Tensor::zeros(shape)};
}

Tensor scaled(const Tensor& t, float gain) {
  return gain == 1 || !t.defined() ? t : t * gain;
}

// The sequence's output: spikes, or the voltage of a non-spiking neuron.
Tensor output_of(const CurrentScanResult& r, bool spiking, bool record, NamedTensors& recorded) {
  recorded.clear();
  if (record) recorded.push_back({"v", r.trace});
  return spiking ? r.z : r.trace;
}

}  // namespace

SpikingLinear::SpikingLinear(int64_t in, int64_t out, const CurrentScanConfig& neuron, bool bias,
                             Rng& rng)
    : neuron(neuron) {
  synapse = register_module("synapse", std::make_shared<Linear>(in, out, bias, rng));
}

Tensor SpikingLinear::forward(const Tensor& x) {
  if (x.dim() < 2) throw std::invalid_argument("SpikingLinear: input is not (T, B, ..., in)");
  Shape step(x.shape().begin() + 1, x.shape().end());
  step.back() = synapse->out_features();
  CurrentScanResult r =
      linear_neuron_sequence(x, scaled(synapse->weight, gain), scaled(synapse->bias, gain),
                             initial_state(step, neuron), neuron, record_states);
  state = {r.v, r.i};
  return output_of(r, neuron.spiking, record_states, recorded_);
}

std::shared_ptr<SpikingLinear> li_linear(int64_t in, int64_t out, Rng& rng) {
  return std::make_shared<SpikingLinear>(in, out, li_scan_config(LIParameters{}), false, rng);
}

SpikingConv2d::SpikingConv2d(int64_t in_channels, int64_t out_channels, int kernel,
                             const CurrentScanConfig& neuron, Rng& rng, int stride, int padding)
    : neuron(neuron) {
  synapse = register_module("synapse", std::make_shared<Conv2d>(in_channels, out_channels, kernel,
                                                                stride, padding, true, rng));
}

Tensor SpikingConv2d::forward(const Tensor& x) {
  if (x.dim() != 5) throw std::invalid_argument("SpikingConv2d: input is not (T, B, C, H, W)");
  const Conv2dOptions& o = synapse->options();
  const int64_t k = synapse->weight.size(2);
  Shape step{x.size(1), synapse->weight.size(0), (x.size(3) + 2 * o.padding - k) / o.stride + 1,
             (x.size(4) + 2 * o.padding - k) / o.stride + 1};
  CurrentScanResult r =
      conv_neuron_sequence(x, scaled(synapse->weight, gain), scaled(synapse->bias, gain),
                           initial_state(step, neuron), neuron, o, record_states);
  state = {r.v, r.i};
  return output_of(r, neuron.spiking, record_states, recorded_);
}

}  // namespace soma::nn
