#include "core/nn/lif_refrac_module.hpp"

#include "core/nn/neuron_sequence.hpp"

namespace soma::nn {

Tensor LIFRefrac::forward(const Tensor& x) {
  auto r = lif_refrac_sequence(x, lif_refrac_initial_state(step_shape(x), p), p, record_states);
  return keep_sequence(r, state, record_states, recorded_);
}

}  // namespace soma::nn
