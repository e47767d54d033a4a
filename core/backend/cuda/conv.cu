// The convolution's layout kernels (im2col, col2im, the two permutes around the GEMMs), one
// thread per element; the arithmetic and the layouts are conv_body.hpp's, the GEMMs cuBLAS's
// (core/ops/cuda_conv_pool.cpp runs conv_chunks.hpp with these).
#include "core/backend/cuda/conv_body.hpp"
#include "core/backend/cuda/conv_ops.hpp"
#include "core/backend/cuda/device_context.hpp"
#include "core/backend/cuda/launch.cuh"

namespace soma::cuda {

void im2col_wide(const ConvShape& s, const float* x, float* col) {
  launch_each(
      s.k() * s.nl(), [=] __device__(int64_t e) { im2col_at(s, x, col, e); }, "im2col");
}

void col2im_wide(const ConvShape& s, const float* col, float* x) {
  launch_each(
      s.n * s.in_size(), [=] __device__(int64_t e) { col2im_at(s, col, x, e); }, "col2im");
}

void wide_to_images(const ConvShape& s, const float* wide, const float* bias, float* out) {
  launch_each(
      s.n * s.out_size(), [=] __device__(int64_t e) { wide_to_image_at(s, wide, bias, out, e); },
      "conv output permute");
}

void images_to_wide(const ConvShape& s, const float* out, float* wide) {
  launch_each(
      s.cout * s.nl(), [=] __device__(int64_t e) { image_to_wide_at(s, out, wide, e); },
      "conv gradient permute");
}

}  // namespace soma::cuda
