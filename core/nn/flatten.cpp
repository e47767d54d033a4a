#include "core/nn/flatten.hpp"

#include "core/ops/shape_ops.hpp"

namespace soma::nn {

Tensor Flatten::forward(const Tensor& x) {
  return flatten(x, start_, end_);
}

}  // namespace soma::nn
