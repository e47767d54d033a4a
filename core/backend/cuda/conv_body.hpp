#pragma once
// The convolution's layout kernels (conv.cu), one thread per element; the GEMMs between them
// are cuBLAS's. Layouts in conv_ops.hpp: col and wide are (rows, n L), column q = i L + p
// for image i and output pixel p = oi oW + oj; a col row is the tap (c, ki, kj) as a
// (Cout, Cin, kh, kw) weight flattens. Tap (ki, kj) of output (oi, oj) reads input pixel
//   ih = oi stride - pad + ki,  iw = oj stride - pad + kj   (zero outside the image)
// as conv.cpp's im2col. col2im gathers instead of scattering, so no two threads write one pixel
// (no atomics, and the sum is deterministic): pixel (ih, iw) collects every tap with
//   oi = (ih + pad - ki) / stride  an integer in [0, oH)  (and the same for oj)
// in (ki, kj) order from zero, the order in which conv.cpp's col2im adds them.
#include "core/backend/cuda/conv_ops.hpp"
#include "core/backend/cuda/host_device.hpp"

namespace soma::cuda {

SOMA_HD inline void im2col_at(const ConvShape& s, const float* x, float* col, int64_t e) {
  const int64_t row = e / s.nl(), q = e % s.nl();
  const int64_t img = q / s.l(), p = q % s.l();
  const int64_t kj = row % s.kw, ki = (row / s.kw) % s.kh, c = row / (s.kw * s.kh);
  const int64_t ih = (p / s.ow) * s.stride - s.pad + ki, iw = (p % s.ow) * s.stride - s.pad + kj;
  const bool inside = ih >= 0 && ih < s.h && iw >= 0 && iw < s.w;
  col[e] = inside ? x[((img * s.cin + c) * s.h + ih) * s.w + iw] : 0.0f;
}

// The output index o along one axis whose tap t reads input index i, or -1 when none does.
SOMA_HD inline int64_t conv_source(int64_t i, int64_t t, int64_t pad, int64_t stride,
                                   int64_t outs) {
  const int64_t a = i + pad - t;
  if (a < 0 || a % stride != 0) return -1;
  return a / stride < outs ? a / stride : -1;
}

// Element e of x (n, Cin, H, W).
SOMA_HD inline void col2im_at(const ConvShape& s, const float* col, float* x, int64_t e) {
  const int64_t iw = e % s.w, ih = (e / s.w) % s.h;
  const int64_t c = (e / (s.w * s.h)) % s.cin, img = e / s.in_size();
  float acc = 0.0f;
  for (int64_t ki = 0; ki < s.kh; ++ki) {
    const int64_t oi = conv_source(ih, ki, s.pad, s.stride, s.oh);
    if (oi < 0) continue;
    for (int64_t kj = 0; kj < s.kw; ++kj) {
      const int64_t oj = conv_source(iw, kj, s.pad, s.stride, s.ow);
      if (oj < 0) continue;
      const int64_t row = (c * s.kh + ki) * s.kw + kj;
      acc += col[row * s.nl() + img * s.l() + oi * s.ow + oj];
    }
  }
  x[e] = acc;
}

// Element e of out (n, Cout, L).
SOMA_HD inline void wide_to_image_at(const ConvShape& s, const float* wide, const float* bias,
                                     float* out, int64_t e) {
  const int64_t p = e % s.l(), co = (e / s.l()) % s.cout, img = e / s.out_size();
  const float v = wide[co * s.nl() + img * s.l() + p];
  out[e] = bias ? v + bias[co] : v;
}

// Element e of wide (Cout, n L).
SOMA_HD inline void image_to_wide_at(const ConvShape& s, const float* out, float* wide, int64_t e) {
  const int64_t co = e / s.nl(), q = e % s.nl();
  const int64_t img = q / s.l(), p = q % s.l();
  wide[e] = out[(img * s.cout + co) * s.l() + p];
}

}  // namespace soma::cuda
