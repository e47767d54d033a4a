#pragma once
// The CUDA paths of broadcasting binary ops (elementwise.cpp: add, sub, mul, div where the
// shapes differ), of sum_to (their gradients' reduction over the broadcast dimensions), of
// slice's backward and of the unary ops for callers outside elementwise.cpp (spike_fn), on
// cuda tensors only. Built with SOMA_CUDA alone: the ops call them under
// #ifdef SOMA_CUDA, so a build without CUDA (WebAssembly) carries none of this.
#include "core/backend/cuda_ops.hpp"
#include "core/tensor/tensor.hpp"

namespace soma::cuda_ops {

// a op b over broadcast_shapes(a, b), no autograd (elementwise.cpp records the node).
Tensor binary_broadcast(cuda::BinaryOp op, const Tensor& a, const Tensor& b);
// g summed down to `shape`, which broadcasts to g's shape; no autograd (a backward's helper).
Tensor sum_to(const Tensor& g, const Shape& shape);
// The gradient of slice's contiguous case: zeros of `from` with g's block at element `offset`.
Tensor slice_backward(const Tensor& g, const Shape& from, int64_t offset);
// y = f(x) by unary.cu's kernels, with its backward recorded as `name` (elementwise.cpp).
Tensor unary(const char* name, cuda::UnaryOp op, cuda::UnaryArgs args, const Tensor& x);

}  // namespace soma::cuda_ops
