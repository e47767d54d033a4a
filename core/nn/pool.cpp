#include "core/nn/pool.hpp"

#include <stdexcept>

#include "core/ops/conv.hpp"
#include "core/ops/shape_ops.hpp"

namespace soma::nn {

namespace {

void check_window(const char* who, int kernel, int stride, int padding) {
  if (kernel <= 0 || stride < 0 || padding < 0)
    throw std::invalid_argument(std::string(who) + ": kernel must be positive, stride and " +
                                "padding non-negative");
}

}  // namespace

MaxPool2d::MaxPool2d(int kernel, int stride, int padding)
    : kernel_(kernel), stride_(stride), padding_(padding) {
  check_window("MaxPool2d", kernel, stride, padding);
}

Tensor MaxPool2d::forward(const Tensor& x) {
  return max_pool2d(x, kernel_, stride_, padding_);
}

AvgPool2d::AvgPool2d(int kernel, int stride, int padding)
    : kernel_(kernel), stride_(stride), padding_(padding) {
  check_window("AvgPool2d", kernel, stride, padding);
}

Tensor AvgPool2d::forward(const Tensor& x) {
  return avg_pool2d(x, kernel_, stride_, padding_);
}

Tensor max_pool_sequence(const Tensor& x, int kernel) {
  if (x.dim() != 5) throw std::invalid_argument("max_pool_sequence: input is not (T, B, C, H, W)");
  const int64_t T = x.size(0), B = x.size(1);
  Tensor y = max_pool2d(reshape(x, {T * B, x.size(2), x.size(3), x.size(4)}), kernel);
  return reshape(y, {T, B, y.size(1), y.size(2), y.size(3)});
}

}  // namespace soma::nn
