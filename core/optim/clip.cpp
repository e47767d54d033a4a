#include "core/optim/clip.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace soma::optim {

float clip_grad_norm_(const Tensors& params, float max_norm) {
  double sum_sq = 0;  // double: millions of squares in float would lose the small ones
  for (const auto& p : params) {
    Tensor g = p.grad();
    if (g.defined()) sum_sq += g.array().cast<double>().square().sum();
  }
  float norm = float(std::sqrt(sum_sq));
  if (!std::isfinite(norm) || norm <= max_norm) return norm;
  float scale = max_norm / (norm + 1e-6f);
  for (const auto& p : params) {
    Tensor g = p.grad();
    if (g.defined()) g.array() *= scale;
  }
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
