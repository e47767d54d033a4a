#pragma once
// Flattens dims start..end into one, as torch.nn.Flatten (default keeps the batch dim): the
// bridge from (N, C, H, W) feature maps to a Linear layer.
#include "core/nn/module.hpp"

namespace soma::nn {

class Flatten : public Module {
 public:
  explicit Flatten(int start_dim = 1, int end_dim = -1) : start_(start_dim), end_(end_dim) {}
  Tensor forward(const Tensor& x) override;

 private:
  int start_, end_;
};

}  // namespace soma::nn
