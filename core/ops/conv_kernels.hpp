#pragma once
// The im2col + GEMM kernels behind conv2d, for fused layers that convolve a block of images at a
// time (ff_layer.hpp). Images are (n, cin, h, w), outputs (n, cout, oh, ow), contiguous.
#include "core/ops/conv.hpp"

namespace soma {

// Sizes of one conv2d call. The column matrix of an image has one row per (cin, ki, kj) tap
// and one column per output pixel, so out (Cout, L) = weight (Cout, K) @ col (K, L).
struct ConvGeom {
  int64_t n, cin, h, w, cout, kh, kw, oh, ow, stride, pad;
  int64_t k() const { return cin * kh * kw; }
  int64_t l() const { return oh * ow; }
  int64_t in_size() const { return cin * h * w; }
  int64_t out_size() const { return cout * oh * ow; }
  // A 1x1 kernel at stride 1 without padding: the image already is its column matrix.
  bool pointwise() const { return kh == 1 && kw == 1 && stride == 1 && pad == 0; }
  // Splitting the batch over threads pays only beyond a few hundred thousand multiply-adds:
  // below that, waking the threads costs more than it saves, and far more on a busy machine.
  bool parallel() const { return n > 1 && n * cout * k() * l() >= (int64_t(1) << 18); }
};

// Checks shapes (x is (N, C, H, W)) and returns the geometry; throws with all shapes on error.
ConvGeom conv_geom(const Tensor& x, const Tensor& weight, const Tensor& bias, Conv2dOptions opt);

// out = conv(x, w) + b (b may be null); out is fully written.
void conv_forward(const ConvGeom& g, const float* x, const float* w, const float* b, float* out);
// gx (zero-filled by the caller; may be null) += dL/dx; gw (may be null) += dL/dw.
void conv_backward(const ConvGeom& g, const float* x, const float* w, const float* gout, float* gx,
                   float* gw);
// gb (cout) += dL/db.
void conv_bias_grad(const ConvGeom& g, const float* gout, float* gb);

}  // namespace soma
