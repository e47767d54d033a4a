#pragma once
// The CUDA paths of the reductions (reduce.cpp) and of log_softmax / nll_loss (loss.cpp), on
// cuda tensors only. Built with SOMA_CUDA alone: the ops call them under #ifdef SOMA_CUDA, so a
// build without CUDA (WebAssembly) carries none of this and its ops keep refusing cuda tensors.
#include "core/ops/loss.hpp"
#include "core/tensor/tensor.hpp"

namespace soma::cuda_ops {

Tensor sum(const Tensor& x);
Tensor sum(const Tensor& x, int dim, bool keepdim);
Tensor max(const Tensor& x, int dim, bool keepdim);
// The first maximum's index along dim, as a float (exact below 2^24); no gradient.
Tensor argmax(const Tensor& x, int dim, bool keepdim);
Tensor log_softmax(const Tensor& x, int dim);
// exp(log_softmax(x)): two kernels, and the gradient through both.
Tensor softmax(const Tensor& x, int dim);
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, Reduction r);
Tensor nll_loss(const Tensor& log_probs, const Tensor& target, Reduction r);
// (input - target)^2 reduced by r, from device ops (sub, mul, sum or mean) and their gradients.
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction r);

}  // namespace soma::cuda_ops
