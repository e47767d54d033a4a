#pragma once
// Max pooling (pool.cu), one thread per output forward and one per input pixel backward, the
// same choices as pool.cpp: window (oi, oj) covers rows [oi stride - pad, + k) and columns
// likewise, clipped to the image (padding never wins); the winner is the first maximum in
// row-major order, or the last NaN when the window holds one (torch's rule). The backward
// gathers: pixel (r, c) sums, from zero and in output order, the gradients of the windows it
// won, so no two threads write one pixel (no atomics when windows overlap) and the sum is
// pool.cpp's, which adds them in the same order.
#include "core/backend/cuda/conv_ops.hpp"
#include "core/backend/cuda/host_device.hpp"

namespace soma::cuda {

// Element e of out (planes, oH, oW).
SOMA_HD inline void max_pool_at(const PoolShape& p, const float* x, float* out, float* arg,
                                int64_t e) {
  const int64_t q = e % (p.oh * p.ow), plane = e / (p.oh * p.ow);
  int64_t h0 = (q / p.ow) * p.stride - p.pad, w0 = (q % p.ow) * p.stride - p.pad;
  const int64_t h1 = h0 + p.k < p.h ? h0 + p.k : p.h, w1 = w0 + p.k < p.w ? w0 + p.k : p.w;
  h0 = h0 > 0 ? h0 : 0;
  w0 = w0 > 0 ? w0 : 0;
  const float* in = x + plane * p.h * p.w;
  int64_t best = h0 * p.w + w0, nan_at = -1;
  for (int64_t r = h0; r < h1; ++r)
    for (int64_t c = w0; c < w1; ++c) {
      const float v = in[r * p.w + c];
      if (v > in[best]) best = r * p.w + c;
      if (isnan(v)) nan_at = r * p.w + c;
    }
  if (nan_at >= 0) best = nan_at;
  out[e] = in[best];
  arg[e] = float(best);
}

// The first window index along one axis whose window [o stride - pad, + k) reaches index i.
SOMA_HD inline int64_t first_window(int64_t i, int64_t k, int64_t stride, int64_t pad) {
  const int64_t a = i + pad - k + 1;  // o stride >= a
  return a <= 0 ? 0 : (a + stride - 1) / stride;
}

// Element e of gx (planes, H, W).
SOMA_HD inline void max_pool_backward_at(const PoolShape& p, const float* g, const float* arg,
                                         float* gx, int64_t e) {
  const int64_t pix = e % (p.h * p.w), plane = e / (p.h * p.w);
  const int64_t r = pix / p.w, c = pix % p.w;
  const int64_t last_i = (r + p.pad) / p.stride, last_j = (c + p.pad) / p.stride;
  const int64_t i1 = last_i < p.oh - 1 ? last_i : p.oh - 1;
  const int64_t j1 = last_j < p.ow - 1 ? last_j : p.ow - 1;
  float acc = 0.0f;
  for (int64_t i = first_window(r, p.k, p.stride, p.pad); i <= i1; ++i)
    for (int64_t j = first_window(c, p.k, p.stride, p.pad); j <= j1; ++j) {
      const int64_t q = (plane * p.oh + i) * p.ow + j;
      if (int64_t(arg[q]) == pix) acc += g[q];
    }
  gx[e] = acc;
}

}  // namespace soma::cuda
