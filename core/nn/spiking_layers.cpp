#include "core/nn/spiking_layers.hpp"

#include <algorithm>
#include <stdexcept>

#include "core/neuron/constant_current_pool.hpp"
#include "core/neuron/ff_layer.hpp"
#include "core/neuron/li.hpp"
#include "core/nn/pool.hpp"
#include "core/ops/conv.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/shape_ops.hpp"

namespace soma::nn {
namespace {

// On the input's device: a layer on cuda starts from a cuda state.
LIFState initial_state(const Shape& shape, const CurrentScanConfig& c, Device d) {
  return {Tensor::full(shape, c.v_leak, d), Tensor::zeros(shape, d)};
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

// True when x (T, ...) is data (no gradient) with the same values at every step: promised by
// its writer (Tensor::repeats, constant_current_encode) or, on the CPU, found by comparing the
// steps. On the GPU only the promise counts (comparing would wait for the device); without it
// a constant input is convolved at every step, the same result at T times the work.
bool constant_over_time(const Tensor& x) {
  if (x.requires_grad() || x.size(0) < 2) return false;
  const int64_t n = x.numel() / x.size(0);
  if (x.repeats(n)) return true;
  if (x.device() != Device::cpu) return false;
  for (int64_t t = 1; t < x.size(0); ++t)
    if (!std::equal(x.data(), x.data() + n, x.data() + t * n)) return false;
  return true;
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
                             initial_state(step, neuron, x.device()), neuron, record_states);
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
  const Tensor w = scaled(synapse->weight, gain), b = scaled(synapse->bias, gain);
  const LIFState s0 = initial_state(step, neuron, x.device());
  CurrentScanResult r;
  if (constant_over_time(x)) {
    // An image fed as a current at every step (mnist --encoder current) is convolved once and
    // its currents repeated: T times less convolution work, forward and backward.
    Tensor c = conv2d(select(x, 0), w, b, o);
    r = current_scan(stack(Tensors(size_t(x.size(0)), c)), s0.v, s0.i, neuron, record_states);
  } else {
    r = conv_neuron_sequence(x, w, b, s0, neuron, o, record_states);
  }
  state = {r.v, r.i};
  return output_of(r, neuron.spiking, record_states, recorded_);
}

Tensor SpikingConv2d::forward_pooled(const Tensor& x, int kernel, Tensor* spikes) {
  // The fused pooled scan takes a constant input (on the GPU: one that its writer promised
  // constant, constant_over_time); any other goes through forward() and the pooling.
  if (kernel != 2 || !neuron.spiking || record_states || x.dim() != 5 || !constant_over_time(x)) {
    Tensor z = forward(x);
    if (spikes) *spikes = z.detach();
    return max_pool_sequence(z, kernel);
  }
  const Tensor w = scaled(synapse->weight, gain), b = scaled(synapse->bias, gain);
  Tensor c = conv2d(select(x, 0), w, b, synapse->options());
  const LIFState s0 = initial_state(c.shape(), neuron, c.device());
  PooledScanResult r =
      constant_current_pool_scan(c, x.size(0), s0.v, s0.i, neuron, spikes != nullptr);
  state = {r.v, r.i};
  recorded_.clear();
  if (spikes) *spikes = r.z;
  return r.pooled;
}

}  // namespace soma::nn
