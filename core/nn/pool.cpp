#include "core/nn/pool.hpp"

#include <stdexcept>

#include "core/ops/conv.hpp"

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

}  // namespace soma::nn
