#include "core/optim/adam.hpp"

#include <cmath>
#include <stdexcept>

#include "core/backend/cuda_ops.hpp"
#include "core/backend/device_check.hpp"

namespace soma::optim {

Adam::Adam(Tensors params, AdamOptions opt, bool decoupled_weight_decay)
    : Optimizer(std::move(params), opt.lr), opt_(opt), decoupled_(decoupled_weight_decay) {
  auto in_unit = [](float b) { return b >= 0.0f && b < 1.0f; };
  if (!in_unit(opt.beta1) || !in_unit(opt.beta2))
    throw std::invalid_argument("Adam: betas must be in [0, 1)");
  if (!(opt.eps >= 0.0f) || !(opt.weight_decay >= 0.0f))
    throw std::invalid_argument("Adam: eps and weight_decay must be non-negative");
}

void Adam::step() {
  for (size_t i = 0; i < params_.size(); ++i)
    if (params_[i].grad().defined()) update(i);
}

void Adam::update(size_t i) {
  Tensor p = params_[i], g = p.grad();
  if (require_device("Adam", p, g) == Device::cuda) return update_cuda(i);
  float& t = state(i, "step", true).data()[0];
  ArrayMap m = state(i, "exp_avg").array();
  ArrayMap v = state(i, "exp_avg_sq").array();
  t += 1;

  Eigen::ArrayXf d = g.array();
  if (opt_.weight_decay != 0) {
    if (decoupled_)
      p.array() *= 1 - lr_ * opt_.weight_decay;
    else
      d += opt_.weight_decay * p.array();
  }
  m = opt_.beta1 * m + (1 - opt_.beta1) * d;
  v = opt_.beta2 * v + (1 - opt_.beta2) * d.square();
  // The corrections in double: beta^t in float loses digits long before t gets large.
  double correction1 = 1 - std::pow(double(opt_.beta1), double(t));
  double correction2 = 1 - std::pow(double(opt_.beta2), double(t));
  float step_size = float(lr_ / correction1);
  float sqrt_correction2 = float(std::sqrt(correction2));
  p.array() -= step_size * m / (v.sqrt() / sqrt_correction2 + opt_.eps);
}

void Adam::update_cuda(size_t i) {
  Tensor p = params_[i], g = p.grad();
  float& t = state(i, "step", true).data()[0];
  Tensor& m = state(i, "exp_avg");
  Tensor& v = state(i, "exp_avg_sq");
  t += 1;
  const double correction1 = 1 - std::pow(double(opt_.beta1), double(t));
  const double correction2 = 1 - std::pow(double(opt_.beta2), double(t));
  const cuda::AdamStep s{opt_.beta1,
                         opt_.beta2,
                         opt_.eps,
                         opt_.weight_decay,
                         float(lr_ / correction1),
                         float(std::sqrt(correction2)),
                         1 - lr_ * opt_.weight_decay,
                         decoupled_};
  cuda::adam_step(s, p.numel(), p.raw_data(), g.raw_data(), m.raw_data(), v.raw_data());
}

}  // namespace soma::optim
