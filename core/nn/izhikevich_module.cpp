#include "core/nn/izhikevich_module.hpp"

#include "core/nn/neuron_sequence.hpp"

namespace soma::nn {

Tensor Izhikevich::forward(const Tensor& x) {
  auto r =
      izhikevich_sequence(x, izhikevich_initial_state(step_shape(x), v0, u0), p, record_states);
  return keep_sequence(r, state, record_states, recorded_);
}

}  // namespace soma::nn
