#pragma once
// The convolution of conv_ops.hpp over chunks of images, written once over the kernels it
// calls: the CUDA ops (core/ops/cuda_conv_pool.cpp) run it with the device kernels and cuBLAS,
// the host tests (tests/core/test_cuda_conv_bodies.cpp) with the kernel bodies in loops and the
// CPU GEMM, so the chunking, the GEMM shapes and the accumulation are checked without a GPU.
// Ops provides im2col, col2im, to_images, to_wide (conv_ops.hpp's four kernels) and gemm
// (gemm.hpp's row-major signature).
//
// A chunk's col and wide buffers hold max(K, Cout) n L floats; conv_chunk sizes n so that they
// stay within a budget (the whole batch when it fits), one chunk at least. The weight and bias
// gradients accumulate over the chunks through the GEMMs' beta (0 for the first chunk: the
// buffers need no zeroing); the input gradient is written chunk by chunk.
#include <algorithm>
#include <cstdint>

#include "core/backend/cuda/conv_ops.hpp"

namespace soma::cuda {

// Images per chunk for buffers of at most max_floats floats each.
inline int64_t conv_chunk(const ConvShape& s, int64_t max_floats) {
  const int64_t per_image = std::max<int64_t>(std::max(s.k(), s.cout) * s.l(), 1);
  return std::clamp<int64_t>(max_floats / per_image, 1, std::max<int64_t>(s.n, 1));
}

// One chunk's scratch: col (K, n L), wide (Cout, n L), ones (n L; the bias gradient only).
struct ConvScratch {
  float* col;
  float* wide;
  const float* ones;
};

// The chunk of `chunk` images starting at image i.
inline ConvShape chunk_at(const ConvShape& all, int64_t i, int64_t chunk) {
  ConvShape s = all;
  s.n = std::min(chunk, all.n - i);
  return s;
}

// out (n, Cout, oH, oW) = conv(x, w) + b (b may be null).
template <class Ops>
void conv_forward_chunks(const Ops& ops, const ConvShape& all, int64_t chunk, const float* x,
                         const float* w, const float* b, float* out, const ConvScratch& t) {
  for (int64_t i = 0; i < all.n; i += chunk) {
    const ConvShape s = chunk_at(all, i, chunk);
    ops.im2col(s, x + i * s.in_size(), t.col);
    ops.gemm(false, false, s.cout, s.nl(), s.k(), 1.0f, w, t.col, 0.0f, t.wide);
    ops.to_images(s, t.wide, b, out + i * s.out_size());
  }
}

// gx = dL/dx, gw = dL/dw, gb = dL/db for the output gradient gout, each written (not added)
// and each may be null; x is read for gw only, w for gx only.
template <class Ops>
void conv_backward_chunks(const Ops& ops, const ConvShape& all, int64_t chunk, const float* x,
                          const float* w, const float* gout, float* gx, float* gw, float* gb,
                          const ConvScratch& t) {
  for (int64_t i = 0; i < all.n; i += chunk) {
    const ConvShape s = chunk_at(all, i, chunk);
    const float beta = i == 0 ? 0.0f : 1.0f;
    ops.to_wide(s, gout + i * s.out_size(), t.wide);
    if (gw) {
      ops.im2col(s, x + i * s.in_size(), t.col);
      ops.gemm(false, true, s.cout, s.k(), s.nl(), 1.0f, t.wide, t.col, beta, gw);
    }
    if (gb) ops.gemm(false, false, s.cout, 1, s.nl(), 1.0f, t.wide, t.ones, beta, gb);
    if (gx) {  // col is free again: it takes the column gradient
      ops.gemm(true, false, s.k(), s.nl(), s.cout, 1.0f, w, t.wide, 0.0f, t.col);
      ops.col2im(s, t.col, gx + i * s.in_size());
    }
  }
}

}  // namespace soma::cuda
