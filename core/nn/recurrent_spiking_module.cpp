#include "core/nn/recurrent_spiking_module.hpp"

#include <cmath>
#include <stdexcept>

#include "core/nn/init.hpp"
#include "core/ops/elementwise.hpp"

namespace soma::nn {

RecurrentInit norse_recurrent_init(int64_t hidden_size) {
  float stddev = std::sqrt(2.0f / float(hidden_size));
  return {stddev, stddev};
}

RecurrentSpikingModule::RecurrentSpikingModule(int64_t input_size, int64_t hidden_size, Rng& rng,
                                               bool autapses, RecurrentInit init) {
  if (input_size <= 0 || hidden_size <= 0)
    throw std::invalid_argument("recurrent neuron layer: sizes must be positive, got " +
                                std::to_string(input_size) + " -> " + std::to_string(hidden_size));
  input_weights = register_parameter("input_weights", Tensor::zeros({hidden_size, input_size}));
  recurrent_weights =
      register_parameter("recurrent_weights", Tensor::zeros({hidden_size, hidden_size}));
  init::normal_(input_weights, 0, init.input_std, rng);
  init::normal_(recurrent_weights, 0, init.recurrent_std, rng);
  if (!autapses) {
    mask_ = Tensor::ones({hidden_size, hidden_size});
    for (int64_t k = 0; k < hidden_size; ++k) {
      mask_.at({k, k}) = 0;
      recurrent_weights.at({k, k}) = 0;
    }
  }
}

void RecurrentSpikingModule::check_input(const Tensor& x) const {
  if (x.dim() != 3 || x.size(2) != input_size())
    throw std::invalid_argument("recurrent neuron layer: input " + to_string(x.shape()) +
                                " is not (T, B, " + std::to_string(input_size()) + ")");
}

Tensor RecurrentSpikingModule::recurrent() const {
  if (!mask_.defined()) return recurrent_weights;
  if (mask_.device() != recurrent_weights.device()) mask_ = mask_.to(recurrent_weights.device());
  return recurrent_weights * mask_;
}

}  // namespace soma::nn
