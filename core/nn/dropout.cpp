#include "core/nn/dropout.hpp"

#include <stdexcept>

#include "core/ops/norm.hpp"

namespace soma::nn {

Dropout::Dropout(float p, Rng& rng) : p_(p), rng_(rng.split()) {
  if (!(p >= 0.0f && p <= 1.0f))
    throw std::invalid_argument("Dropout: p must be in [0, 1], got " + std::to_string(p));
}

Tensor Dropout::forward(const Tensor& x) {
  return dropout(x, p_, is_training(), rng_);
}

}  // namespace soma::nn
