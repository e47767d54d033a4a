#include "core/nn/exp_filter.hpp"

#include <cmath>
#include <stdexcept>

#include "core/autograd/node.hpp"
#include "core/ops/elementwise.hpp"
#include "core/ops/shape_ops.hpp"

namespace soma {

namespace {
// y_t = alpha y_{t-1} + x_t in place over rows of n floats, forwards or (reverse) backwards.
void scan(float* y, int64_t T, int64_t n, float alpha, bool reverse) {
  for (int64_t s = 1; s < T; ++s) {
    int64_t t = reverse ? T - 1 - s : s, prev = reverse ? t + 1 : t - 1;
    for (int64_t c = 0; c < n; ++c) y[t * n + c] += alpha * y[prev * n + c];
  }
}

Tensor composed(const Tensor& x, float alpha) {
  Tensors ys{select(x, 0)};
  for (int64_t t = 1; t < x.size(0); ++t) ys.push_back(alpha * ys.back() + select(x, t));
  return stack(ys);
}
}  // namespace

Tensor exp_filter(const Tensor& x, float alpha) {
  if (x.dim() < 1 || x.size(0) == 0)
    throw std::invalid_argument("exp_filter: input " + to_string(x.shape()) +
                                " is not (T, ...) with T >= 1");
  if (x.device() != Device::cpu) return composed(x, alpha);
  const int64_t T = x.size(0), n = x.numel() / T;
  Tensor y = x.detach().clone();
  scan(y.data(), T, n, alpha, false);
  return record("exp_filter", y, {x}, [T, n, alpha](const Tensor& g) {
    Tensor gx = g.clone();
    scan(gx.data(), T, n, alpha, true);
    return Tensors{gx};
  });
}

nn::ExpFilter::ExpFilter(int64_t input_size, int64_t output_size, Rng& rng, float tau_filter_inv,
                         float dt, bool bias)
    : alpha(std::exp(-dt * tau_filter_inv)),
      linear(register_module("linear",
                             std::make_shared<Linear>(input_size, output_size, bias, rng))) {}

Tensor nn::ExpFilter::forward(const Tensor& x) {
  return exp_filter((*linear)(x), alpha);
}

}  // namespace soma
