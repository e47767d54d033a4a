#include "core/optim/schedule.hpp"

#include <cmath>
#include <stdexcept>

#include "core/optim/optimizer.hpp"

namespace soma::optim {

void LrSchedule::apply(Optimizer& opt, int64_t step) const {
  opt.set_lr(lr_at(step));
}

StepLR::StepLR(float base_lr, int64_t step_size, float gamma)
    : base_lr_(base_lr), step_size_(step_size), gamma_(gamma) {
  if (step_size <= 0) throw std::invalid_argument("StepLR: step_size must be positive");
}

float StepLR::lr_at(int64_t step) const {
  int64_t decays = step < 0 ? 0 : step / step_size_;
  return float(double(base_lr_) * std::pow(double(gamma_), double(decays)));
}

WarmupCosineLR::WarmupCosineLR(float base_lr, int64_t warmup_steps, int64_t total_steps,
                               float min_lr, float start_factor)
    : base_lr_(base_lr),
      warmup_(warmup_steps),
      total_(total_steps),
      min_lr_(min_lr),
      start_factor_(start_factor) {
  if (warmup_steps < 0 || total_steps < warmup_steps)
    throw std::invalid_argument("WarmupCosineLR: need 0 <= warmup_steps <= total_steps");
}

float WarmupCosineLR::lr_at(int64_t step) const {
  if (step >= total_) return min_lr_;
  if (step < 0) step = 0;
  if (step < warmup_) {
    double s = start_factor_;
    return float(base_lr_ * (s + (1 - s) * double(step) / double(warmup_)));
  }
  const double pi = std::acos(-1.0);
  double progress = double(step - warmup_) / double(total_ - warmup_);
  return float(min_lr_ + (double(base_lr_) - min_lr_) * 0.5 * (1 + std::cos(pi * progress)));
}

}  // namespace soma::optim
