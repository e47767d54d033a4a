#pragma once
// Pooling over (N, C, H, W) with a square window; stride 0 means the kernel size, as torch.
#include "core/nn/module.hpp"

namespace soma::nn {

class MaxPool2d : public Module {
 public:
  explicit MaxPool2d(int kernel, int stride = 0, int padding = 0);
  Tensor forward(const Tensor& x) override;

 private:
  int kernel_, stride_, padding_;
};

class AvgPool2d : public Module {
 public:
  explicit AvgPool2d(int kernel, int stride = 0, int padding = 0);
  Tensor forward(const Tensor& x) override;

 private:
  int kernel_, stride_, padding_;
};

// Max-pooling of a time-first sequence (T, B, C, H, W): the T * B images are pooled at once.
Tensor max_pool_sequence(const Tensor& x, int kernel);

}  // namespace soma::nn
