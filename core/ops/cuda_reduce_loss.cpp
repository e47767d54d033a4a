// The CUDA reductions and losses of cuda_reduce_loss.hpp: shapes and autograd here, one lane
// kernel per pass (core/backend/cuda/reduce.cu). Results stay on the device; nothing syncs.
#ifdef SOMA_CUDA

#include "core/ops/cuda_reduce_loss.hpp"

#include <stdexcept>
#include <string>

#include "core/autograd/node.hpp"
#include "core/backend/cuda_ops.hpp"
#include "core/backend/device_check.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/reduce.hpp"

namespace soma::cuda_ops {

namespace {

constexpr Device kCuda = Device::cuda;

// x's shape as (outer, n, inner) around dim, and the reduced shape.
cuda::LaneShape lanes_at(const Shape& shape, int dim, bool keepdim, Shape* reduced) {
  cuda::LaneShape l{1, 1, 1};
  const int d = normalize_dim(dim, int(shape.size()));
  for (int i = 0; i < int(shape.size()); ++i) {
    if (i < d) l.outer *= shape[size_t(i)];
    if (i > d) l.inner *= shape[size_t(i)];
    if (reduced && (i != d || keepdim)) reduced->push_back(i == d ? 1 : shape[size_t(i)]);
  }
  l.n = shape[size_t(d)];
  return l;
}

Tensor reduce_sum(const char* name, const Tensor& x, const cuda::LaneShape& l, Shape reduced) {
  Tensor out = Tensor::uninitialized(reduced, kCuda);
  cuda::lane_sum(l, x.raw_data(), out.raw_data());
  Shape shape = x.shape();
  return record(name, out, {x}, [shape, l](const Tensor& g) {
    Tensor gx = Tensor::uninitialized(shape, kCuda);
    cuda::lane_expand(l, g.raw_data(), 1.0f, gx.raw_data());
    return Tensors{gx};
  });
}

}  // namespace

Tensor sum(const Tensor& x) {
  require_device("sum", x);
  return reduce_sum("sum", x, {1, x.numel(), 1}, {});
}

Tensor sum(const Tensor& x, int dim, bool keepdim) {
  require_device("sum", x);
  Shape reduced;
  const cuda::LaneShape l = lanes_at(x.shape(), dim, keepdim, &reduced);
  return reduce_sum("sum_dim", x, l, reduced);
}

namespace {

// Each lane's maximum and its first index (a float), for max and argmax.
struct LaneMax {
  cuda::LaneShape l;
  Tensor out, idx;
};

LaneMax lane_max(const char* name, const Tensor& x, int dim, bool keepdim) {
  require_device(name, x);
  Shape reduced;
  const cuda::LaneShape l = lanes_at(x.shape(), dim, keepdim, &reduced);
  LaneMax m{l, Tensor::uninitialized(reduced, kCuda), Tensor::uninitialized(reduced, kCuda)};
  cuda::lane_max(l, x.raw_data(), m.out.raw_data(), m.idx.raw_data());
  return m;
}

}  // namespace

Tensor max(const Tensor& x, int dim, bool keepdim) {
  const LaneMax m = lane_max("max", x, dim, keepdim);
  const Shape shape = x.shape();
  const cuda::LaneShape l = m.l;
  const Tensor idx = m.idx;
  return record("max_dim", m.out, {x}, [shape, l, idx](const Tensor& g) {
    Tensor gx = Tensor::uninitialized(shape, kCuda);
    cuda::lane_max_backward(l, g.raw_data(), idx.raw_data(), gx.raw_data());
    return Tensors{gx};
  });
}

Tensor argmax(const Tensor& x, int dim, bool keepdim) {
  return lane_max("argmax", x, dim, keepdim).idx;
}

Tensor log_softmax(const Tensor& x, int dim) {
  require_device("log_softmax", x);
  const cuda::LaneShape l = lanes_at(x.shape(), dim, false, nullptr);
  Tensor y = Tensor::uninitialized(x.shape(), kCuda);
  // An empty dimension: lanes of no values, whose kernels would read past the end.
  if (x.numel() > 0) cuda::log_softmax_forward(l, x.raw_data(), y.raw_data());
  Tensor dy = y.detach();
  return record("log_softmax", y, {x}, [dy, l](const Tensor& g) {
    Tensor gx = Tensor::uninitialized(dy.shape(), kCuda);
    if (dy.numel() > 0) cuda::log_softmax_backward(l, g.raw_data(), dy.raw_data(), gx.raw_data());
    return Tensors{gx};
  });
}

namespace {

// Per-element losses (n of them, on the device) reduced as asked: their sum or mean as a 0-d
// tensor, or themselves.
Tensor reduce_losses(const Tensor& per, Reduction r) {
  if (r == Reduction::none) return per;
  const int64_t n = per.numel();
  Tensor out = Tensor::uninitialized({}, kCuda);
  cuda::lane_sum({1, n, 1}, per.raw_data(), out.raw_data());
  if (r == Reduction::mean)
    cuda::binary_scalar(cuda::BinaryOp::mul, out.raw_data(), 1.0f / float(n), 1, out.raw_data());
  return out;
}

// The factor on a reduced loss's upstream gradient for each of its n elements.
float upstream_scale(Reduction r, int64_t n) {
  return r == Reduction::mean ? 1.0f / float(n) : 1.0f;
}

}  // namespace

Tensor nll_loss(const Tensor& log_probs, const Tensor& target, Reduction r) {
  require_device("nll_loss", log_probs, target);
  if (log_probs.dim() != 2 || target.dim() != 1 || target.size(0) != log_probs.size(0))
    throw std::invalid_argument("nll_loss: expected input (N, C) and target (N), got " +
                                to_string(log_probs.shape()) + " and " + to_string(target.shape()));
  const int64_t n = log_probs.size(0), c = log_probs.size(1);
  Tensor per = Tensor::uninitialized({n}, kCuda);
  cuda::nll_forward(n, c, log_probs.raw_data(), target.raw_data(), per.raw_data());
  Tensor out = reduce_losses(per, r);
  Tensor t = target.detach();
  Shape shape = log_probs.shape();
  const float scale = upstream_scale(r, n);
  return record("nll_loss", out, {log_probs}, [t, n, c, r, scale, shape](const Tensor& g) {
    Tensor gx = Tensor::uninitialized(shape, kCuda);
    cuda::nll_backward(n, c, t.raw_data(), g.raw_data(), scale, r == Reduction::none,
                       gx.raw_data());
    return Tensors{gx};
  });
}

Tensor softmax(const Tensor& x, int dim) {
  return soma::exp(cuda_ops::log_softmax(x, dim));
}

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction r) {
  require_device("mse_loss", input, target);
  Tensor per = soma::square(input - target);
  return r == Reduction::none ? per : r == Reduction::sum ? soma::sum(per) : soma::mean(per);
}

Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, Reduction r) {
  require_device("binary_cross_entropy", input, target);
  const int64_t n = input.numel();
  Tensor per = Tensor::uninitialized(input.shape(), kCuda);
  cuda::bce_forward(input.raw_data(), target.raw_data(), n, per.raw_data());
  Tensor out = reduce_losses(per, r);
  const Tensor dp = input.detach(), dy = target.detach();
  const bool need_target = target.requires_grad();
  const float scale = upstream_scale(r, n);
  return record("binary_cross_entropy", out, {input, target},
                [dp, dy, n, r, scale, need_target](const Tensor& g) {
                  Tensor gx = Tensor::uninitialized(dp.shape(), kCuda), gt;
                  if (need_target) gt = Tensor::uninitialized(dp.shape(), kCuda);
                  cuda::bce_backward(
                      {dp.raw_data(), dy.raw_data(), g.raw_data(), scale, r == Reduction::none,
                       gx.raw_data(), need_target ? gt.raw_data() : nullptr},
                      n);
                  return Tensors{gx, gt};
                });
}

}  // namespace soma::cuda_ops

#endif  // SOMA_CUDA
