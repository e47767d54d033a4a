#include "core/nn/conv.hpp"

#include <cmath>
#include <stdexcept>

#include "core/nn/init.hpp"

namespace soma::nn {

Conv2d::Conv2d(int64_t in_channels, int64_t out_channels, int kernel, int stride, int padding,
               bool bias, Rng& rng)
    : opt_{stride, padding} {
  if (in_channels <= 0 || out_channels <= 0 || kernel <= 0 || stride <= 0 || padding < 0)
    throw std::invalid_argument(
        "Conv2d: channels, kernel and stride must be positive and "
        "padding non-negative");
  weight = register_parameter("weight", Tensor::zeros({out_channels, in_channels, kernel, kernel}));
  if (bias) this->bias = register_parameter("bias", Tensor::zeros({out_channels}));
  reset_parameters(rng);
}

void Conv2d::reset_parameters(Rng& rng) {
  init::kaiming_uniform_(weight, rng, std::sqrt(5.0f));
  if (bias.defined()) {
    float bound = 1.0f / std::sqrt(float(init::calculate_fans(weight.shape()).first));
    init::uniform_(bias, -bound, bound, rng);
  }
}

Tensor Conv2d::forward(const Tensor& x) {
  return conv2d(x, weight, bias, opt_);
}

}  // namespace soma::nn
