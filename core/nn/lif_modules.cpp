#include "core/nn/lif_modules.hpp"

#include <cmath>
#include <stdexcept>

#include "core/neuron/current_scan.hpp"
#include "core/neuron/lif_mc.hpp"
#include "core/nn/init.hpp"
#include "core/ops/elementwise.hpp"

namespace soma::nn {

namespace {
Shape step_shape(const Tensor& x) {
  if (x.dim() < 2)
    throw std::invalid_argument("neuron layer: input " + to_string(x.shape()) +
                                " is not (T, B, ...)");
  return Shape(x.shape().begin() + 1, x.shape().end());
}
}  // namespace

Tensor synaptic_current_trace(const Tensor& x, const Tensor& i0, float keep_i) {
  // A non-spiking current scan with am = 1 and v_leak = 0 has v_t = v + (0 - v + j_t) = j_t =
  // i_{t-1} + x_t, so its voltage trace times keep_i is the current: one fused node, with
  // gradients to x and i0.
  CurrentScanConfig c{1.0f, keep_i, 0, 0, 0, Reset::value, Surrogate{}, false};
  return current_scan(x, Tensor::zeros(i0.shape()), i0, c, true).trace * keep_i;
}

Tensor LIF::forward(const Tensor& x) {
  LIFState s0 = lif_initial_state(step_shape(x), p);
  LIFSequence r = lif_sequence(x, s0, p, record_states);
  state = r.state;
  recorded_.clear();
  if (record_states)
    recorded_ = {{"v", r.v}, {"i", synaptic_current_trace(x, s0.i, 1.0f - p.dt * p.tau_syn_inv)}};
  return r.z;
}

Tensor LIFBox::forward(const Tensor& x) {
  LIFBoxSequence r = lif_box_sequence(x, Tensor::full(step_shape(x), p.v_leak), p, record_states);
  state = r.v;
  recorded_.clear();
  if (record_states) recorded_ = {{"v", r.trace}};
  return r.z;
}

Tensor LI::forward(const Tensor& x) {
  LIFState s0{Tensor::full(step_shape(x), p.v_leak), Tensor::zeros(step_shape(x))};
  LISequence r = li_sequence(x, s0, p);
  state = r.state;
  recorded_.clear();
  if (record_states) {
    recorded_ = {{"v", r.v}};
    if (!p.box)
      recorded_.push_back({"i", synaptic_current_trace(x, s0.i, 1.0f - p.dt * p.tau_syn_inv)});
  }
  return r.v;
}

Tensor LIFRecurrent::forward(const Tensor& x) {
  Tensor x_in = project(x);
  LIFRecurrentSequence r = lif_recurrent_sequence(
      x_in, recurrent(), lif_recurrent_initial_state(step_shape(x_in), p), p, record_states);
  state = r.state;
  recorded_.clear();
  if (record_states) recorded_ = {{"v", r.v}, {"i", r.i}};
  return r.z;
}

LIFMC::LIFMC(int64_t hidden_size, Rng& rng, LIFParameters p) : p(p) {
  if (hidden_size <= 0) throw std::invalid_argument("LIFMC: hidden size must be positive");
  g = register_parameter("g", Tensor::zeros({hidden_size, hidden_size}));
  init::normal_(g, 0, 1.0f / std::sqrt(float(hidden_size)), rng);
}

Tensor LIFMC::forward(const Tensor& x) {
  LIFState s0 = lif_initial_state(step_shape(x), p);
  LIFSequence r = lif_mc_sequence(x, s0, g, p, record_states);
  state = r.state;
  recorded_.clear();
  if (record_states)
    recorded_ = {{"v", r.v}, {"i", synaptic_current_trace(x, s0.i, 1.0f - p.dt * p.tau_syn_inv)}};
  return r.z;
}

}  // namespace soma::nn
