// max_pool2d and avg_pool2d (declared in conv.hpp). Every (n, c) plane is independent, so the
// planes are the unit of parallel work in both directions.
#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/autograd/node.hpp"
#include "core/backend/device_check.hpp"
#include "core/ops/conv.hpp"
#ifdef SOMA_CUDA
#include "core/ops/cuda_conv_pool.hpp"
#endif

namespace soma {

namespace {

struct PoolGeom {
  int64_t planes, h, w, oh, ow, k, stride, pad;
  int64_t in_plane() const { return h * w; }
  int64_t out_plane() const { return oh * ow; }
  // Threads pay only on inputs large enough to hide waking them.
  bool parallel() const { return planes > 1 && planes * in_plane() >= (int64_t(1) << 15); }
};

// Output sizes as torch with ceil_mode=False; padding at most half the kernel guarantees every
// window holds at least one real pixel.
PoolGeom pool_geom(const char* op, const Tensor& x, int kernel, int stride, int padding) {
  if (stride == 0) stride = kernel;
  auto fail = [&](const std::string& why) {
    throw std::invalid_argument(std::string(op) + ": " + why + " (input " + to_string(x.shape()) +
                                ", kernel " + std::to_string(kernel) + ", stride " +
                                std::to_string(stride) + ", padding " + std::to_string(padding) +
                                ")");
  };
  if (x.dim() != 4) fail("input must be (N, C, H, W)");
  if (kernel < 1 || stride < 1) fail("kernel and stride must be >= 1");
  if (padding < 0 || 2 * padding > kernel) fail("padding must be in [0, kernel / 2]");
  PoolGeom g{x.size(0) * x.size(1), x.size(2), x.size(3), 0, 0, kernel, stride, padding};
  if (g.h + 2 * g.pad < g.k || g.w + 2 * g.pad < g.k) fail("kernel larger than padded input");
  g.oh = (g.h + 2 * g.pad - g.k) / g.stride + 1;
  g.ow = (g.w + 2 * g.pad - g.k) / g.stride + 1;
  return g;
}

Shape pooled_shape(const Tensor& x, const PoolGeom& g) {
  return {x.size(0), x.size(1), g.oh, g.ow};
}

// Calls f(output index, h0, h1, w0, w1) with each window clipped to the image.
template <class F>
void for_each_window(const PoolGeom& g, F&& f) {
  for (int64_t i = 0; i < g.oh; ++i) {
    int64_t h0 = i * g.stride - g.pad, h1 = std::min(h0 + g.k, g.h);
    h0 = std::max<int64_t>(h0, 0);
    for (int64_t j = 0; j < g.ow; ++j) {
      int64_t w0 = j * g.stride - g.pad, w1 = std::min(w0 + g.k, g.w);
      w0 = std::max<int64_t>(w0, 0);
      f(i * g.ow + j, h0, h1, w0, w1);
    }
  }
}

// torch lets every NaN in a window replace the running maximum, so the last one wins.
int64_t last_nan(const float* in, const PoolGeom& g, int64_t h0, int64_t h1, int64_t w0,
                 int64_t w1) {
  int64_t at = -1;
  for (int64_t r = h0; r < h1; ++r)
    for (int64_t c = w0; c < w1; ++c)
      if (std::isnan(in[r * g.w + c])) at = r * g.w + c;
  return at;
}

// Index in the plane of the window's first maximum in row-major order, or of its last NaN.
// The scan selects rather than branches (on real data the winner is unpredictable) and leaves
// NaNs to a rare second pass.
int64_t window_argmax(const float* in, const PoolGeom& g, int64_t h0, int64_t h1, int64_t w0,
                      int64_t w1) {
  int64_t best = h0 * g.w + w0;
  float bv = in[best];
  bool nan = false;
  for (int64_t r = h0; r < h1; ++r)
    for (int64_t c = w0; c < w1; ++c) {
      float v = in[r * g.w + c];
      bool take = v > bv;
      nan |= std::isnan(v);
      bv = take ? v : bv;
      best = take ? r * g.w + c : best;
    }
  return nan ? last_nan(in, g, h0, h1, w0, w1) : best;
}

}  // namespace

// Padding acts as -inf, so only real pixels compete. The winner's index within its plane is
// kept for backward.
// window_argmax for 2 x 2 windows at stride 2 without padding (every pooling in the tasks):
// the same scan over four fixed taps, which the compiler unrolls (the general loop cost 7% of a
// conv-net training step).
void max_pool_2x2_plane(const float* in, const PoolGeom& g, float* o, int32_t* a) {
  for (int64_t r = 0; r < g.oh; ++r)
    for (int64_t c = 0; c < g.ow; ++c) {
      const int64_t i0 = 2 * r * g.w + 2 * c;
      const int64_t taps[4] = {i0, i0 + 1, i0 + g.w, i0 + g.w + 1};
      int64_t best = i0;
      float bv = in[i0];
      bool nan = std::isnan(bv);
      for (int k = 1; k < 4; ++k) {
        float v = in[taps[k]];
        bool take = v > bv;
        nan |= std::isnan(v);
        bv = take ? v : bv;
        best = take ? taps[k] : best;
      }
      if (nan) best = last_nan(in, g, 2 * r, 2 * r + 2, 2 * c, 2 * c + 2);
      o[r * g.ow + c] = in[best];
      a[r * g.ow + c] = int32_t(best);
    }
}

Tensor max_pool2d(const Tensor& x, int kernel, int stride, int padding) {
  PoolGeom g = pool_geom("max_pool2d", x, kernel, stride, padding);
#ifdef SOMA_CUDA
  if (x.device() == Device::cuda)
    return cuda_ops::max_pool2d(x, g.k, g.stride, g.pad, pooled_shape(x, g));
#endif
  require_cpu("max_pool2d", x);
  Tensor out = Tensor::zeros(pooled_shape(x, g));
  auto arg = std::make_shared<std::vector<int32_t>>(size_t(g.planes * g.out_plane()));
  const float* px = x.data();
  float* po = out.data();
#pragma omp parallel for schedule(static) if (g.parallel())
  for (int64_t p = 0; p < g.planes; ++p) {
    const float* in = px + p * g.in_plane();
    float* o = po + p * g.out_plane();
    int32_t* a = arg->data() + p * g.out_plane();
    if (g.k == 2 && g.stride == 2 && g.pad == 0) {
      max_pool_2x2_plane(in, g, o, a);
      continue;
    }
    for_each_window(g, [&](int64_t q, int64_t h0, int64_t h1, int64_t w0, int64_t w1) {
      int64_t best = window_argmax(in, g, h0, h1, w0, w1);
      o[q] = in[best];
      a[q] = int32_t(best);
    });
  }
  Shape shape = x.shape();
  return record("max_pool2d", out, {x}, [g, arg, shape](const Tensor& gout) {
    Tensor gx = Tensor::zeros(shape);
    const float* pg = gout.data();
    float* px = gx.data();
#pragma omp parallel for schedule(static) if (g.parallel())
    for (int64_t p = 0; p < g.planes; ++p)
      for (int64_t q = 0; q < g.out_plane(); ++q)
        px[p * g.in_plane() + (*arg)[size_t(p * g.out_plane() + q)]] += pg[p * g.out_plane() + q];
    return Tensors{gx};
  });
}

// count_include_pad=True (torch's default): every window divides by kernel^2, padding included.
Tensor avg_pool2d(const Tensor& x, int kernel, int stride, int padding) {
  PoolGeom g = pool_geom("avg_pool2d", x, kernel, stride, padding);
#ifdef SOMA_CUDA
  if (x.device() == Device::cuda)
    return cuda_ops::avg_pool2d(x, g.k, g.stride, g.pad, pooled_shape(x, g));
#endif
  require_cpu("avg_pool2d", x);
  Tensor out = Tensor::zeros(pooled_shape(x, g));
  float scale = 1.0f / float(g.k * g.k);
  const float* px = x.data();
  float* po = out.data();
#pragma omp parallel for schedule(static) if (g.parallel())
  for (int64_t p = 0; p < g.planes; ++p) {
    const float* in = px + p * g.in_plane();
    float* o = po + p * g.out_plane();
    for_each_window(g, [&](int64_t q, int64_t h0, int64_t h1, int64_t w0, int64_t w1) {
      float s = 0;
      for (int64_t r = h0; r < h1; ++r)
        for (int64_t c = w0; c < w1; ++c) s += in[r * g.w + c];
      o[q] = s * scale;
    });
  }
  Shape shape = x.shape();
  return record("avg_pool2d", out, {x}, [g, scale, shape](const Tensor& gout) {
    Tensor gx = Tensor::zeros(shape);
    const float* pg = gout.data();
    float* pgx = gx.data();
#pragma omp parallel for schedule(static) if (g.parallel())
    for (int64_t p = 0; p < g.planes; ++p) {
      const float* go = pg + p * g.out_plane();
      float* gi = pgx + p * g.in_plane();
      for_each_window(g, [&](int64_t q, int64_t h0, int64_t h1, int64_t w0, int64_t w1) {
        float v = go[q] * scale;
        for (int64_t r = h0; r < h1; ++r)
          for (int64_t c = w0; c < w1; ++c) gi[r * g.w + c] += v;
      });
    }
    return Tensors{gx};
  });
}

}  // namespace soma
