#pragma once
// The CUDA paths of conv2d, conv2d_weight_grad and unfold2d (conv.cpp), max_pool2d and avg_pool2d
// (pool.cpp), on cuda tensors only. Built with SOMA_CUDA alone: the ops call them under #ifdef
// SOMA_CUDA, so a build without CUDA (WebAssembly) carries none of this and its ops keep refusing
// cuda tensors.
#include "core/ops/conv_kernels.hpp"

namespace soma::cuda_ops {

// conv2d on the geometry conv_geom checked: im2col + cuBLAS in chunks
// (core/backend/cuda/conv_ops.hpp).
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, const ConvGeom& g);
// conv2d's weight gradient alone (conv2d_weight_grad, conv.cpp): the chunked backward without
// the input gradient, summed into gw (zeros, the weight's shape, on the device); returns gw.
Tensor conv2d_weight_grad(const Tensor& x, const Tensor& gout, const ConvGeom& g, Tensor gw);
// unfold2d (conv.cpp): x's im2col columns (N, K, L), one im2col launch per image.
Tensor unfold2d(const Tensor& x, const ConvGeom& g);
// max_pool2d on x (N, C, H, W) with the window pool_geom checked (stride resolved, never 0)
// into out_shape (N, C, oH, oW).
Tensor max_pool2d(const Tensor& x, int64_t kernel, int64_t stride, int64_t padding,
                  const Shape& out_shape);
// avg_pool2d likewise (padding counts in every window's k^2, as the CPU's).
Tensor avg_pool2d(const Tensor& x, int64_t kernel, int64_t stride, int64_t padding,
                  const Shape& out_shape);

}  // namespace soma::cuda_ops
