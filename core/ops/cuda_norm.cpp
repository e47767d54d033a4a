// batch_norm on cuda tensors (cuda_norm.hpp): buffers and autograd here, the kernels in
// core/backend/cuda/norm.cu. Results stay on the device; nothing syncs.
#ifdef SOMA_CUDA

#include "core/ops/cuda_norm.hpp"

#include "core/autograd/grad_mode.hpp"
#include "core/autograd/node.hpp"
#include "core/backend/cuda/norm_ops.hpp"
#include "core/backend/device_check.hpp"

namespace soma::cuda_ops {

namespace {

constexpr Device kCuda = Device::cuda;

cuda::ChannelShape channel_shape(const Tensor& x) {
  cuda::ChannelShape s{x.size(0), x.size(1), 1};
  for (int d = 2; d < x.dim(); ++d) s.inner *= x.size(d);
  return s;
}

// A tensor's device pointer, or null for an undefined one (no affine, no running statistics).
// raw_data, not data: data() refuses device tensors.
template <class T>
auto ptr_or_null(T& t) -> decltype(t.raw_data()) {
  return t.defined() ? t.raw_data() : nullptr;
}

}  // namespace

Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight, const Tensor& bias, bool training, float momentum,
                  float eps) {
  require_device("batch_norm", x, running_mean, running_var, weight, bias);
  const cuda::ChannelShape s = channel_shape(x);
  const bool need_x = x.requires_grad(), need_w = weight.defined() && weight.requires_grad();
  const bool need_b = bias.defined() && bias.requires_grad();
  // xhat only for a backward pass, as on the CPU.
  const bool keep = GradMode::enabled() && (need_x || need_w || need_b);
  Tensor y = Tensor::uninitialized(x.shape(), kCuda);
  Tensor xhat = keep ? Tensor::uninitialized(x.shape(), kCuda) : Tensor();
  Tensor stats = Tensor::uninitialized({2, s.channels}, kCuda);  // shift, then invstd
  const cuda::ChannelStats st{stats.raw_data(), stats.raw_data() + s.channels};
  // The running statistics are written in place: a buffer update, not part of the graph.
  Tensor rm = running_mean, rv = running_var;
  const cuda::RunningStats r{ptr_or_null(rm), ptr_or_null(rv), momentum, eps};
  if (training)
    cuda::batch_norm_batch_stats(s, x.raw_data(), r, st);
  else
    cuda::batch_norm_running_stats(s, r, st);
  cuda::batch_norm_apply(s, x.raw_data(), st, ptr_or_null(weight), ptr_or_null(bias), y.raw_data(),
                         keep ? xhat.raw_data() : nullptr);
  if (!keep) return y;
  const Tensor dw = weight.defined() ? weight.detach() : Tensor();
  // The backward keeps xhat and stats (its invstd) alive, and w for gx.
  return record("batch_norm", y, {x, weight, bias}, [=](const Tensor& g) {
    Tensor gx = need_x ? Tensor::uninitialized(xhat.shape(), kCuda) : Tensor();
    Tensor gw = need_w ? Tensor::uninitialized({s.channels}, kCuda) : Tensor();
    Tensor gb = need_b ? Tensor::uninitialized({s.channels}, kCuda) : Tensor();
    cuda::BatchNormGrads b{};
    b.g = g.raw_data();
    b.xhat = xhat.raw_data();
    b.invstd = stats.raw_data() + s.channels;
    b.w = ptr_or_null(dw);
    b.training = training;
    b.gx = ptr_or_null(gx);
    b.gw = ptr_or_null(gw);
    b.gb = ptr_or_null(gb);
    cuda::batch_norm_backward(s, b);
    return Tensors{gx, gw, gb};
  });
}

}  // namespace soma::cuda_ops

#endif  // SOMA_CUDA
