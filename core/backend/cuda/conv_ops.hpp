#pragma once
// Device kernels of the convolution and pooling on cuda tensors (core/ops/cuda_conv_pool.cpp
// calls them; built with SOMA_CUDA only, so a build without CUDA has neither these nor stubs).
// Plain C++ with SOMA_HD members, so nvcc, the core and the host tests of the bodies share it;
// internal to the backend (not installed, as all of core/backend/cuda/).
//
// The convolution is im2col + one cuBLAS GEMM per chunk of images, in a "wide" layout: the
// column matrix of n images is (K, n L), K = Cin kh kw taps, L = oH oW output pixels, image i's
// pixels in columns [i L, (i + 1) L). Then
//   forward   wide (Cout, n L) = W (Cout, K) col (K, n L);  out (n, Cout, L) = wide + b
//   backward  gwide (Cout, n L) = gout permuted;  gW += gwide col^T;  gb += gwide 1;
//             gcol (K, n L) = W^T gwide;  gx = col2im(gcol)
// one large GEMM each, instead of one small GEMM per image (the CPU's way, conv.cpp).
#include <cstdint>

#include "core/backend/cuda/host_device.hpp"

namespace soma::cuda {

// Sizes of one call on n images (N, Cin, H, W) -> (N, Cout, oH, oW), as conv_kernels.hpp's
// ConvGeom.
struct ConvShape {
  int64_t n, cin, h, w, cout, kh, kw, oh, ow, stride, pad;
  SOMA_HD int64_t k() const { return cin * kh * kw; }
  SOMA_HD int64_t l() const { return oh * ow; }
  SOMA_HD int64_t nl() const { return n * oh * ow; }
  SOMA_HD int64_t in_size() const { return cin * h * w; }
  SOMA_HD int64_t out_size() const { return cout * oh * ow; }
};

// col (K, n L) from x (n, Cin, H, W); zeros where a tap falls in the padding.
void im2col_wide(const ConvShape& s, const float* x, float* col);
// x (n, Cin, H, W) = the sum of the col entries copied from each pixel (written, not added).
void col2im_wide(const ConvShape& s, const float* col, float* x);
// out (n, Cout, L) = wide (Cout, n L) + bias (Cout; may be null).
void wide_to_images(const ConvShape& s, const float* wide, const float* bias, float* out);
// wide (Cout, n L) from out (n, Cout, L): the output gradient in the GEMMs' layout.
void images_to_wide(const ConvShape& s, const float* out, float* wide);

// Max and average pooling over planes (N C) of (H, W), a k x k window at `stride` with `pad`, as
// pool.cpp's PoolGeom.
struct PoolShape {
  int64_t planes, h, w, oh, ow, k, stride, pad;
};
// out (planes, oH, oW) = window maxima; arg: the winner's index in its plane, as a float
// (exact below 2^24), kept for the backward.
void max_pool_forward(const PoolShape& p, const float* x, float* out, float* arg);
// gx (planes, H, W) = the sum of the output gradients whose window each pixel won (written).
void max_pool_backward(const PoolShape& p, const float* g, const float* arg, float* gx);
// out (planes, oH, oW) = window sums / k^2 (padding counts, as torch's count_include_pad).
void avg_pool_forward(const PoolShape& p, const float* x, float* out);
// gx (planes, H, W) = the sum of g / k^2 over the windows covering each pixel (written).
void avg_pool_backward(const PoolShape& p, const float* g, float* gx);

}  // namespace soma::cuda
