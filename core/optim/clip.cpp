#include "core/optim/clip.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/backend/cuda_ops.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/host_readback.hpp"
#include "core/ops/reduce.hpp"

namespace soma::optim {
namespace {

// The sum of the squares of every gradient element. Double on the host: millions of squares in
// float would lose the small ones.
double grad_sum_of_squares(const Tensors& params) {
  double sum_sq = 0;
  Tensors on_device;
  for (const auto& p : params) {
    Tensor g = p.grad();
    if (!g.defined()) continue;
    if (g.device() == Device::cpu)
      sum_sq += g.array().cast<double>().square().sum();
    else
      on_device.push_back(sum(square(g)));
  }
  for (const Tensor& s : to_host(on_device)) sum_sq += double(s.item());
  return sum_sq;
}

}  // namespace

void scale_grads_(const Tensors& params, float factor) {
  for (const auto& p : params) {
    Tensor g = p.grad();
    if (!g.defined()) continue;
    if (g.device() == Device::cpu)
      g.array() *= factor;
    else
      cuda::binary_scalar(cuda::BinaryOp::mul, g.raw_data(), factor, g.numel(), g.raw_data());
  }
}

float clip_grad_norm_(const Tensors& params, float max_norm) {
  float norm = float(std::sqrt(grad_sum_of_squares(params)));
  if (!std::isfinite(norm) || norm <= max_norm) return norm;
  scale_grads_(params, max_norm / (norm + 1e-6f));
  return norm;
}

void clip_grad_value_(const Tensors& params, float clip_value) {
  if (!(clip_value >= 0.0f)) throw std::invalid_argument("clip_grad_value_: negative clip value");
  for (const auto& p : params) {
    Tensor g = p.grad();
    if (!g.defined()) continue;
    for (auto& x : g.array())
      if (!std::isnan(x)) x = std::clamp(x, -clip_value, clip_value);
  }
}

}  // namespace soma::optim
