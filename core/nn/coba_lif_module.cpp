#include "core/nn/coba_lif_module.hpp"

#include <cmath>
#include <stdexcept>

#include "core/nn/init.hpp"
#include "core/nn/neuron_sequence.hpp"
#include "core/ops/elementwise.hpp"

namespace soma::nn {

Tensor CobaLIF::forward(const Tensor& x) {
  auto r = coba_lif_sequence(x, coba_lif_initial_state(step_shape(x), p), p, record_states);
  return keep_sequence(r, state, record_states, recorded_);
}

CobaLIFRecurrent::CobaLIFRecurrent(int64_t input_size, int64_t hidden_size, Rng& rng,
                                   CobaLIFParameters p, bool autapses)
    : p(p) {
  if (input_size <= 0 || hidden_size <= 0)
    throw std::invalid_argument("CobaLIFRecurrent: sizes must be positive");
  input_weights =
      register_parameter("input_weights", init::normal_(Tensor::zeros({hidden_size, input_size}), 0,
                                                        1.0f / std::sqrt(float(input_size)), rng));
  recurrent_weights = register_parameter("recurrent_weights",
                                         init::normal_(Tensor::zeros({hidden_size, hidden_size}), 0,
                                                       1.0f / std::sqrt(float(hidden_size)), rng));
  if (autapses) return;
  off_diagonal_ = Tensor::ones({hidden_size, hidden_size});
  for (int64_t k = 0; k < hidden_size; ++k) {
    off_diagonal_.at({k, k}) = 0;
    recurrent_weights.at({k, k}) = 0;
  }
}

Tensor CobaLIFRecurrent::forward(const Tensor& x) {
  if (x.dim() != 3 || x.size(2) != input_weights.size(1))
    throw std::invalid_argument("CobaLIFRecurrent: input must be (T, B, " +
                                std::to_string(input_weights.size(1)) + "), got " +
                                to_string(x.shape()));
  Tensor w_rec = off_diagonal_.defined() ? recurrent_weights * off_diagonal_ : recurrent_weights;
  auto s0 = coba_lif_recurrent_initial_state({x.size(1), input_weights.size(0)}, p);
  auto r = coba_lif_recurrent_sequence(x, s0, input_weights, w_rec, p, record_states);
  return keep_sequence(r, state, record_states, recorded_);
}

}  // namespace soma::nn
