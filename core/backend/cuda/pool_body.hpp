#pragma once
// Max and average pooling (pool.cu), one thread per output forward and one per input pixel
// backward, the same choices as pool.cpp: window (oi, oj) covers rows [oi stride - pad, + k)
// and columns likewise, clipped to the image. Both backwards gather: pixel (r, c) sums, from
// zero and in output order, what the windows covering it send back, so no two threads write one
// pixel (no atomics when windows overlap) and each sum is pool.cpp's, which scatters in the same
// order.
//
// Max: padding never wins; the winner is the first maximum in row-major order, or the last NaN
// when the window holds one (torch's rule); a pixel gets the gradients of the windows it won.
// Average (count_include_pad, torch's default): out = (sum of the window's real pixels,
// row-major, in float) / k^2, and every covered pixel gets g / k^2.
#include "core/backend/cuda/conv_ops.hpp"
#include "core/backend/cuda/host_device.hpp"

namespace soma::cuda {

// Output q's window in its plane, clipped to the image: rows [h0, h1), columns [w0, w1).
struct Window {
  int64_t h0, h1, w0, w1;
};
SOMA_HD inline Window window_of(const PoolShape& p, int64_t q) {
  const int64_t h0 = (q / p.ow) * p.stride - p.pad, w0 = (q % p.ow) * p.stride - p.pad;
  return {h0 > 0 ? h0 : 0, h0 + p.k < p.h ? h0 + p.k : p.h, w0 > 0 ? w0 : 0,
          w0 + p.k < p.w ? w0 + p.k : p.w};
}

// The first window index along one axis whose window [o stride - pad, + k) reaches index i.
SOMA_HD inline int64_t first_window(int64_t i, int64_t k, int64_t stride, int64_t pad) {
  const int64_t a = i + pad - k + 1;  // o stride >= a
  return a <= 0 ? 0 : (a + stride - 1) / stride;
}

// The windows (i, j) covering pixel (r, c) of a plane: rows [i0, i1], columns [j0, j1].
struct WindowRange {
  int64_t i0, i1, j0, j1;
};
SOMA_HD inline WindowRange windows_over(const PoolShape& p, int64_t r, int64_t c) {
  const int64_t last_i = (r + p.pad) / p.stride, last_j = (c + p.pad) / p.stride;
  return {first_window(r, p.k, p.stride, p.pad), last_i < p.oh - 1 ? last_i : p.oh - 1,
          first_window(c, p.k, p.stride, p.pad), last_j < p.ow - 1 ? last_j : p.ow - 1};
}

// Element e of out (planes, oH, oW).
SOMA_HD inline void max_pool_at(const PoolShape& p, const float* x, float* out, float* arg,
                                int64_t e) {
  const Window win = window_of(p, e % (p.oh * p.ow));
  const float* in = x + (e / (p.oh * p.ow)) * p.h * p.w;
  int64_t best = win.h0 * p.w + win.w0, nan_at = -1;
  for (int64_t r = win.h0; r < win.h1; ++r)
    for (int64_t c = win.w0; c < win.w1; ++c) {
      const float v = in[r * p.w + c];
      if (v > in[best]) best = r * p.w + c;
      if (isnan(v)) nan_at = r * p.w + c;
    }
  if (nan_at >= 0) best = nan_at;
  out[e] = in[best];
  arg[e] = float(best);
}

// Element e of gx (planes, H, W).
SOMA_HD inline void max_pool_backward_at(const PoolShape& p, const float* g, const float* arg,
                                         float* gx, int64_t e) {
  const int64_t pix = e % (p.h * p.w), plane = e / (p.h * p.w);
  const WindowRange win = windows_over(p, pix / p.w, pix % p.w);
  float acc = 0.0f;
  for (int64_t i = win.i0; i <= win.i1; ++i)
    for (int64_t j = win.j0; j <= win.j1; ++j) {
      const int64_t q = (plane * p.oh + i) * p.ow + j;
      if (int64_t(arg[q]) == pix) acc += g[q];
    }
  gx[e] = acc;
}

// 1 / k^2 as pool.cpp rounds it: padding counts in every window.
SOMA_HD inline float avg_pool_scale(const PoolShape& p) {
  return 1.0f / float(p.k * p.k);
}

// Element e of out (planes, oH, oW).
SOMA_HD inline void avg_pool_at(const PoolShape& p, const float* x, float* out, int64_t e) {
  const Window win = window_of(p, e % (p.oh * p.ow));
  const float* in = x + (e / (p.oh * p.ow)) * p.h * p.w;
  float s = 0;
  for (int64_t r = win.h0; r < win.h1; ++r)
    for (int64_t c = win.w0; c < win.w1; ++c) s += in[r * p.w + c];
  out[e] = s * avg_pool_scale(p);
}

// Element e of gx (planes, H, W).
SOMA_HD inline void avg_pool_backward_at(const PoolShape& p, const float* g, float* gx, int64_t e) {
  const int64_t pix = e % (p.h * p.w), plane = e / (p.h * p.w);
  const WindowRange win = windows_over(p, pix / p.w, pix % p.w);
  const float scale = avg_pool_scale(p);
  float acc = 0.0f;
  for (int64_t i = win.i0; i <= win.i1; ++i)
    for (int64_t j = win.j0; j <= win.j1; ++j) acc += g[(plane * p.oh + i) * p.ow + j] * scale;
  gx[e] = acc;
}

}  // namespace soma::cuda
