#include "core/nn/linear.hpp"

#include <cmath>
#include <stdexcept>

#include "core/nn/init.hpp"
#include "core/ops/linalg.hpp"

namespace soma::nn {

Linear::Linear(int64_t in_features, int64_t out_features, bool bias, Rng& rng) {
  if (in_features <= 0 || out_features <= 0)
    throw std::invalid_argument("Linear: sizes must be positive, got " +
                                std::to_string(in_features) + " -> " +
                                std::to_string(out_features));
  weight = register_parameter("weight", Tensor::zeros({out_features, in_features}));
  if (bias) this->bias = register_parameter("bias", Tensor::zeros({out_features}));
  reset_parameters(rng);
}

void Linear::reset_parameters(Rng& rng) {
  init::kaiming_uniform_(weight, rng, std::sqrt(5.0f));
  if (bias.defined()) {
    float bound = 1.0f / std::sqrt(float(in_features()));
    init::uniform_(bias, -bound, bound, rng);
  }
}

Tensor Linear::forward(const Tensor& x) {
  return linear(x, weight, bias);
}

}  // namespace soma::nn
