#pragma once
// 2-D convolution and pooling on (N, C, H, W); conv is im2col + one GEMM per image batch.
#include "core/tensor/tensor.hpp"

namespace soma {

struct Conv2dOptions {
  int stride = 1;
  int padding = 0;
};

// weight (Cout, Cin, kH, kW), bias (Cout) or undefined.
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(),
              Conv2dOptions opt = {});
// stride defaults to the kernel size, as torch.
Tensor max_pool2d(const Tensor& x, int kernel, int stride = 0, int padding = 0);
Tensor avg_pool2d(const Tensor& x, int kernel, int stride = 0, int padding = 0);

}  // namespace soma
