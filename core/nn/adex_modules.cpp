#include "core/nn/adex_modules.hpp"

#include "core/nn/neuron_sequence.hpp"

namespace soma::nn {

Tensor LIFEx::forward(const Tensor& x) {
  auto r = lif_ex_sequence(x, lif_ex_initial_state(step_shape(x), p), p, record_states);
  return keep_sequence(r, state, record_states, recorded_);
}

Tensor LIFAdEx::forward(const Tensor& x) {
  auto r = lif_adex_sequence(x, lif_adex_initial_state(step_shape(x), p), p, record_states);
  return keep_sequence(r, state, record_states, recorded_);
}

Tensor LIFAdExRefrac::forward(const Tensor& x) {
  auto s0 = lif_adex_refrac_initial_state(step_shape(x), p);
  auto r = lif_adex_refrac_sequence(x, s0, p, record_states);
  return keep_sequence(r, state, record_states, recorded_);
}

}  // namespace soma::nn
