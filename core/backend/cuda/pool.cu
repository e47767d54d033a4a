// Max and average pooling forward (one thread per output) and backward (one per input pixel,
// gathering); the arithmetic is pool_body.hpp's.
#include "core/backend/cuda/conv_ops.hpp"
#include "core/backend/cuda/device_context.hpp"
#include "core/backend/cuda/launch.cuh"
#include "core/backend/cuda/pool_body.hpp"

namespace soma::cuda {

void max_pool_forward(const PoolShape& p, const float* x, float* out, float* arg) {
  launch_each(
      p.planes * p.oh * p.ow, [=] __device__(int64_t e) { max_pool_at(p, x, out, arg, e); },
      "max_pool2d");
}

void max_pool_backward(const PoolShape& p, const float* g, const float* arg, float* gx) {
  launch_each(
      p.planes * p.h * p.w, [=] __device__(int64_t e) { max_pool_backward_at(p, g, arg, gx, e); },
      "max_pool2d backward");
}

void avg_pool_forward(const PoolShape& p, const float* x, float* out) {
  launch_each(
      p.planes * p.oh * p.ow, [=] __device__(int64_t e) { avg_pool_at(p, x, out, e); },
      "avg_pool2d");
}

void avg_pool_backward(const PoolShape& p, const float* g, float* gx) {
  launch_each(
      p.planes * p.h * p.w, [=] __device__(int64_t e) { avg_pool_backward_at(p, g, gx, e); },
      "avg_pool2d backward");
}

}  // namespace soma::cuda
