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
// The im2col column matrices of x (N, C, H, W) for a kh x kw kernel: (N, C kh kw, oH oW), rows
// ordered (c, ki, kj) as a (Cout, C, kh, kw) weight flattens, so conv2d(x, w) is w @ unfold2d(x).
// Not recorded on the tape (plasticity rules read it; they run under NoGrad).
// The weight gradient of conv2d for an output gradient gout (N, Cout, oH, oW), without recording
// (delayed-credit rules in core/credit/ form their own output error before this step).
Tensor conv2d_weight_grad(const Tensor& x, const Tensor& gout, const Shape& weight_shape,
                          Conv2dOptions opt = {});
Tensor unfold2d(const Tensor& x, int kh, int kw, Conv2dOptions opt = {});
// stride defaults to the kernel size, as torch.
Tensor max_pool2d(const Tensor& x, int kernel, int stride = 0, int padding = 0);
Tensor avg_pool2d(const Tensor& x, int kernel, int stride = 0, int padding = 0);

}  // namespace soma
