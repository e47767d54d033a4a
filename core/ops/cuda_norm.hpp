#pragma once
// The CUDA path of batch_norm (norm.cpp), on cuda tensors only. Built with SOMA_CUDA alone: the
// op calls it under #ifdef SOMA_CUDA, so a build without CUDA (WebAssembly) carries none of this
// and its batch_norm keeps refusing cuda tensors.
#include "core/tensor/tensor.hpp"

namespace soma::cuda_ops {

// batch_norm on arguments norm.cpp has checked (shapes, running statistics present for
// evaluation, more than one value per channel in training); running_mean / running_var are
// updated in place in training, weight / bias may be undefined.
Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight, const Tensor& bias, bool training, float momentum,
                  float eps);

}  // namespace soma::cuda_ops
