#pragma once
// Learning-rate schedules. A schedule is a pure function of the step index (0-based), so a run
// resumed at step k gets the same rate as an uninterrupted one; apply() writes it into an
// optimizer. Whether a "step" is a batch or an epoch is up to the caller.
#include <cstdint>

namespace soma::optim {

class Optimizer;

class LrSchedule {
 public:
  virtual ~LrSchedule() = default;
  virtual float lr_at(int64_t step) const = 0;
  void apply(Optimizer& opt, int64_t step) const;  // opt.set_lr(lr_at(step))
};

// base_lr * gamma^floor(step / step_size), as torch's StepLR.
class StepLR : public LrSchedule {
 public:
  StepLR(float base_lr, int64_t step_size, float gamma = 0.1f);
  float lr_at(int64_t step) const override;

 private:
  float base_lr_;
  int64_t step_size_;
  float gamma_;
};

// Linear warm-up, then half a cosine down to a floor:
//   step < W:           base_lr * (s + (1 - s) * step / W)      s = start_factor
//   W <= step < total:  min_lr + (base_lr - min_lr) * (1 + cos(pi * (step - W) / (total - W))) / 2
//   step >= total:      min_lr
// W = 0 skips the warm-up.
class WarmupCosineLR : public LrSchedule {
 public:
  WarmupCosineLR(float base_lr, int64_t warmup_steps, int64_t total_steps, float min_lr = 0,
                 float start_factor = 0);
  float lr_at(int64_t step) const override;

 private:
  float base_lr_;
  int64_t warmup_, total_;
  float min_lr_, start_factor_;
};

}  // namespace soma::optim
