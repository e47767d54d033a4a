#include "core/nn/activation.hpp"

#include "core/ops/elementwise.hpp"

namespace soma::nn {

Tensor ReLU::forward(const Tensor& x) {
  return relu(x);
}

Tensor Tanh::forward(const Tensor& x) {
  return tanh(x);
}

Tensor Sigmoid::forward(const Tensor& x) {
  return sigmoid(x);
}

}  // namespace soma::nn
