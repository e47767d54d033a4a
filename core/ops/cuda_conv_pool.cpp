// conv2d (and its weight gradient alone), unfold2d, max_pool2d and avg_pool2d on cuda tensors
// (cuda_conv_pool.hpp): shapes, scratch and autograd here; the kernels in core/backend/cuda/conv.cu
// and pool.cu, the chunked GEMM pipeline in conv_chunks.hpp. Results stay on the device; nothing
// syncs.
#ifdef SOMA_CUDA

#include "core/ops/cuda_conv_pool.hpp"

#include "core/autograd/node.hpp"
#include "core/backend/cuda/conv_chunks.hpp"
#include "core/backend/cuda/conv_ops.hpp"
#include "core/backend/device_check.hpp"
#include "core/backend/gemm.hpp"

namespace soma::cuda_ops {

namespace {

constexpr Device kCuda = Device::cuda;
// 2^26 floats (256 MB) per scratch buffer: ConvNet4's conv2 (K 800, L 64) at T 200, B 32 runs
// in 5 chunks of GEMMs with 84k columns, long enough to keep the GPU busy.
constexpr int64_t kChunkFloats = int64_t(1) << 26;

struct DeviceConvOps {
  void im2col(const cuda::ConvShape& s, const float* x, float* col) const {
    cuda::im2col_wide(s, x, col);
  }
  void col2im(const cuda::ConvShape& s, const float* col, float* x) const {
    cuda::col2im_wide(s, col, x);
  }
  void to_images(const cuda::ConvShape& s, const float* wide, const float* b, float* out) const {
    cuda::wide_to_images(s, wide, b, out);
  }
  void to_wide(const cuda::ConvShape& s, const float* out, float* wide) const {
    cuda::images_to_wide(s, out, wide);
  }
  void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
            const float* b, float beta, float* c) const {
    gemm_cuda(ta, tb, m, n, k, alpha, a, b, beta, c);
  }
};

// One chunk's device buffers; they return to the caching allocator with the tensors (one
// stream: later kernels are ordered after the ones that used them).
struct DeviceScratch {
  Tensor col, wide, ones;
  DeviceScratch(const cuda::ConvShape& s, int64_t chunk, bool need_ones)
      : col(Tensor::uninitialized({s.k() * chunk * s.l()}, kCuda)),
        wide(Tensor::uninitialized({s.cout * chunk * s.l()}, kCuda)),
        ones(need_ones ? Tensor::full({chunk * s.l()}, 1.0f, kCuda) : Tensor()) {}
  cuda::ConvScratch ptrs() {
    return {col.raw_data(), wide.raw_data(), ones.defined() ? ones.raw_data() : nullptr};
  }
};

cuda::ConvShape shape_of(const ConvGeom& g) {
  return {g.n, g.cin, g.h, g.w, g.cout, g.kh, g.kw, g.oh, g.ow, g.stride, g.pad};
}

const float* data_or_null(const Tensor& t) {
  return t.defined() ? t.raw_data() : nullptr;
}

cuda::PoolShape pool_shape(const Tensor& x, int64_t kernel, int64_t stride, int64_t padding,
                           const Shape& out_shape) {
  return {x.size(0) * x.size(1), x.size(2), x.size(3), out_shape[2],
          out_shape[3],          kernel,    stride,    padding};
}

}  // namespace

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, const ConvGeom& g) {
  require_device("conv2d", x, weight, bias);
  const cuda::ConvShape s = shape_of(g);
  const int64_t chunk = cuda::conv_chunk(s, kChunkFloats);
  Tensor out = Tensor::uninitialized({g.n, g.cout, g.oh, g.ow}, kCuda);
  if (g.n > 0) {
    DeviceScratch t(s, chunk, false);
    cuda::conv_forward_chunks(DeviceConvOps{}, s, chunk, x.raw_data(), weight.raw_data(),
                              data_or_null(bias), out.raw_data(), t.ptrs());
  }
  const bool need_x = x.requires_grad(), need_w = weight.requires_grad();
  const bool need_b = bias.defined() && bias.requires_grad();
  // Only what the backward reads: x for the weight gradient, w for the input gradient.
  const Tensor dx = need_w ? x.detach() : Tensor(), dw = need_x ? weight.detach() : Tensor();
  const Shape x_shape = x.shape(), w_shape = weight.shape();
  return record("conv2d", out, {x, weight, bias}, [=](const Tensor& gout) {
    Tensor gx = need_x ? Tensor::uninitialized(x_shape, kCuda) : Tensor();
    Tensor gw = need_w ? Tensor::zeros(w_shape, kCuda) : Tensor();  // zeros: n may be 0
    Tensor gb = need_b ? Tensor::zeros({s.cout}, kCuda) : Tensor();
    if (s.n > 0) {
      DeviceScratch t(s, chunk, need_b);
      cuda::conv_backward_chunks(DeviceConvOps{}, s, chunk, data_or_null(dx), data_or_null(dw),
                                 gout.raw_data(), gx.defined() ? gx.raw_data() : nullptr,
                                 gw.defined() ? gw.raw_data() : nullptr,
                                 gb.defined() ? gb.raw_data() : nullptr, t.ptrs());
    }
    return Tensors{gx, gw, gb};
  });
}

Tensor conv2d_weight_grad(const Tensor& x, const Tensor& gout, const ConvGeom& g, Tensor gw) {
  require_device("conv2d_weight_grad", x, gout, gw);
  const cuda::ConvShape s = shape_of(g);
  if (s.n == 0) return gw;
  const int64_t chunk = cuda::conv_chunk(s, kChunkFloats);
  DeviceScratch t(s, chunk, false);
  cuda::conv_backward_chunks(DeviceConvOps{}, s, chunk, x.raw_data(), nullptr, gout.raw_data(),
                             nullptr, gw.raw_data(), nullptr, t.ptrs());
  return gw;
}

Tensor unfold2d(const Tensor& x, const ConvGeom& g) {
  require_device("unfold2d", x);
  Tensor cols = Tensor::uninitialized({g.n, g.k(), g.l()}, kCuda);
  cuda::ConvShape one = shape_of(g);
  one.n = 1;  // an image's (K, L) block is the wide layout of a chunk of one
  for (int64_t i = 0; i < g.n; ++i)
    cuda::im2col_wide(one, x.raw_data() + i * g.in_size(), cols.raw_data() + i * g.k() * g.l());
  return cols;
}

Tensor max_pool2d(const Tensor& x, int64_t kernel, int64_t stride, int64_t padding,
                  const Shape& out_shape) {
  require_device("max_pool2d", x);
  const cuda::PoolShape p = pool_shape(x, kernel, stride, padding, out_shape);
  Tensor out = Tensor::uninitialized(out_shape, kCuda);
  Tensor arg = Tensor::uninitialized(out_shape, kCuda);
  cuda::max_pool_forward(p, x.raw_data(), out.raw_data(), arg.raw_data());
  const Shape shape = x.shape();
  return record("max_pool2d", out, {x}, [p, arg, shape](const Tensor& g) {
    Tensor gx = Tensor::uninitialized(shape, kCuda);
    cuda::max_pool_backward(p, g.raw_data(), arg.raw_data(), gx.raw_data());
    return Tensors{gx};
  });
}

Tensor avg_pool2d(const Tensor& x, int64_t kernel, int64_t stride, int64_t padding,
                  const Shape& out_shape) {
  require_device("avg_pool2d", x);
  const cuda::PoolShape p = pool_shape(x, kernel, stride, padding, out_shape);
  Tensor out = Tensor::uninitialized(out_shape, kCuda);
  cuda::avg_pool_forward(p, x.raw_data(), out.raw_data());
  const Shape shape = x.shape();
  return record("avg_pool2d", out, {x}, [p, shape](const Tensor& g) {
    Tensor gx = Tensor::uninitialized(shape, kCuda);
    cuda::avg_pool_backward(p, g.raw_data(), gx.raw_data());
    return Tensors{gx};
  });
}

}  // namespace soma::cuda_ops

#endif  // SOMA_CUDA
