#pragma once
#include "core/tensor/tensor.hpp"

namespace soma {

// (..., n, k) @ (k, m) or batched (..., n, k) @ (..., k, m) with equal leading dims.
Tensor matmul(const Tensor& a, const Tensor& b);
// x (..., in) W (out, in)^T + b (out): one GEMM over all leading rows. b may be undefined.
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor());

}  // namespace soma
